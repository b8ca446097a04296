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
import health.vclinic.inference.metrics.WilsonInterval;
import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.inference.CumulativeThresholds;
import health.vclinic.inference.TriageResult;
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
import java.util.Optional;
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
    /**
     * How much more mistriage (as a share of visits) the operating point may accept than the lowest
     * reachable under the critical bound, to buy less over-triage.
     */
    public static final double MISTRIAGE_TOLERANCE = 0.01;

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
                          double parity, int bestMistriage, Optional<OperatingPoint.Chosen> point,
                          double[][] calibrated) {
        boolean eligible() {
            return parity <= PARITY_TOLERANCE && point.isPresent();
        }
    }

    /** Out-of-fold probabilities of one candidate, and how faithfully its ONNX export reproduced them. */
    private record OutOfFold(double[][] probabilities, double parity) {
    }

    /** A fitted candidate of any family, as the pipeline needs it: probabilities, ONNX, input order. */
    private interface Fitted {
        double[] probabilities(TriageTable table, TriageTable.Row c);

        byte[] onnx();

        /** The model's features in ONNX input order. */
        List<String> featureNames();

        /** The level of each output column. */
        List<Integer> columns();

        String implementation();

        Optional<Model<Label>> tribuo();
    }

    private record TribuoFitted(Model<Label> model) implements Fitted {
        @Override
        public double[] probabilities(TriageTable table, TriageTable.Row c) {
            return TriageAcuityPipeline.probabilities(model, table.example(c));
        }

        @Override
        public byte[] onnx() {
            return OnnxExport.export(model);
        }

        @Override
        public List<String> featureNames() {
            ImmutableFeatureMap featureMap = model.getFeatureIDMap();
            List<String> names = new ArrayList<>();
            for (int id = 0; id < featureMap.size(); id++) {
                names.add(featureMap.get(id).getName());
            }
            return names;
        }

        @Override
        public List<Integer> columns() {
            ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
            List<Integer> columns = new ArrayList<>();
            for (int id = 0; id < outputs.size(); id++) {
                columns.add(Integer.parseInt(outputs.getOutput(id).getLabel()));
            }
            return columns;
        }

        @Override
        public String implementation() {
            return model.getClass().getName();
        }

        @Override
        public Optional<Model<Label>> tribuo() {
            return Optional.of(model);
        }
    }

    /**
     * A model this pipeline fits and exports itself (the ordinal families), over the table's used
     * features in order.
     *
     * @param model an {@link OrdinalLogit}, an {@link OrdinalChain} or a {@link SmallNetwork}
     */
    private record OwnFitted(Object model, java.util.function.Function<double[], double[]> predict,
                             java.util.function.Supplier<byte[]> export, List<String> featureNames) implements Fitted {
        static OwnFitted of(OrdinalLogit m, List<String> names) {
            return new OwnFitted(m, m::probabilities, m::toOnnx, names);
        }

        static OwnFitted of(OrdinalChain m, List<String> names) {
            return new OwnFitted(m, m::probabilities, m::toOnnx, names);
        }

        static OwnFitted of(SmallNetwork m, List<String> names) {
            return new OwnFitted(m, m::probabilities, m::toOnnx, names);
        }

        @Override
        public double[] probabilities(TriageTable table, TriageTable.Row c) {
            return predict.apply(table.row(c));
        }

        @Override
        public byte[] onnx() {
            return export.get();
        }

        @Override
        public List<Integer> columns() {
            return List.of(1, 2, 3, 4, 5);
        }

        @Override
        public String implementation() {
            return model.getClass().getName();
        }

        @Override
        public Optional<Model<Label>> tribuo() {
            return Optional.empty();
        }
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
        return run(config, projectRoot, repositoryRoot, Optional.empty(), progress);
    }

    /**
     * Runs the pipeline with clinicians' reviewed cases added to the training data ({@link ReviewedCases}).
     *
     * @param reviews a file of {@code ./vclinic admin export reviews}; never the database
     */
    public static Result run(TrainingConfig config, Path projectRoot, Path repositoryRoot, Optional<Path> reviews,
                             Progress progress) {
        TRIBUO_LOG.setLevel(Level.WARNING);
        TriageAcuityPipeline pipeline = new TriageAcuityPipeline(config, projectRoot.toAbsolutePath().normalize());
        Optional<ReviewedCases> reviewed = reviews.map(f -> ReviewedCases.read(f, pipeline.engine, config.reviews()));
        return pipeline.run(repositoryRoot, reviewed, progress);
    }

    private Result run(Path repositoryRoot, Optional<ReviewedCases> reviewed, Progress progress) {
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
        List<TriageResult> ruled = cases.stream().map(c -> engine.assess(c.visit().encounter())).toList();
        int[] floor = ruled.stream().mapToInt(r -> r.level().level()).toArray();
        ConfusionMatrix nurses = new ConfusionMatrix();
        cases.forEach(c -> nurses.add(c.visit().expertLevel(), c.visit().nurseLevel()));
        double allowedRate = allowedRate(config.critical(), nurses.criticalUnderTriage(), nurses.highAcuity());
        int criticalBound = criticalBound(allowedRate, nurses.highAcuity());
        int tolerance = (int) Math.ceil(MISTRIAGE_TOLERANCE * cases.size());
        String trainSha = Sha256.sha256(trainFile);

        List<TriageTable.Reviewed> added = reviewed.map(ReviewedCases::rows).orElse(List.of());
        progress.start((long) config.folds() * config.candidates().size() + 3);
        Map<String, OutOfFold> outOfFold = crossValidate(cases, added, levels, trainSha, progress);
        List<Scored> scored = new ArrayList<>();
        for (Candidate c : config.candidates()) {
            scored.add(score(c, outOfFold.get(c.name()), levels, floor, criticalBound, tolerance));
        }
        int bestMistriage = scored.stream().filter(x -> x.parity() <= PARITY_TOLERANCE)
                .mapToInt(Scored::bestMistriage).min().orElse(Integer.MAX_VALUE);
        Scored best = null;
        for (Scored x : scored) {
            if (!x.eligible() || x.bestMistriage() > bestMistriage + tolerance) {
                continue;
            }
            if (best == null || better(x.point().orElseThrow().confusion(), best.point().orElseThrow().confusion())) {
                best = x;
            }
        }
        if (best == null) {
            throw new TrainingException("no candidate both reproduces its probabilities in ONNX to "
                    + PARITY_TOLERANCE + " and meets the critical under-triage bound; nothing can be published");
        }
        Candidate winner = best.candidate();
        CumulativeThresholds thresholds = best.point().orElseThrow().thresholds();

        List<TriageTable.Row> all = new ArrayList<>(cases.stream().filter(this::fitted).toList());
        all.addAll(added);
        TriageTable table = TriageTable.fit(all, config, rules);
        Fitted model = fit(winner, table, all, describe(train, trainSha, reviewed), Map.of());
        progress.step("fit " + winner.name());

        byte[] onnx = model.onnx();
        TriageModelSpec spec = spec(model, table, best.temperature(), Candidates.linearInTheLogit(winner),
                Optional.of(thresholds));
        double parity = parity(model, onnx, spec, table, cases);
        if (!(parity <= PARITY_TOLERANCE)) {
            throw new TrainingException("the exported ONNX model differs from the fitted model by " + parity
                    + " (more than " + PARITY_TOLERANCE + "); not published");
        }
        progress.step("export; ONNX Runtime agrees to " + String.format(Locale.ROOT, "%.1e", parity));

        ObjectNode audit = FloorAudit.audit(levels, best.calibrated(), thresholds, ruled);
        ObjectNode card = card(winner, model, spec, onnx, scored, best, parity, table, train, trainSha,
                Sha256.sha256(testFile), nurses, criticalBound, tolerance, bestMistriage, audit);
        reviewed.ifPresent(r -> ((ObjectNode) card.get("data")).set("reviews", r.provenance()));
        ObjectNode modelCard = JsonNodeFactory.instance.objectNode();
        modelCard.put("name", MODEL_NAME);
        modelCard.put("task", OnnxTriageModel.TASK);
        modelCard.put("format", "onnx");
        Path dir = Publisher.publish(repositoryRoot, modelCard, OnnxTriageModel.ARTIFACT, onnx, card);
        progress.step("published version " + dir.getFileName());
        return new Result(Integer.parseInt(dir.getFileName().toString()), dir, winner.name(), card);
    }

    /**
     * The most critical under-triage (visits, out of fold) the operating point may have: the largest
     * count {@code b} whose out-of-sample rate {@code (b + 1) / (n + 1)} is at most {@code rate} on
     * {@code n} high-acuity visits. The thresholds are chosen on these very visits, so the {@code b}
     * they miss understate what new visits see; the rank argument of split conformal prediction (Vovk,
     * Gammerman and Shafer, "Algorithmic Learning in a Random World", 2005; Angelopoulos and Bates, "A
     * Gentle Introduction to Conformal Prediction", 2021) bounds it: a cut placed below the (b + 1)-th
     * lowest score of n exchangeable cases misses a new case with probability at most (b + 1) / (n + 1).
     * (Approximately here: the miss set depends mainly, not only, on the level-3 threshold; and a new
     * site is not exchangeable with the training site.) 0 when even 0 exceeds the rate.
     *
     * <p>It replaces a one-sided 95% Wilson bound, which with 86 high-acuity visits allowed no miss at
     * all and so tuned the level-3 threshold to the single hardest emergency of the site, sending almost
     * every visit with normal vital signs to level 3. The Wilson intervals of the chosen point and of the
     * nurses are still reported.
     *
     * @param rate the highest expected rate allowed ({@link #allowedRate})
     */
    static int criticalBound(double rate, long highAcuity) {
        int bound = 0;
        for (int b = 0; b <= highAcuity; b++) {
            if ((b + 1) <= rate * (highAcuity + 1) + 1e-12) {
                bound = b;
            }
        }
        return bound;
    }

    /** The lower of the configured target rate and the nurses' own rate on the training site. */
    static double allowedRate(TrainingConfig.CriticalUnderTriage target, long nursesCritical, long highAcuity) {
        return Math.min(target.targetRate(), (double) nursesCritical / highAcuity);
    }

    /**
     * Whether a training visit is fitted: always when the configuration says so, else only when its heart
     * rate, respiratory rate and systolic pressure were measured ({@link TrainingConfig.UnmeasuredVisits}).
     * Every visit is scored either way.
     */
    private boolean fitted(TriageTable.Case c) {
        var v = c.visit().encounter().vitals();
        return config.unmeasured().fitted()
                || v.heartRate().isPresent() && v.respiratoryRate().isPresent() && v.systolicBp().isPresent();
    }

    /** z for a one-sided 95% bound. */
    static final double ONE_SIDED_95 = 1.6448536269514722;

    static double wilsonUpper(long k, long n, double z) {
        return Math.min(1, WilsonInterval.of(k, n, z).high());
    }

    /** Less over-triage; ties: more exact agreement; then the earlier candidate. */
    private static boolean better(ConfusionMatrix a, ConfusionMatrix b) {
        if (a.overTriageRate() != b.overTriageRate()) {
            return a.overTriageRate() < b.overTriageRate();
        }
        return a.accuracy() > b.accuracy();
    }

    /**
     * Out-of-fold probabilities of every candidate (rows in visit order, level 1 first), with the
     * largest difference between them and ONNX Runtime running each fold's exported model.
     */
    private Map<String, OutOfFold> crossValidate(List<TriageTable.Case> cases, List<TriageTable.Reviewed> reviewed,
                                                 int[] levels, String trainSha, Progress progress) {
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
            List<TriageTable.Row> fitCases = new ArrayList<>();
            List<Integer> heldOut = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                if (fold[i] == f) {
                    heldOut.add(i);
                } else if (fitted(cases.get(i))) {
                    fitCases.add(cases.get(i));
                }
            }
            // Reviewed cases join every fold's fit and are never held out: the scores stay the KTAS site's.
            fitCases.addAll(reviewed);
            TriageTable table = TriageTable.fit(fitCases, config, rules);
            String description = "KTAS training site " + trainSha + ", cross-validation fold " + (f + 1) + " of "
                    + config.folds() + " held out";
            Map<String, Fitted> models = new LinkedHashMap<>();
            for (Candidate c : config.candidates()) {
                Fitted model = fit(c, table, fitCases, description, models);
                models.put(c.name(), model);
                for (int i : heldOut) {
                    outOfFold.get(c.name())[i] = model.probabilities(table, cases.get(i));
                }
                List<TriageTable.Case> held = heldOut.stream().map(cases::get).toList();
                double difference = parity(model, model.onnx(), spec(model, table, 1, false, Optional.empty()), table, held);
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
    private Fitted fit(Candidate c, TriageTable table, List<? extends TriageTable.Row> cases, String description,
                       Map<String, Fitted> fitted) {
        if (c.family() == Family.ORDINAL_LOGIT || c.family() == Family.ORDINAL_CHAIN) {
            double[][] x = cases.stream().map(table::row).toArray(double[][]::new);
            int[] y = cases.stream().mapToInt(TriageTable.Row::level).toArray();
            double[] w = cases.stream().mapToDouble(TriageTable.Row::weight).toArray();
            return c.family() == Family.ORDINAL_LOGIT
                    ? OwnFitted.of(OrdinalLogit.fit(x, y, w, c.setting("l2"), c.intSetting("max-iterations")), table.used())
                    : OwnFitted.of(OrdinalChain.fit(x, y, w, c.setting("l2"), c.intSetting("max-iterations")), table.used());
        }
        if (c.family() == Family.SMALL_NETWORK) {
            double[][] x = cases.stream().map(table::row).toArray(double[][]::new);
            int[] y = cases.stream().mapToInt(TriageTable.Row::level).toArray();
            double[] w = cases.stream().mapToDouble(TriageTable.Row::weight).toArray();
            return OwnFitted.of(SmallNetwork.fit(x, y, w, c.intSetting("hidden"), c.setting("l2"),
                    c.intSetting("max-iterations"), config.seed()), table.used());
        }
        if (c.family() != Family.ENSEMBLE) {
            org.tribuo.Trainer<Label> trainer = Candidates.trainer(c, config.seed());
            return new TribuoFitted(trainer.train(table.dataset(cases, description,
                    trainer instanceof org.tribuo.WeightedExamples)));
        }
        List<Model<Label>> members = new ArrayList<>();
        for (String m : c.members()) {
            Fitted member = fitted.get(m);
            if (member == null) {
                Candidate spec = config.candidates().stream().filter(x -> x.name().equals(m)).findFirst().orElseThrow();
                member = fit(spec, table, cases, description, fitted);
            }
            members.add(member.tribuo().orElseThrow(() -> new TrainingException(
                    "ensemble " + c.name() + ": member " + m + " is not a Tribuo model")));
        }
        return new TribuoFitted(Candidates.ensemble(c, members));
    }

    private Scored score(Candidate c, OutOfFold outOfFold, int[] levels, int[] floor, int criticalBound,
                         int tolerance) {
        double[][] probabilities = outOfFold.probabilities();
        // The ordinal model is calibrated by its own likelihood; a temperature would break the
        // cumulative-logit form its exact explanations rest on.
        double temperature = c.family() == Family.ORDINAL_LOGIT || c.family() == Family.ORDINAL_CHAIN ? 1
                : Temperature.fit(probabilities, levels);
        double[][] calibrated = Temperature.apply(probabilities, temperature);
        OperatingPoint points = new OperatingPoint(calibrated, levels, floor);
        int bestMistriage = points.bestMistriage(criticalBound);
        Optional<OperatingPoint.Chosen> point = bestMistriage == Integer.MAX_VALUE ? Optional.empty()
                : points.leastOverTriage(criticalBound, bestMistriage + tolerance);
        ConfusionMatrix confusion = point.map(OperatingPoint.Chosen::confusion).orElseGet(ConfusionMatrix::new);
        return new Scored(c, temperature, confusion, Temperature.negativeLogLikelihood(probabilities, levels, temperature),
                outOfFold.parity(), bestMistriage, point, calibrated);
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

    private TriageModelSpec spec(Fitted model, TriageTable table, double temperature, boolean linear,
                                 Optional<CumulativeThresholds> thresholds) {
        return new TriageModelSpec(OnnxExport.INPUT, OnnxExport.OUTPUT, model.columns(),
                TriageFeatures.VERSION, model.featureNames(), table.features().vocabulary(),
                temperature, config.costs(), linear, thresholds);
    }

    /** The largest difference between the fitted model's and ONNX Runtime's probabilities over {@code cases}. */
    private double parity(Fitted model, byte[] onnx, TriageModelSpec spec, TriageTable table,
                          List<TriageTable.Case> cases) {
        double worst = 0;
        try (OnnxTriageModel served = OnnxTriageModel.load(MODEL_NAME + "@candidate", onnx, spec, rules)) {
            for (TriageTable.Case c : cases) {
                double[] fitted = model.probabilities(table, c);
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                for (int l = 0; l < fitted.length; l++) {
                    worst = Math.max(worst, Math.abs(fitted[l] - ort[l]));
                }
            }
        }
        return worst;
    }

    private ObjectNode card(Candidate winner, Fitted model, TriageModelSpec spec, byte[] onnx,
                            List<Scored> scored, Scored best, double parity, TriageTable table, KtasData train,
                            String trainSha, String testSha, ConfusionMatrix nurses, int criticalBound,
                            int tolerance, int bestMistriage, ObjectNode audit) {
        ObjectNode card = JsonNodeFactory.instance.objectNode();
        card.put("format", "onnx");
        ObjectNode artifact = card.putArray("artifacts").addObject();
        artifact.put("path", OnnxTriageModel.ARTIFACT);
        artifact.put("sha256", Sha256.sha256(onnx));
        card.put("task", OnnxTriageModel.TASK);
        card.put("description", "Predicts the KTAS level (1 most urgent to 5) an expert panel would assign at"
                + " emergency-department triage, from vital signs, mental state, pain, age, sex, injury, red-flag"
                + " rule hits and the chief complaint's current (not negated, not historical) words and complaint"
                + " groups. Arrival mode is not used: a virtual clinic never knows it.");
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
        m.put("implementation", model.implementation());
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
        metrics.put("selection_criterion", "out-of-fold on the training site (" + config.folds() + " folds"
                + " stratified by expert level), each candidate at its own operating point (cumulative thresholds,"
                + " fused with the rule floors): critical under-triage at most " + criticalBound + " visits (so that its"
                + " out-of-sample rate (" + criticalBound + " + 1) / (" + nurses.highAcuity() + " + 1) is at most "
                + round(allowedRate(config.critical(), nurses.criticalUnderTriage(), nurses.highAcuity()))
                + ", the lower of the configured target and the nurses' " + nurses.criticalUnderTriage() + " of "
                + nurses.highAcuity() + "); mistriage within " + tolerance + " visits (" + MISTRIAGE_TOLERANCE * 100
                + "%) of the lowest any candidate reaches under that bound (" + bestMistriage + "); then the least"
                + " over-triage; ties: more exact agreement. Only candidates whose ONNX export reproduces their"
                + " probabilities to " + PARITY_TOLERANCE);
        metrics.put("selected", winner.name());
        ObjectNode op = metrics.putObject("operating_point");
        ConfusionMatrix chosen = best.confusion();
        op.put("rule", "decide the most urgent level k whose P(level <= k) reaches thresholds[k - 1], else 5;"
                + " then the most urgent of that and every rule floor");
        spec.thresholds().orElseThrow().thresholds().forEach(op.putArray("thresholds")::add);
        op.put("constraint", "critical under-triage (expert 1-2 decided 4-5), out of fold, at most " + criticalBound
                + " visits: the largest count b whose out-of-sample rate (b + 1) / (n + 1) (the rank bound of split"
                + " conformal prediction, for thresholds chosen on the same n visits) is at most the allowed rate, the"
                + " lower of config critical-under-triage.target-rate and the nurses' rate on the same visits ("
                + nurses.criticalUnderTriage() + " of " + nurses.highAcuity() + ")");
        op.put("allowed_rate", round(allowedRate(config.critical(), nurses.criticalUnderTriage(), nurses.highAcuity())));
        op.put("critical_bound_visits", criticalBound);
        op.put("out_of_sample_critical_rate_bound", round((criticalBound + 1.0) / (nurses.highAcuity() + 1.0)));
        op.put("nurses_critical_under_triage_rate", round((double) nurses.criticalUnderTriage() / nurses.highAcuity()));
        op.put("one_sided_95_upper_bound_of_cv_rate", round(wilsonUpper(chosen.criticalUnderTriage(), chosen.highAcuity(), ONE_SIDED_95)));
        op.put("nurses_critical_under_triage", nurses.criticalUnderTriage());
        op.put("high_acuity_visits", nurses.highAcuity());
        putInterval(op.putObject("nurses_critical_under_triage_rate_wilson95"), nurses.criticalUnderTriage(), nurses.highAcuity());
        op.put("cv_critical_under_triage", chosen.criticalUnderTriage());
        putInterval(op.putObject("cv_critical_under_triage_rate_wilson95"), chosen.criticalUnderTriage(), chosen.highAcuity());
        op.put("cv_over_triage_rate", round(chosen.overTriageRate()));
        op.put("cv_under_triage_rate", round(chosen.underTriageRate()));
        op.put("cv_accuracy", round(chosen.accuracy()));
        op.put("cv_quadratic_weighted_kappa", round(chosen.quadraticWeightedKappa()));
        op.put("caveat", "the thresholds are chosen on the same out-of-fold probabilities they are scored on, so these"
                + " figures are optimistic; the test site (./vclinic evaluate triage-acuity) is the honest estimate");
        ObjectNode nurseRow = metrics.putObject("nurses_on_training_site");
        nurseRow.put("accuracy", round(nurses.accuracy()));
        nurseRow.put("quadratic_weighted_kappa", round(nurses.quadraticWeightedKappa()));
        nurseRow.put("over_triage_rate", round(nurses.overTriageRate()));
        nurseRow.put("under_triage_rate", round(nurses.underTriageRate()));
        nurseRow.put("critical_under_triage", nurses.criticalUnderTriage());
        metrics.set("floor_audit", audit);
        ObjectNode cv = metrics.putObject("cross_validation");
        for (Scored s : scored) {
            ConfusionMatrix c = s.confusion();
            ObjectNode o = cv.putObject(s.candidate().name());
            o.put("family", s.candidate().family().key());
            s.point().ifPresent(p -> p.thresholds().thresholds().forEach(o.putArray("thresholds")::add));
            o.put("best_mistriage_visits", s.bestMistriage() == Integer.MAX_VALUE ? -1 : s.bestMistriage());
            if (s.point().isPresent()) {
                o.put("mean_cost", round(c.meanCost(config.costs())));
                o.put("accuracy", round(c.accuracy()));
                o.put("quadratic_weighted_kappa", round(c.quadraticWeightedKappa()));
                o.put("macro_f1", round(c.macroF1()));
                o.put("under_triage_rate", round(c.underTriageRate()));
                o.put("over_triage_rate", round(c.overTriageRate()));
                o.put("critical_under_triage", c.criticalUnderTriage());
                o.put("high_acuity_visits", c.highAcuity());
            }
            o.put("log_loss", round(s.logLoss()));
            o.put("temperature", round(s.temperature()));
            o.put("onnx_parity_max_abs_difference", s.parity());
            o.put("eligible", s.eligible());
            if (s.parity() > PARITY_TOLERANCE) {
                o.put("not_eligible_because", "its ONNX export does not reproduce its probabilities (difference "
                        + s.parity() + " > " + PARITY_TOLERANCE + "): the service would not run the model evaluated here");
            } else if (s.point().isEmpty()) {
                o.put("not_eligible_because", "no operating point meets the critical under-triage bound");
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
        t.put("visits_fitted", train.visits().stream().filter(v -> fitted(new TriageTable.Case(v, engine.findings(v.encounter()))))
                .count());
        t.put("visits_scored", train.visits().size());
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
        model.tribuo().ifPresent(tribuo -> card.set("tribuo_provenance", RunProvenance.tribuoProvenance(tribuo)));
        if (model instanceof OwnFitted own && own.model() instanceof OrdinalLogit ordinal) {
            ObjectNode parameters = m.putObject("parameters");
            ArrayNode weights = parameters.putArray("weights_towards_more_urgent");
            double[] w = ordinal.weights();
            for (int j = 0; j < w.length; j++) {
                weights.addObject().put("feature", own.featureNames().get(j)).put("weight", round(w[j]));
            }
            double[] cuts = ordinal.cuts();
            ArrayNode c = parameters.putArray("cut_points");
            for (double x : cuts) {
                c.add(round(x));
            }
        }
        if (model instanceof OwnFitted own && own.model() instanceof OrdinalChain chain) {
            ArrayNode cutPoints = m.putObject("parameters").putArray("cut_points");
            double[][] w = chain.weights();
            double[] b = chain.intercepts();
            for (int k = 0; k < w.length; k++) {
                ObjectNode cut = cutPoints.addObject();
                cut.put("question", "level <= " + (k + 1));
                cut.put("intercept", round(b[k]));
                ObjectNode weights = cut.putObject("weights");
                for (int j = 0; j < w[k].length; j++) {
                    weights.put(own.featureNames().get(j), round(w[k][j]));
                }
            }
        }
        return card;
    }

    /** Wilson score 95% interval for k of n (Wilson, JASA 1927). */
    static void putInterval(ObjectNode o, long k, long n) {
        WilsonInterval w = WilsonInterval.of(k, n, 1.959963984540054);
        o.put("rate", round(n == 0 ? 0 : w.proportion()));
        o.put("low", round(Math.max(0, w.low())));
        o.put("high", round(Math.min(1, w.high())));
    }

    private static String describe(KtasData train, String sha256, Optional<ReviewedCases> reviewed) {
        return "KTAS training site (local ED), " + train.fileName() + " sha256 " + sha256 + ", "
                + train.visits().size() + " visits" + reviewed.map(r -> "; " + r.describe()).orElse("");
    }

    private static double round(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue() : v;
    }
}
