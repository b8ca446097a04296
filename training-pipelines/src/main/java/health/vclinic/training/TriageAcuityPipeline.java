package health.vclinic.training;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.ktas.KtasData;
import health.vclinic.datasets.ktas.KtasProblem;
import health.vclinic.datasets.ktas.KtasReader;
import health.vclinic.datasets.ktas.KtasSite;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.Sha256;
import health.vclinic.training.TrainingConfig.Candidate;
import health.vclinic.training.TrainingConfig.Family;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * The triage-acuity pipeline: the KTAS training site (local ED) in, a new version of
 * {@code triage-acuity} in the model repository out.
 *
 * <ol>
 *   <li>Read the training file with {@link KtasReader}; compute the rule findings of every visit with
 *       the service's own {@link TriageEngine}.</li>
 *   <li>Cross-validate every candidate on the training site (folds stratified by the expert level). In
 *       each fold the complaint vocabulary and the constant features are learned on the fold's
 *       training part only, and every fold's model is exported to ONNX and run by ONNX Runtime on the
 *       held-out part: a candidate whose export does not reproduce its Tribuo probabilities to
 *       {@value #PARITY_TOLERANCE} is not eligible (Tribuo 4.3.2 exports multi-class LibLinear as a
 *       softmax of its decision values but predicts with LibLinear's one-vs-rest normalisation).</li>
 *   <li>Fit a calibration temperature to each candidate's out-of-fold probabilities, decide every
 *       visit by minimum expected cost, and select the candidate with the lowest mean cost per visit
 *       (ties: higher quadratic weighted kappa, then the order of the configuration).</li>
 *   <li>Fit the winner on the whole training site, export it to ONNX, check that ONNX Runtime
 *       reproduces Tribuo's probabilities on every training visit (to 1e-5), and publish model.onnx
 *       and its card.</li>
 * </ol>
 *
 * <p>The test site is never read here: only its file's sha256 is recorded, for the evaluation. A run
 * is a pure function of the data files, the configuration and its seed: the same inputs give
 * byte-identical model.onnx and model.json (no timestamps are written).
 */
public final class TriageAcuityPipeline {

    /** The model's name in the repository. */
    public static final String MODEL_NAME = "triage-acuity";
    /** Largest difference allowed between Tribuo's and ONNX Runtime's probabilities. */
    public static final double PARITY_TOLERANCE = 1e-5;

    /** Tribuo logs every fit at INFO; the progress display says what is happening instead. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    /**
     * What a run produced.
     *
     * @param directory the new version directory
     * @param card the version card as written
     */
    public record Result(int version, Path directory, String selected, ObjectNode card) {
    }

    /**
     * One candidate's cross-validated results.
     *
     * @param parity the largest difference between Tribuo's and ONNX Runtime's probabilities on the
     *     held-out visits of every fold
     */
    private record Scored(Candidate candidate, double temperature, ConfusionMatrix confusion, double logLoss,
                          double parity) {
        boolean eligible() {
            return parity <= PARITY_TOLERANCE;
        }
    }

    /** Out-of-fold probabilities of one candidate, and how faithfully its ONNX export reproduced them. */
    private record OutOfFold(double[][] probabilities, double parity) {
    }

    private final TrainingConfig config;
    private final Path projectRoot;
    private final RedFlagRules rules;
    private final TriageEngine engine;

    private TriageAcuityPipeline(TrainingConfig config, Path projectRoot) {
        this.config = config;
        this.projectRoot = projectRoot;
        this.rules = RedFlagRules.standard();
        this.engine = new TriageEngine(rules);
    }

    /**
     * Runs the pipeline and publishes a new version.
     *
     * @param projectRoot where data paths of the configuration start, and the git checkout
     * @param repositoryRoot the model repository, e.g. {@code <root>/models/repository}
     */
    public static Result run(TrainingConfig config, Path projectRoot, Path repositoryRoot, Progress progress) {
        TRIBUO_LOG.setLevel(Level.WARNING);
        return new TriageAcuityPipeline(config, projectRoot.toAbsolutePath().normalize()).run(repositoryRoot, progress);
    }

    private Result run(Path repositoryRoot, Progress progress) {
        Path dataDir = config.data().directory(projectRoot);
        Path trainFile = dataDir.resolve(config.data().trainFile());
        Path testFile = dataDir.resolve(config.data().testFile());
        for (Path f : List.of(trainFile, testFile)) {
            if (!Files.isRegularFile(f)) {
                throw new TrainingException("data file " + f + " is missing; the KTAS data lives in "
                        + "../shared/datasets/ktas_triage_moon2019 beside the project (see its README)");
            }
        }
        KtasData train = KtasReader.read(trainFile);
        List<KtasVisit> notLocal = train.visits().stream().filter(v -> v.site() != KtasSite.LOCAL_ED).toList();
        if (!notLocal.isEmpty()) {
            throw new TrainingException(trainFile.getFileName() + " must hold only the training site (Group 1, local ED);"
                    + " row " + notLocal.getFirst().row() + " is from " + notLocal.getFirst().site());
        }
        List<TriageTable.Case> cases = train.visits().stream()
                .map(v -> new TriageTable.Case(v, engine.findings(v.encounter()))).toList();
        int[] levels = cases.stream().mapToInt(c -> c.visit().expertLevel()).toArray();
        String trainSha = Sha256.sha256(trainFile);

        List<Candidate> trained = config.candidates().stream().filter(c -> c.family() != Family.ENSEMBLE).toList();
        progress.start((long) config.folds() * config.candidates().size() + 3);
        Map<String, OutOfFold> outOfFold = crossValidate(cases, levels, trainSha, progress);
        List<Scored> scored = new ArrayList<>();
        for (Candidate c : config.candidates()) {
            scored.add(score(c, outOfFold.get(c.name()), levels));
        }
        Scored best = null;
        for (Scored s : scored) {
            if (!s.eligible()) {
                continue;
            }
            if (best == null) {
                best = s;
                continue;
            }
            double cost = s.confusion().meanCost(config.costs());
            double bestCost = best.confusion().meanCost(config.costs());
            if (cost < bestCost || (cost == bestCost
                    && s.confusion().quadraticWeightedKappa() > best.confusion().quadraticWeightedKappa())) {
                best = s;
            }
        }
        if (best == null) {
            throw new TrainingException("no candidate's ONNX export reproduces its probabilities to "
                    + PARITY_TOLERANCE + "; nothing can be published");
        }
        Candidate winner = best.candidate();

        TriageTable table = TriageTable.fit(cases, config, rules);
        MutableDataset<Label> dataset = table.dataset(cases, describe(train, trainSha));
        Model<Label> model = fit(winner, dataset, trained, Map.of());
        progress.step("fit " + winner.name());

        byte[] onnx = OnnxExport.export(model);
        TriageModelSpec spec = spec(model, table, best.temperature(), Candidates.linearInTheLogit(winner));
        double parity = parity(model, onnx, spec, table, cases);
        if (!(parity <= PARITY_TOLERANCE)) {
            throw new TrainingException("the exported ONNX model differs from the Tribuo model by " + parity
                    + " (more than " + PARITY_TOLERANCE + "); not published");
        }
        progress.step("export; ONNX Runtime agrees to " + String.format(Locale.ROOT, "%.1e", parity));

        ObjectNode card = card(winner, model, spec, onnx, scored, best, parity, table, train, trainSha,
                Sha256.sha256(testFile));
        ObjectNode modelCard = JsonNodeFactory.instance.objectNode();
        modelCard.put("name", MODEL_NAME);
        modelCard.put("task", OnnxTriageModel.TASK);
        modelCard.put("format", "onnx");
        Path dir = Publisher.publish(repositoryRoot, modelCard, OnnxTriageModel.ARTIFACT, onnx, card);
        progress.step("published version " + dir.getFileName());
        return new Result(Integer.parseInt(dir.getFileName().toString()), dir, winner.name(), card);
    }

    /**
     * Out-of-fold probabilities of every candidate (rows in visit order, level 1 first), with the
     * largest difference between them and ONNX Runtime running each fold's exported model.
     */
    private Map<String, OutOfFold> crossValidate(List<TriageTable.Case> cases, int[] levels, String trainSha,
                                                 Progress progress) {
        int[] classes = new int[levels.length];
        for (int i = 0; i < levels.length; i++) {
            classes[i] = levels[i] - 1;
        }
        int[] fold = StratifiedFolds.assign(classes, config.folds(), config.seed());
        Map<String, double[][]> outOfFold = new LinkedHashMap<>();
        Map<String, Double> parity = new LinkedHashMap<>();
        config.candidates().forEach(c -> {
            outOfFold.put(c.name(), new double[cases.size()][]);
            parity.put(c.name(), 0.0);
        });
        for (int f = 0; f < config.folds(); f++) {
            List<TriageTable.Case> fitCases = new ArrayList<>();
            List<Integer> heldOut = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                if (fold[i] == f) {
                    heldOut.add(i);
                } else {
                    fitCases.add(cases.get(i));
                }
            }
            TriageTable table = TriageTable.fit(fitCases, config, rules);
            MutableDataset<Label> dataset = table.dataset(fitCases, "KTAS training site " + trainSha
                    + ", cross-validation fold " + (f + 1) + " of " + config.folds() + " held out");
            Map<String, Model<Label>> models = new LinkedHashMap<>();
            for (Candidate c : config.candidates()) {
                Model<Label> model = fit(c, dataset, config.candidates(), models);
                models.put(c.name(), model);
                for (int i : heldOut) {
                    outOfFold.get(c.name())[i] = probabilities(model, table.example(cases.get(i)));
                }
                List<TriageTable.Case> held = heldOut.stream().map(cases::get).toList();
                double difference = parity(model, OnnxExport.export(model), spec(model, table, 1, false), table, held);
                parity.merge(c.name(), difference, Math::max);
                progress.step("cv " + c.name() + " " + (f + 1) + "/" + config.folds());
            }
        }
        Map<String, OutOfFold> out = new LinkedHashMap<>();
        outOfFold.forEach((name, p) -> out.put(name, new OutOfFold(p, parity.get(name))));
        return out;
    }

    /**
     * Fits one candidate; an ensemble averages its members, reusing members already fitted on the same
     * data ({@code fitted}) or fitting them now.
     */
    private Model<Label> fit(Candidate c, MutableDataset<Label> dataset, List<Candidate> all,
                             Map<String, Model<Label>> fitted) {
        if (c.family() != Family.ENSEMBLE) {
            return Candidates.trainer(c, config.seed()).train(dataset);
        }
        List<Model<Label>> members = new ArrayList<>();
        for (String m : c.members()) {
            Model<Label> member = fitted.get(m);
            if (member == null) {
                Candidate spec = all.stream().filter(x -> x.name().equals(m)).findFirst().orElseThrow();
                member = Candidates.trainer(spec, config.seed()).train(dataset);
            }
            members.add(member);
        }
        return Candidates.ensemble(c, members);
    }

    private Scored score(Candidate c, OutOfFold outOfFold, int[] levels) {
        double[][] probabilities = outOfFold.probabilities();
        double temperature = Temperature.fit(probabilities, levels);
        double[][] calibrated = Temperature.apply(probabilities, temperature);
        ConfusionMatrix confusion = new ConfusionMatrix();
        for (int i = 0; i < levels.length; i++) {
            confusion.add(TriageLevel.of(levels[i]), config.costs().decide(calibrated[i]));
        }
        return new Scored(c, temperature, confusion, Temperature.negativeLogLikelihood(probabilities, levels, temperature),
                outOfFold.parity());
    }

    /** Tribuo's probabilities for one example, level 1 first. */
    static double[] probabilities(Model<Label> model, Example<Label> example) {
        Prediction<Label> prediction = model.predict(example);
        Map<String, Label> scores = prediction.getOutputScores();
        double[] p = new double[TriageLevel.values().length];
        for (int l = 0; l < p.length; l++) {
            Label label = scores.get(Integer.toString(l + 1));
            if (label == null) {
                throw new TrainingException("the model gave no score for level " + (l + 1)
                        + "; every level must occur in the training data");
            }
            p[l] = label.getScore();
        }
        return p;
    }

    private TriageModelSpec spec(Model<Label> model, TriageTable table, double temperature, boolean linear) {
        ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
        List<Integer> columns = new ArrayList<>();
        for (int id = 0; id < outputs.size(); id++) {
            columns.add(Integer.parseInt(outputs.getOutput(id).getLabel()));
        }
        ImmutableFeatureMap featureMap = model.getFeatureIDMap();
        List<String> names = new ArrayList<>();
        for (int id = 0; id < featureMap.size(); id++) {
            names.add(featureMap.get(id).getName());
        }
        return new TriageModelSpec(OnnxExport.INPUT, OnnxExport.OUTPUT, columns,
                TriageFeatures.VERSION, names, table.features().vocabulary(),
                temperature, config.costs(), linear);
    }

    /** The largest difference between Tribuo's and ONNX Runtime's probabilities over {@code cases}. */
    private double parity(Model<Label> model, byte[] onnx, TriageModelSpec spec, TriageTable table,
                          List<TriageTable.Case> cases) {
        double worst = 0;
        try (OnnxTriageModel served = OnnxTriageModel.load(MODEL_NAME + "@candidate", onnx, spec, rules)) {
            for (TriageTable.Case c : cases) {
                double[] tribuo = probabilities(model, table.example(c));
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                for (int l = 0; l < tribuo.length; l++) {
                    worst = Math.max(worst, Math.abs(tribuo[l] - ort[l]));
                }
            }
        }
        return worst;
    }

    private ObjectNode card(Candidate winner, Model<Label> model, TriageModelSpec spec, byte[] onnx,
                            List<Scored> scored, Scored best, double parity, TriageTable table, KtasData train,
                            String trainSha, String testSha) {
        ObjectNode card = JsonNodeFactory.instance.objectNode();
        card.put("format", "onnx");
        ObjectNode artifact = card.putArray("artifacts").addObject();
        artifact.put("path", OnnxTriageModel.ARTIFACT);
        artifact.put("sha256", Sha256.sha256(onnx));
        card.put("task", OnnxTriageModel.TASK);
        card.put("description", "Predicts the KTAS level (1 most urgent to 5) an expert panel would assign at"
                + " emergency-department triage, from vital signs, mental state, pain, age, sex, arrival mode,"
                + " injury, red-flag rule hits and the chief complaint's words.");
        card.put("intended_use", "Decision support inside vclinic's triage engine, fused with the rule floors"
                + " (NEWS2, red flags, paediatric limits), so it can only make a case more urgent than the rules."
                + " Not a replacement for a clinician's triage; not validated for children under 16, for"
                + " pregnancy, or outside Korean emergency departments.");
        card.put("created_by", "./vclinic train triage-acuity");
        ObjectNode m = card.putObject("model");
        m.put("candidate", winner.name());
        m.put("family", winner.family().key());
        ObjectNode settings = m.putObject("settings");
        winner.settings().forEach((key, value) -> TrainingConfig.put(settings, key, value));
        winner.members().forEach(m.putArray("members")::add);
        m.put("tribuo_class", model.getClass().getName());
        m.put("onnx_domain", OnnxExport.DOMAIN);
        m.put("onnx_model_version", OnnxExport.MODEL_VERSION);
        spec.writeTo(card);
        ObjectNode features = (ObjectNode) card.get("features");
        table.excluded().forEach(features.putArray("excluded_by_config")::add);
        features.put("excluded_by_config_rationale", config.excluded().rationale());
        table.constant().forEach(features.putArray("constant_on_training_site_excluded")::add);
        ((ObjectNode) card.get("calibration")).put("fitted_on",
                "out-of-fold probabilities of the selected candidate on the training site");

        ObjectNode metrics = card.putObject("metrics");
        metrics.put("selection_criterion", "lowest mean cost per visit under the cost matrix, out-of-fold on the"
                + " training site (" + config.folds() + " folds stratified by expert level), decisions by minimum"
                + " expected cost after temperature calibration; ties: higher quadratic weighted kappa; only"
                + " candidates whose ONNX export reproduces their probabilities to " + PARITY_TOLERANCE);
        metrics.put("selected", winner.name());
        ObjectNode cv = metrics.putObject("cross_validation");
        for (Scored s : scored) {
            ConfusionMatrix c = s.confusion();
            ObjectNode o = cv.putObject(s.candidate().name());
            o.put("family", s.candidate().family().key());
            o.put("mean_cost", round(c.meanCost(config.costs())));
            o.put("accuracy", round(c.accuracy()));
            o.put("quadratic_weighted_kappa", round(c.quadraticWeightedKappa()));
            o.put("macro_f1", round(c.macroF1()));
            o.put("under_triage_rate", round(c.underTriageRate()));
            o.put("over_triage_rate", round(c.overTriageRate()));
            o.put("critical_under_triage", c.criticalUnderTriage());
            o.put("high_acuity_visits", c.highAcuity());
            o.put("log_loss", round(s.logLoss()));
            o.put("temperature", round(s.temperature()));
            o.put("onnx_parity_max_abs_difference", s.parity());
            o.put("eligible", s.eligible());
            if (!s.eligible()) {
                o.put("not_eligible_because", "its ONNX export does not reproduce its probabilities (difference "
                        + s.parity() + " > " + PARITY_TOLERANCE + "): the service would not run the model evaluated here");
            }
        }
        metrics.put("onnx_parity_max_abs_difference_training_site", parity);
        metrics.put("test_site", "not evaluated here: ./vclinic evaluate triage-acuity writes reports/triage-acuity/<version>/");

        ObjectNode data = card.putObject("data");
        data.put("source", "Moon S-H, Shim JL, Park K-S, Park C-S. Triage accuracy and causes of mistriage using the"
                + " Korean Triage and Acuity Scale. PLoS ONE 14(9): e0216972 (2019); CC BY 4.0");
        data.put("label", "KTAS_expert (expert panel); KTAS_RN (the nurse's level) is never a feature");
        data.put("never_read", String.join(", ", KtasReader.UNREAD_COLUMNS));
        data.put("split", "by site, as the files are: train = local ED (Group 1), test = regional ED (Group 2)");
        ObjectNode t = data.putObject("train");
        t.put("file", train.fileName());
        t.put("sha256", trainSha);
        t.put("rows", train.rows());
        t.put("visits", train.visits().size());
        ArrayNode problems = t.putArray("excluded_rows");
        for (KtasProblem p : train.problems()) {
            ObjectNode o = problems.addObject();
            o.put("row", p.row());
            o.put("column", p.column());
            o.put("reason", p.reason());
        }
        ObjectNode levelCounts = t.putObject("expert_levels");
        for (int l = 1; l <= 5; l++) {
            int level = l;
            levelCounts.put(Integer.toString(l), train.visits().stream().filter(v -> v.expertLevel() == level).count());
        }
        ObjectNode test = data.putObject("test");
        test.put("file", config.data().testFile());
        test.put("sha256", testSha);

        card.set("config", config.toJson());
        card.put("seed", config.seed());
        ObjectNode provenance = card.putObject("provenance");
        provenance.set("git", RunProvenance.git(projectRoot));
        provenance.set("libraries", RunProvenance.libraries(OrtEnvironment.getEnvironment().getVersion()));
        provenance.put("timestamps", "none: Tribuo's timestamps are replaced by \"" + RunProvenance.REMOVED_TIME
                + "\" and the ONNX file carries no provenance, so a rerun writes identical bytes");
        card.set("tribuo_provenance", RunProvenance.tribuoProvenance(model));
        return card;
    }

    private static String describe(KtasData train, String sha256) {
        return "KTAS training site (local ED), " + train.fileName() + " sha256 " + sha256 + ", "
                + train.visits().size() + " visits";
    }

    private static double round(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue() : v;
    }
}
