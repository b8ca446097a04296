package health.vclinic.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.ktas.KtasData;
import health.vclinic.datasets.ktas.KtasProblem;
import health.vclinic.datasets.ktas.KtasReader;
import health.vclinic.datasets.ktas.KtasSite;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.metrics.Auroc;
import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.inference.CostMatrix;
import health.vclinic.inference.ModelOpinion;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.TriageResult;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ModelRepositoryException;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntPredicate;

/**
 * Evaluates a version of {@code triage-acuity} on the KTAS test site (the regional ED, never seen in
 * training: an external-site validation) against the expert panel's level, side by side with three
 * other ways of triaging the same visits:
 *
 * <ul>
 *   <li><b>nurses</b>: the triage nurse's own level ({@code KTAS_RN});</li>
 *   <li><b>rules</b>: the service with no model (NEWS2, red flags, pain and incomplete-data floors);</li>
 *   <li><b>model</b>: the model's own level (minimum expected cost), before fusion;</li>
 *   <li><b>fused</b>: what the service answers with the model: the most urgent of the model and the
 *       rule floors.</li>
 * </ul>
 *
 * <p>Each of these is reported without arrival mode (the headline: a virtual clinic never knows it) and
 * with it, and so is every earlier version of the model, run with today's rules, so a new version is
 * compared with all it replaces.
 *
 * <p>It writes {@code reports/triage-acuity/<version>/metrics.json} and {@code report.html}. Every
 * number is a pure function of the model, the test file and the bootstrap seed; nothing in the report
 * depends on when it was made.
 */
public final class TriageEvaluation {

    public static final String MODEL_NAME = "triage-acuity";
    /** Bootstrap resamples for the AUROC intervals. */
    public static final int RESAMPLES = 2000;
    /** Seeds the bootstrap, so reruns give the same intervals. */
    public static final long BOOTSTRAP_SEED = 20190917L;
    /** Reliability diagram bins. */
    public static final int BINS = 10;

    /** The report directory relative to the project root. */
    public static final Path REPORTS = Path.of("reports", MODEL_NAME);

    /**
     * What one evaluation wrote.
     *
     * @param metrics the contents of metrics.json
     */
    public record Result(String modelId, Path directory, ObjectNode metrics) {
    }

    /** One way of deciding the level of every test visit. */
    record Predictor(String key, String name, String how, int[] levels, double[] highAcuityScore,
                     Optional<double[][]> probabilities) {
    }

    private TriageEvaluation() {
    }

    /**
     * Evaluates a version (the served one when {@code version} is empty) and writes its report.
     *
     * @param projectRoot holds models/repository and reports/, and is where the card's data directory
     *     starts
     * @throws EvaluationException when the model, its card or the test data is not usable
     */
    public static Result run(Path projectRoot, OptionalInt version) {
        return run(projectRoot, version, projectRoot);
    }

    /**
     * As {@link #run(Path, OptionalInt)}, writing {@code reports/} under {@code outputRoot} instead.
     */
    public static Result run(Path projectRoot, OptionalInt version, Path outputRoot) {
        return run(projectRoot, version, outputRoot, Optional.empty());
    }

