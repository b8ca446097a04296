package health.vclinic.evaluation.imaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.evaluation.BinaryMetrics;
import health.vclinic.evaluation.EvaluationException;
import health.vclinic.inference.imaging.CxrAnalyzer;
import health.vclinic.inference.imaging.CxrCalibration;
import health.vclinic.inference.imaging.CxrFinding;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.inference.imaging.DynamicBatcher;
import health.vclinic.inference.imaging.OcclusionSaliency;
import health.vclinic.inference.metrics.Auroc;
import health.vclinic.inference.metrics.WilsonInterval;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ModelRepositoryException;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code ./vclinic evaluate cxr-pneumonia [--version N]}: the served (or named) version of the chest
 * X-ray model on PneumoniaMNIST's official <b>test</b> split, which training never read. Writes
 * {@code reports/cxr-pneumonia/<version>/metrics.json} and {@code report.html}:
 * <ul>
 *   <li>AUROC with a 95% percentile-bootstrap interval (2,000 seeded resamples);</li>
 *   <li>at the card's threshold: accuracy, sensitivity, specificity, PPV, NPV (Wilson 95% intervals)
 *       and the confusion matrix; also accuracy at 0.5, the convention of the MedMNIST v2 table, to
 *       compare with its ResNet-18, AutoKeras and AutoML Vision rows;</li>
 *   <li>calibration before and after temperature scaling: reliability diagram, ECE, Brier, NLL;</li>
 *   <li>a page of occlusion saliency maps, computed by the serving code, for true and false
 *       positives.</li>
 * </ul>
 * Deterministic: the same model and data give the same metrics.json and report.html.
 */
public final class CxrEvaluation {

    public static final String MODEL_NAME = CxrModel.NAME;
    public static final Path REPORTS = Path.of("reports", MODEL_NAME);
    /** Bootstrap resamples and their seed. */
    static final int RESAMPLES = 2000;
    static final long SEED = 20240611L;
    /** Saliency examples per group in the report. */
    static final int EXAMPLES = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Published results on the same test split (MedMNIST v2, Yang et al., Scientific Data 2023, Table). */
    static final List<Benchmark> BENCHMARKS = List.of(
            new Benchmark("ResNet-18 (28)", 0.944, 0.854),
            new Benchmark("auto-sklearn", 0.942, 0.855),
            new Benchmark("AutoKeras", 0.947, 0.878),
            new Benchmark("Google AutoML Vision", 0.991, 0.946));

    record Benchmark(String method, double auroc, double accuracy) {
    }

    /**
     * One test image as the model read it.
     *
     * @param index its position in the test split
     */
    record Case(int index, LabelledImage image, double logit, double probability, boolean predicted) {
        boolean positive() {
            return image.label() == 1;
        }
    }

    /** A saliency example: the case and its overlay PNG. */
    record Example(Case c, CxrFinding.Saliency saliency) {
    }

    public record Result(String modelId, Path directory, ObjectNode metrics) {
    }

    private CxrEvaluation() {
    }

    /** The command: a summary on standard output; an exit code. */
    public static int command(Path projectRoot, OptionalInt version) {
        Path root = projectRoot.toAbsolutePath().normalize();
        try {
            Result r = run(root, version, root);
            JsonNode m = r.metrics();
            System.out.printf(Locale.ROOT, "evaluated %s on the PneumoniaMNIST test split (%d images):%n", r.modelId(),
                    m.at("/data/images").asInt());
            System.out.printf(Locale.ROOT, "  AUROC %.3f (95%% CI %.3f-%.3f)%n", m.at("/auroc/value").asDouble(),
                    m.at("/auroc/ci_low").asDouble(), m.at("/auroc/ci_high").asDouble());
            System.out.printf(Locale.ROOT, "  at threshold %.3f: accuracy %.3f, sensitivity %.3f, specificity %.3f;"
                            + " at 0.5: accuracy %.3f%n", m.get("threshold").asDouble(),
                    m.at("/at_threshold/accuracy/value").asDouble(), m.at("/at_threshold/sensitivity/value").asDouble(),
                    m.at("/at_threshold/specificity/value").asDouble(), m.at("/at_0_5/accuracy").asDouble());
            System.out.printf(Locale.ROOT, "  calibration: ECE %.3f (%.3f before temperature scaling), Brier %.3f%n",
                    m.at("/calibration/ece").asDouble(), m.at("/calibration/ece_uncalibrated").asDouble(),
                    m.at("/calibration/brier").asDouble());
            System.out.println("  MedMNIST v2 on the same split: ResNet-18 0.944 / 0.854, AutoKeras 0.947 / 0.878,"
                    + " AutoML Vision 0.991 / 0.946 (AUROC / accuracy)");
            System.out.println("wrote " + root.relativize(r.directory().resolve(CxrReport.REPORT_FILE)) + " and "
                    + CxrReport.METRICS_FILE);
            return 0;
        } catch (EvaluationException e) {
            System.err.println("vclinic evaluate: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Evaluates and writes the report under {@code outputRoot/reports/cxr-pneumonia/<version>/}.
     *
     * @throws EvaluationException when the model, its card or the data is not usable
     */
    public static Result run(Path projectRoot, OptionalInt version, Path outputRoot) {
        Path root = projectRoot.toAbsolutePath().normalize();
        ResolvedModel resolved;
        try {
            ModelRepository repository = ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT));
            resolved = version.isPresent() ? repository.resolve(MODEL_NAME, version.getAsInt())
                    : repository.resolve(MODEL_NAME);
        } catch (ModelRepositoryException e) {
            throw new EvaluationException(e.getMessage() + "; train one with ./vclinic train " + MODEL_NAME, e);
        }
        JsonNode card = resolved.card().json();
        Path dataFile = dataFile(root, card);
        List<LabelledImage> test;
        try {
            test = MedMnist.readPneumonia(dataFile).split(MedMnist.Split.TEST);
        } catch (IOException | IllegalArgumentException e) {
            throw new EvaluationException("cannot read " + dataFile + ": " + e.getMessage(), e);
        }
        List<Case> cases;
        List<Example> truePositives;
        List<Example> falsePositives;
        String modelId;
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(CxrModel.load(resolved),
                new DynamicBatcher.Config(64, java.time.Duration.ZERO, 64))) {
            modelId = analyzer.modelId();
            cases = read(analyzer.model(), test);
            // Saliency is drawn only for films the served gate lets the model read (it refuses a few
            // test films, among them some of the most confident false positives).
            List<Case> assessable = cases.stream().filter(c -> analyzer.gate().assess(c.image().study()).isEmpty())
                    .toList();
            truePositives = examples(analyzer, pickTruePositives(assessable));
            falsePositives = examples(analyzer, pickFalsePositives(assessable));
        }
        ObjectNode metrics = metrics(modelId, resolved, card, dataFile, cases, truePositives, falsePositives);
        Path dir = outputRoot.toAbsolutePath().normalize().resolve(REPORTS).resolve(Integer.toString(resolved.version()));
        CxrReport.write(dir, metrics, card, cases, truePositives, falsePositives);
        return new Result(modelId, dir, metrics);
    }

    /** The data file the card names, checked against the sha256 it recorded at training. */
    private static Path dataFile(Path root, JsonNode card) {
        String relative = card.at("/training/config/data").asText("");
        String sha256 = card.at("/data/sha256").asText("");
        if (relative.isEmpty() || sha256.isEmpty()) {
            throw new EvaluationException("the model card does not name its data (training.config.data, data.sha256)");
        }
        Path file = root.resolve(relative).normalize();
        if (!Files.isRegularFile(file)) {
            throw new EvaluationException("no data file at " + file + " (the card's training.config.data)");
        }
        String actual = Sha256.sha256(file);
        if (!actual.equals(sha256)) {
            throw new EvaluationException("data " + file + " has sha256 " + actual + " but the model card recorded "
                    + sha256 + "; evaluate on the data the model was trained with");
        }
        return file;
    }

    /** Logits for every test image through the serving model code, in batches. */
    private static List<Case> read(CxrModel model, List<LabelledImage> test) {
        float[] logits;
        try (var predictor = model.newPredictor()) {
            logits = CxrModel.logits(predictor, test.stream().map(i -> model.preprocessing().input(i.study())).toList(),
                    256);
        }
        CxrCalibration calibration = model.calibration();
        List<Case> cases = new ArrayList<>(test.size());
        for (int i = 0; i < test.size(); i++) {
            double p = calibration.probability(logits[i]);
            cases.add(new Case(i, test.get(i), logits[i], p, calibration.positive(p)));
        }
        return cases;
    }