    /**
     * As {@link #run(Path, OptionalInt, Path)}, with a section on clinicians' reviews when {@code reviews}
     * names a file of {@code ./vclinic admin export reviews} ({@link ReviewEvaluation}).
     */
    public static Result run(Path projectRoot, OptionalInt version, Path outputRoot, Optional<Path> reviews) {
        Path root = projectRoot.toAbsolutePath().normalize();
        Optional<health.vclinic.datasets.reviews.ReviewExportFile.Export> reviewed = reviews.map(ReviewEvaluation::read);
        ResolvedModel resolved;
        try {
            ModelRepository repository = ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT));
            resolved = version.isPresent() ? repository.resolve(MODEL_NAME, version.getAsInt())
                    : repository.resolve(MODEL_NAME);
        } catch (ModelRepositoryException e) {
            throw new EvaluationException(e.getMessage() + "; train one with ./vclinic train " + MODEL_NAME, e);
        }
        JsonNode card = resolved.card().json();
        KtasData test = testData(root, card);
        List<ResolvedModel> previous = new ArrayList<>();
        for (int v = 1; v < resolved.version(); v++) {
            try {
                previous.add(ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)).resolve(MODEL_NAME, v));
            } catch (ModelRepositoryException e) {
                // A version removed or never published: compared with the others only.
            }
        }
        Evaluated evaluated = evaluate(resolved, previous, card, test);
        ObjectNode metrics = metrics(resolved, card, test, evaluated);
        if (reviewed.isPresent()) {
            RedFlagRules rules = RedFlagRules.standard();
            try (OnnxTriageModel model = OnnxTriageModel.load(resolved, rules)) {
                metrics.set("reviews", ReviewEvaluation.metrics(reviews.orElseThrow(), reviewed.get(), model,
                        new TriageEngine(rules), card));
            }
            nullForNaN(metrics);
        }
        Path dir = outputRoot.toAbsolutePath().normalize().resolve(REPORTS).resolve(Integer.toString(resolved.version()));
        Report.write(dir, metrics, card, evaluated);
        return new Result(resolved.id(), dir, metrics);
    }

    /** The test file the card names, checked against the sha256 the card recorded at training. */
    private static KtasData testData(Path root, JsonNode card) {
        String directory = card.at("/config/data/directory").asText("");
        String file = card.at("/data/test/file").asText("");
        String sha256 = card.at("/data/test/sha256").asText("");
        if (directory.isEmpty() || file.isEmpty() || sha256.isEmpty()) {
            throw new EvaluationException("the model card does not name its test data (config.data.directory,"
                    + " data.test.file, data.test.sha256); retrain with ./vclinic train " + MODEL_NAME);
        }
        Path path = root.resolve(directory).normalize().resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new EvaluationException("test data " + path + " is missing; the KTAS data lives in"
                    + " ../shared/datasets/ktas_triage_moon2019 beside the project");
        }
        String actual = Sha256.sha256(path);
        if (!actual.equals(sha256)) {
            throw new EvaluationException("test data " + path + " has sha256 " + actual + " but the model card"
                    + " recorded " + sha256 + "; evaluate on the data the card names");
        }
        KtasData data = KtasReader.read(path);
        if (data.visits().stream().anyMatch(v -> v.site() != KtasSite.REGIONAL_ED)) {
            throw new EvaluationException(file + " must hold only the test site (Group 2, regional ED)");
        }
        return data;
    }

    /** The predictors on every test visit, and example explanations. */
    record Evaluated(List<KtasVisit> visits, List<Predictor> predictors, int modelRaisedAboveRules,
                     List<Map<String, Object>> examples, ObjectNode priorShift) {
        int[] expert() {
            return visits.stream().mapToInt(KtasVisit::expertLevel).toArray();
        }
    }

    /** One model's answers on every visit, with and without arrival mode. */
    private record Answers(int[] model, int[] fused, int[] fusedWithArrival, double[][] p, double[] p12,
                           double[] p12WithArrival, int raised) {
    }

    /**
     * The visit as a virtual clinic would send it: everything but arrival mode, which it never knows
     * (whether the patient came by ambulance).
     */
    static Encounter withoutArrivalMode(Encounter e) {
        Interview i = e.interview();
        Map<String, String> answers = new LinkedHashMap<>(i.answers());
        answers.remove(Interview.ARRIVAL_MODE_ANSWER);
        return new Encounter(e.encounterId(), e.patient(), e.vitals(),
                new Interview(i.chiefComplaint(), i.painScore(), i.symptomOnsetHours(), i.phq9(), i.gad7(), answers),
                e.chestXray());
    }

    private static Answers answers(OnnxTriageModel model, RedFlagRules rules, List<KtasVisit> visits,
                                   List<Map<String, Object>> examples) {
        int n = visits.size();
        int[] modelLevel = new int[n];
        int[] fusedLevel = new int[n];
        int[] fusedWithArrival = new int[n];
        double[][] p = new double[n][];
        double[] p12 = new double[n];
        double[] p12WithArrival = new double[n];
        int raised = 0;
        TriageEngine rulesOnly = new TriageEngine(rules);
        TriageEngine fused = new TriageEngine(rules, Optional.of(model));
        for (int i = 0; i < n; i++) {
            KtasVisit v = visits.get(i);
            Encounter virtual = withoutArrivalMode(v.encounter());
            RuleFindings findings = rulesOnly.findings(virtual);
            ModelOpinion opinion = model.predict(virtual, findings);
            TriageResult withModel = fused.assess(virtual);
            TriageResult arrival = fused.assess(v.encounter());
            modelLevel[i] = opinion.level().level();
            fusedLevel[i] = withModel.level().level();
            fusedWithArrival[i] = arrival.level().level();
            p[i] = opinion.levelProbabilities().stream().mapToDouble(Double::doubleValue).toArray();
            p12[i] = p[i][0] + p[i][1];
            p12WithArrival[i] = arrival.levelProbabilities().get(0) + arrival.levelProbabilities().get(1);
            if (withModel.decision().decidedBy().equals(opinion.source())) {
                raised++;
            }
            if (examples != null && examples.size() < 3 && v.expertLevel() == 1 + 2 * examples.size()) {
                examples.add(example(v, opinion, rulesOnly.assess(virtual), withModel));
            }
        }
        return new Answers(modelLevel, fusedLevel, fusedWithArrival, p, p12, p12WithArrival, raised);
    }

    private static Evaluated evaluate(ResolvedModel resolved, List<ResolvedModel> previous, JsonNode card,
                                      KtasData test) {
        RedFlagRules rules = RedFlagRules.standard();
        List<KtasVisit> visits = test.visits();
        int n = visits.size();
        int[] nurse = new int[n];
        int[] rulesLevel = new int[n];
        TriageEngine rulesOnly = new TriageEngine(rules);
        for (int i = 0; i < n; i++) {
            nurse[i] = visits.get(i).nurseLevel();
            rulesLevel[i] = rulesOnly.assess(withoutArrivalMode(visits.get(i).encounter())).level().level();
        }
        List<Map<String, Object>> examples = new ArrayList<>();
        Answers current;
        int[] shifted = new int[n];
        double[] shiftedP12 = new double[n];
        ObjectNode priorShift;
        try (OnnxTriageModel model = OnnxTriageModel.load(resolved, rules)) {
            current = answers(model, rules, visits, examples);
            double[] trainingPriors = trainingPriors(card);
            PriorShift.Result em = PriorShift.estimate(current.p(), trainingPriors);
            for (int i = 0; i < n; i++) {
                double[] adjusted = em.adjusted()[i];
                shifted[i] = Math.min(model.spec().decide(adjusted).level(), rulesLevel[i]);
                shiftedP12[i] = adjusted[0] + adjusted[1];
            }
            priorShift = em.toJson(trainingPriors);
        }
        List<Predictor> predictors = new ArrayList<>(List.of(
                new Predictor("nurses", "Nurses", "the triage nurse's KTAS level (KTAS_RN)", nurse, ordinal(nurse, null),
                        Optional.empty()),
                new Predictor("rules", "Rules alone", "the service without a model: NEWS2, red flags, pain and"
                        + " incomplete-data floors", rulesLevel, ordinal(rulesLevel, null), Optional.empty()),
                new Predictor("model", "Model alone", "the model's own level by its card's decision rule, before"
                        + " fusion, without arrival mode", current.model(), current.p12(), Optional.of(current.p())),
                new Predictor("fused", "Model + rules (headline)", "what the service answers a virtual clinic: the most"
                        + " urgent of the model and every rule floor, without arrival mode", current.fused(),
                        ordinal(current.fused(), current.p12()), Optional.empty()),
                new Predictor("fused_with_arrival", "Model + rules, with arrival mode", "as the headline, with the"
                        + " arrival mode of the ED record given", current.fusedWithArrival(),
                        ordinal(current.fusedWithArrival(), current.p12WithArrival()), Optional.empty()),
                new Predictor("fused_prior_shift", "Model + rules, priors re-estimated", "as the headline, the model's"
                        + " probabilities adjusted to the test site's level prevalence estimated without its labels"
                        + " (EM, Saerens et al. 2002), same decision rule", shifted, ordinal(shifted, shiftedP12),
                        Optional.empty())));
        for (ResolvedModel earlier : previous) {
            try (OnnxTriageModel old = OnnxTriageModel.load(earlier, rules)) {
                Answers a = answers(old, rules, visits, null);
                String id = earlier.id();
                String key = "version_" + earlier.version();
                predictors.add(new Predictor(key + "_fused", id + " + rules", "an earlier version as served today"
                        + " (with today's rules), without arrival mode", a.fused(), ordinal(a.fused(), a.p12()),
                        Optional.empty()));
                predictors.add(new Predictor(key + "_fused_with_arrival", id + " + rules, with arrival mode",
                        "the same earlier version with the arrival mode given", a.fusedWithArrival(),
                        ordinal(a.fusedWithArrival(), a.p12WithArrival()), Optional.empty()));
            }
        }
        return new Evaluated(visits, List.copyOf(predictors), current.raised(), examples, priorShift);
    }

    /** The training site's level prevalence, from the card. */
    private static double[] trainingPriors(JsonNode card) {
        double[] priors = new double[5];
        double total = 0;
        for (int l = 1; l <= 5; l++) {
            priors[l - 1] = card.at("/data/train/expert_levels/" + l).asDouble();
            total += priors[l - 1];
        }
        if (!(total > 0)) {
            throw new EvaluationException("the model card has no data.train.expert_levels; retrain with ./vclinic train "
                    + MODEL_NAME);
        }
        for (int l = 0; l < 5; l++) {
            priors[l] /= total;
        }
        return priors;
    }

    /**
     * A ranking score for high acuity from a level: more urgent ranks higher; ties within a level are
     * broken by the model's probability of level 1-2 when given (it lies in [0, 1], below one level step).
     */
    private static double[] ordinal(int[] levels, double[] tieBreak) {
        double[] score = new double[levels.length];
        for (int i = 0; i < levels.length; i++) {
            score[i] = 2.0 * (6 - levels[i]) + (tieBreak == null ? 0 : tieBreak[i]);
        }
        return score;
    }

    private static Map<String, Object> example(KtasVisit v, ModelOpinion opinion, TriageResult rules, TriageResult fused) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("encounter", v.encounter().encounterId());
        e.put("complaint", v.encounter().interview().chiefComplaint());
        e.put("expert", v.expertLevel());
        e.put("nurse", v.nurseLevel());
        e.put("rules", rules.level().level());
        e.put("model", opinion.level().level());
        e.put("fused", fused.level().level());
        e.put("decided_by", fused.decision().decidedBy());
        e.put("reasons", opinion.reasons());
        return e;
    }

    private static ObjectNode metrics(ResolvedModel resolved, JsonNode card, KtasData test, Evaluated evaluated) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("model", resolved.id());
        m.put("onnx_sha256", resolved.card().artifact(OnnxTriageModel.ARTIFACT).orElseThrow().sha256());
        m.put("selected_candidate", card.at("/model/candidate").asText());
        ObjectNode data = m.putObject("test_data");
        data.put("site", "regional ED (Group 2), external to the training site");
        data.put("file", test.fileName());
        data.put("sha256", card.at("/data/test/sha256").asText());
        data.put("rows", test.rows());
        data.put("visits", test.visits().size());
        ArrayNode excluded = data.putArray("excluded_rows");
        for (KtasProblem problem : test.problems()) {
            excluded.addObject().put("row", problem.row()).put("column", problem.column()).put("reason", problem.reason());
        }
        int[] expert = evaluated.expert();
        ObjectNode levels = data.putObject("expert_levels");
        for (int l = 1; l <= 5; l++) {
            int level = l;
            levels.put(Integer.toString(l), Arrays.stream(expert).filter(x -> x == level).count());
        }
        m.put("reference", "KTAS_expert, the expert panel's level");
        m.put("high_acuity", "expert level 1 or 2");
        m.put("under_triage", "a less urgent level than the expert's (a higher number)");
        m.put("critical_under_triage", "expert level 1-2 decided as 4-5");
        ObjectNode boot = m.putObject("bootstrap");
        boot.put("resamples", RESAMPLES);
        boot.put("seed", BOOTSTRAP_SEED);
        boot.put("interval", "95% percentile interval, all predictors on the same resamples");
        m.put("model_decided_over_rules", evaluated.modelRaisedAboveRules());
        m.put("headline", "fused: model + rules without arrival mode, as a virtual clinic sends a visit");
        m.set("prior_shift", evaluated.priorShift());

        CostMatrix costs = TriageModelSpec.fromCard(card).costs();
        boolean[] high = highAcuity(expert);
        List<double[]> scores = evaluated.predictors().stream().map(Predictor::highAcuityScore).toList();
        BinaryMetrics.Interval[] intervals = BinaryMetrics.aurocIntervals(high, scores, RESAMPLES, BOOTSTRAP_SEED);
        ObjectNode predictors = m.putObject("predictors");
        for (int k = 0; k < evaluated.predictors().size(); k++) {
            Predictor pr = evaluated.predictors().get(k);
            ObjectNode o = predictors.putObject(pr.key());
            o.put("name", pr.name());
            o.put("how", pr.how());
            agreement(o, expert, pr.levels(), pr.highAcuityScore(), i -> true, costs);
            ObjectNode auroc = (ObjectNode) o.get("high_acuity_auroc");
            auroc.put("ci_low", round(intervals[k].low()));
            auroc.put("ci_high", round(intervals[k].high()));
            auroc.put("score", pr.key().equals("model") ? "P(level 1) + P(level 2)"
                    : pr.key().equals("fused") ? "the fused level, ties broken by the model's P(level 1-2)"
                    : "the level itself (ties share ranks)");
            pr.probabilities().ifPresent(p -> calibration(o, p, expert, high));
        }
        ObjectNode subgroups = m.putObject("subgroups");
        ObjectNode sex = subgroups.putObject("sex");
        subgroup(sex, "female", evaluated, i -> evaluated.visits().get(i).encounter().patient().sex() == Sex.FEMALE, costs);
        subgroup(sex, "male", evaluated, i -> evaluated.visits().get(i).encounter().patient().sex() == Sex.MALE, costs);
        ObjectNode age = subgroups.putObject("age");
        subgroup(age, "under 18", evaluated, i -> age(evaluated, i) < 18, costs);
        subgroup(age, "18-64", evaluated, i -> age(evaluated, i) >= 18 && age(evaluated, i) < 65, costs);
        subgroup(age, "65 and over", evaluated, i -> age(evaluated, i) >= 65, costs);
        m.set("goals", goals((ObjectNode) predictors.get("fused"), (ObjectNode) predictors.get("nurses")));
        m.set("training_site", card.at("/metrics").deepCopy());
        nullForNaN(m);
        return m;
    }

    /**
     * The goals of issue 14 for the headline predictor, each with its value and whether it was met:
     * critical under-triage at most the nurses' on the same visits; over-triage at most 15%; exact
     * agreement at least 65%; quadratic weighted kappa at least 0.70.
     */
    private static ObjectNode goals(ObjectNode fused, ObjectNode nurses) {
        ObjectNode g = JsonNodeFactory.instance.objectNode();
        long critical = fused.get("critical_under_triage").asLong();
        long bound = nurses.get("critical_under_triage").asLong();
        goal(g, "critical_under_triage_at_most_nurses", critical, bound, critical <= bound);
        goal(g, "over_triage_at_most_15_percent", fused.get("over_triage_rate").asDouble(), 0.15,
                fused.get("over_triage_rate").asDouble() <= 0.15);
        goal(g, "exact_at_least_65_percent", fused.get("accuracy").asDouble(), 0.65,
                fused.get("accuracy").asDouble() >= 0.65);
        goal(g, "quadratic_kappa_at_least_0.70", fused.get("quadratic_weighted_kappa").asDouble(), 0.70,
                fused.get("quadratic_weighted_kappa").asDouble() >= 0.70);
        return g;
    }

    private static void goal(ObjectNode g, String name, double value, double target, boolean met) {
        g.putObject(name).put("value", value).put("target", target).put("met", met);
    }

    /** JSON has no NaN: an undefined measure (an AUROC without positives) is written as null. */
    private static void nullForNaN(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> undefined = new ArrayList<>();
            object.properties().forEach(e -> {
                if (e.getValue().isDouble() && !Double.isFinite(e.getValue().doubleValue())) {
                    undefined.add(e.getKey());
                }
            });
            undefined.forEach(object::putNull);
        }
        node.forEach(TriageEvaluation::nullForNaN);
    }

    private static double age(Evaluated e, int i) {
        return e.visits().get(i).encounter().patient().ageYears().orElse(Double.NaN);
    }

    private static void subgroup(ObjectNode parent, String name, Evaluated evaluated, IntPredicate member,
                                 CostMatrix costs) {
        ObjectNode group = parent.putObject(name);
        int[] expert = evaluated.expert();
        int n = 0;
        int highAcuity = 0;
        for (int i = 0; i < expert.length; i++) {
            if (member.test(i)) {
                n++;
                highAcuity += expert[i] <= 2 ? 1 : 0;
            }
        }
        group.put("visits", n);
        group.put("high_acuity_visits", highAcuity);
        ObjectNode predictors = group.putObject("predictors");
        if (n == 0) {
            return;
        }
        for (Predictor pr : evaluated.predictors()) {
            agreement(predictors.putObject(pr.key()), expert, pr.levels(), pr.highAcuityScore(), member, costs);
        }
    }

    /** Agreement with the expert over the visits {@code member} selects. */
    private static void agreement(ObjectNode o, int[] expert, int[] decided, double[] score, IntPredicate member,
                                  CostMatrix costs) {
        ConfusionMatrix c = new ConfusionMatrix();
        List<Boolean> positives = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (int i = 0; i < expert.length; i++) {
            if (member.test(i)) {
                c.add(expert[i], decided[i]);
                positives.add(expert[i] <= 2);
                scores.add(score[i]);
            }
        }
        boolean[] pos = new boolean[positives.size()];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = positives.get(i);
        }
        o.put("visits", c.total());
        o.put("accuracy", round(c.accuracy()));
        o.put("macro_f1", round(c.macroF1()));
        o.put("quadratic_weighted_kappa", round(c.quadraticWeightedKappa()));
        o.put("under_triage_rate", round(c.underTriageRate()));
        o.put("under_triage", c.underTriage());
        o.put("over_triage_rate", round(c.overTriageRate()));
        o.put("critical_under_triage", c.criticalUnderTriage());
        o.put("high_acuity_visits", c.highAcuity());
        o.put("critical_under_triage_rate", round(c.criticalUnderTriageRate()));
        o.put("mean_cost", round(c.meanCost(costs)));
        o.putObject("high_acuity_auroc").put("value",
                round(Auroc.of(pos, scores.stream().mapToDouble(Double::doubleValue).toArray())));
        ArrayNode matrix = o.putArray("confusion_matrix");
        for (long[] row : c.counts()) {
            ArrayNode r = matrix.addArray();
            for (long x : row) {
                r.add(x);
            }
        }
    }

    private static void calibration(ObjectNode o, double[][] p, int[] expert, boolean[] high) {
        double[] p12 = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            p12[i] = p[i][0] + p[i][1];
        }
        List<BinaryMetrics.Bin> bins = BinaryMetrics.reliability(high, p12, BINS);
        ObjectNode cal = o.putObject("calibration");
        cal.put("brier_multiclass", round(BinaryMetrics.brier(p, expert)));
        cal.put("ece_high_acuity", round(BinaryMetrics.expectedCalibrationError(bins)));
        cal.put("ece_bins", BINS);
        ArrayNode reliability = cal.putArray("reliability_high_acuity");
        for (BinaryMetrics.Bin b : bins) {
            reliability.addObject().put("low", b.low()).put("high", b.high()).put("count", b.count())
                    .put("mean_predicted", round(b.meanPredicted())).put("observed", round(b.observed()));
        }
    }

    static boolean[] highAcuity(int[] expert) {
        boolean[] high = new boolean[expert.length];
        for (int i = 0; i < expert.length; i++) {
            high[i] = expert[i] <= 2;
        }
        return high;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue() : v;
    }
}