    /** A seeded random sample of true positives: what the model typically looks at when it is right. */
    static List<Case> pickTruePositives(List<Case> cases) {
        List<Case> tps = cases.stream().filter(c -> c.positive() && c.predicted()).toList();
        int[] picks = new SplittableRandom(SEED).ints(0, tps.size()).distinct().limit(Math.min(EXAMPLES, tps.size()))
                .sorted().toArray();
        return IntStream.of(picks).mapToObj(tps::get).toList();
    }

    /** The most confident false positives: the mistakes a clinician most needs to understand. */
    static List<Case> pickFalsePositives(List<Case> cases) {
        return cases.stream().filter(c -> !c.positive() && c.predicted())
                .sorted(Comparator.comparingDouble(Case::probability).reversed().thenComparingInt(Case::index))
                .limit(EXAMPLES).toList();
    }

    private static List<Example> examples(CxrAnalyzer analyzer, List<Case> picks) {
        List<Example> out = new ArrayList<>();
        for (Case c : picks) {
            CxrFinding f = analyzer.analyze(c.image().study(), true, Optional.empty());
            out.add(new Example(c, f.saliency().orElseThrow()));
        }
        return out;
    }

    private static ObjectNode metrics(String modelId, ResolvedModel resolved, JsonNode card, Path dataFile,
                                      List<Case> cases, List<Example> tps, List<Example> fps) {
        boolean[] positive = new boolean[cases.size()];
        double[] probability = new double[cases.size()];
        double[] uncalibrated = new double[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            positive[i] = cases.get(i).positive();
            probability[i] = cases.get(i).probability();
            uncalibrated[i] = CxrCalibration.sigmoid(cases.get(i).logit());
        }
        double threshold = card.at("/operating_point/threshold").asDouble();
        ObjectNode m = JSON.createObjectNode();
        m.put("model", modelId);
        m.put("params_sha256", resolved.card().artifacts().getFirst().sha256());
        ObjectNode data = m.putObject("data");
        data.put("file", dataFile.getFileName().toString());
        data.put("sha256", card.at("/data/sha256").asText());
        data.put("split", "test (official MedMNIST v2; never read by training)");
        data.put("images", cases.size());
        data.put("normal", cases.stream().filter(c -> !c.positive()).count());
        data.put("pneumonia", cases.stream().filter(Case::positive).count());
        double auroc = Auroc.of(positive, probability);
        BinaryMetrics.Interval ci = BinaryMetrics.aurocIntervals(positive, List.of(probability), RESAMPLES, SEED)[0];
        m.putObject("auroc").put("value", auroc).put("ci_low", ci.low()).put("ci_high", ci.high())
                .put("resamples", ci.resamples())
                .put("method", "Mann-Whitney; 95% percentile bootstrap, " + RESAMPLES + " resamples, seed " + SEED);
        m.put("threshold", threshold);
        m.put("threshold_rule", card.at("/operating_point/rule").asText());
        m.set("at_threshold", operatingPoint(cases, threshold));
        Confusion half = Confusion.of(cases, 0.5);
        m.putObject("at_0_5")
                .put("accuracy", half.accuracy())
                .put("sensitivity", half.sensitivity())
                .put("specificity", half.specificity())
                .put("note", "probability >= 0.5, the argmax convention of the MedMNIST v2 table");
        m.set("calibration", calibration(card, positive, probability, uncalibrated, cases));
        ArrayNode benchmarks = m.putArray("benchmarks");
        for (Benchmark b : BENCHMARKS) {
            benchmarks.addObject().put("method", b.method()).put("auroc", b.auroc()).put("accuracy", b.accuracy());
        }
        m.put("benchmarks_source", "MedMNIST v2 (Yang et al., Scientific Data 10:41, 2023), PneumoniaMNIST test split");
        ObjectNode saliency = m.putObject("saliency_examples");
        saliency.put("method", OcclusionSaliency.METHOD + ": 6x6 grey squares at stride 2 on the 28x28 input;"
                + " tint = fall of the pneumonia logit when a region is hidden");
        saliency.put("true_positives", "a seeded random sample of " + tps.size());
        saliency.put("false_positives", "the " + fps.size() + " most confident");
        ArrayNode tpIds = saliency.putArray("true_positive_indices");
        tps.forEach(e -> tpIds.add(e.c().index()));
        ArrayNode fpIds = saliency.putArray("false_positive_indices");
        fps.forEach(e -> fpIds.add(e.c().index()));
        return m;
    }

    private static ObjectNode operatingPoint(List<Case> cases, double threshold) {
        Confusion c = Confusion.of(cases, threshold);
        ObjectNode o = JSON.createObjectNode();
        o.set("accuracy", proportion(c.tp() + c.tn(), cases.size()));
        o.set("sensitivity", proportion(c.tp(), c.tp() + c.fn()));
        o.set("specificity", proportion(c.tn(), c.tn() + c.fp()));
        o.set("ppv", proportion(c.tp(), c.tp() + c.fp()));
        o.set("npv", proportion(c.tn(), c.tn() + c.fn()));
        o.put("f1", 2.0 * c.tp() / (2.0 * c.tp() + c.fp() + c.fn()));
        o.putObject("confusion").put("true_positive", c.tp()).put("false_positive", c.fp())
                .put("true_negative", c.tn()).put("false_negative", c.fn());
        return o;
    }

    private static ObjectNode calibration(JsonNode card, boolean[] positive, double[] probability,
                                          double[] uncalibrated, List<Case> cases) {
        List<BinaryMetrics.Bin> bins = BinaryMetrics.reliability(positive, probability, 10);
        List<BinaryMetrics.Bin> rawBins = BinaryMetrics.reliability(positive, uncalibrated, 10);
        ObjectNode c = JSON.createObjectNode();
        c.put("temperature", card.at("/calibration/temperature").asDouble());
        c.put("ece", BinaryMetrics.expectedCalibrationError(bins));
        c.put("ece_uncalibrated", BinaryMetrics.expectedCalibrationError(rawBins));
        c.put("brier", brier(positive, probability));
        c.put("brier_uncalibrated", brier(positive, uncalibrated));
        c.put("nll", nll(positive, probability));
        c.put("nll_uncalibrated", nll(positive, uncalibrated));
        c.put("mean_probability", mean(probability));
        c.put("prevalence", cases.stream().filter(Case::positive).count() / (double) cases.size());
        c.put("note", "the test split has 62.5% pneumonia against 74.2% in train and val, where the temperature was"
                + " fitted; probabilities calibrated at one prevalence run high at a lower one");
        c.set("bins", bins(bins));
        c.set("bins_uncalibrated", bins(rawBins));
        return c;
    }

    private static ArrayNode bins(List<BinaryMetrics.Bin> bins) {
        ArrayNode a = JSON.createArrayNode();
        for (BinaryMetrics.Bin b : bins) {
            a.addObject().put("low", b.low()).put("high", b.high()).put("count", b.count())
                    .put("mean_predicted", b.meanPredicted()).put("observed", b.observed());
        }
        return a;
    }

    /** A proportion with its Wilson score 95% interval ({@link WilsonInterval}). */
    static ObjectNode proportion(long successes, long n) {
        WilsonInterval w = WilsonInterval.of(successes, n);
        return JSON.createObjectNode().put("value", w.proportion()).put("ci_low", w.low()).put("ci_high", w.high())
                .put("n", n);
    }

    private static double brier(boolean[] positive, double[] p) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double y = positive[i] ? 1 : 0;
            sum += (p[i] - y) * (p[i] - y);
        }
        return sum / p.length;
    }

    private static double nll(boolean[] positive, double[] p) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(1 - 1e-12, Math.max(1e-12, p[i]));
            sum -= positive[i] ? Math.log(q) : Math.log(1 - q);
        }
        return sum / p.length;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Counts at a threshold. */
    record Confusion(int tp, int fp, int tn, int fn) {
        static Confusion of(List<Case> cases, double threshold) {
            int tp = 0;
            int fp = 0;
            int tn = 0;
            int fn = 0;
            for (Case c : cases) {
                boolean predicted = c.probability() >= threshold;
                if (c.positive()) {
                    tp += predicted ? 1 : 0;
                    fn += predicted ? 0 : 1;
                } else {
                    fp += predicted ? 1 : 0;
                    tn += predicted ? 0 : 1;
                }
            }
            return new Confusion(tp, fp, tn, fn);
        }

        double accuracy() {
            return (double) (tp + tn) / (tp + fp + tn + fn);
        }

        double sensitivity() {
            return (double) tp / (tp + fn);
        }

        double specificity() {
            return (double) tn / (tn + fp);
        }
    }
}
