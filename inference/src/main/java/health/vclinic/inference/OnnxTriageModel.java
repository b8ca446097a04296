package health.vclinic.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import health.vclinic.datasets.Encounter;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepositoryException;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A triage model exported to ONNX and run by ONNX Runtime: one session, created once and shared by
 * every request (ONNX Runtime's {@code Run} is thread safe), closed with the model.
 *
 * <p>For each encounter it builds the model's input with {@link TriageFeatures} (the extractor the
 * training pipeline used), runs the session, calibrates the probabilities with the card's temperature,
 * and decides with the card's rule: the ordered thresholds of {@link CumulativeThresholds} (version 2
 * onwards) or the level of minimum expected cost under a {@link CostMatrix} (version 1). Its reasons
 * are the clinical inputs that moved the urgency score most ({@link TriageModelSpec#EXPLANATION_TARGET},
 * the mean log-odds of being at least this urgent), found by occlusion: the change in that score when
 * an input's features are set to 0 (their reference: a normal vital sign, an absent finding). A
 * positive contribution pushed towards more urgent, a negative one towards less urgent. For a
 * cumulative-logit model (one linear score and ordered cut-points) these contributions are exact: with
 * the intercept they sum to the score, up to float32 rounding. For other models they are an
 * approximation, the card says so ({@code explanation.exact}) and every reason is labelled approximate.
 * The occluded scores come from ONNX Runtime, one row per input present, except for a factorization
 * machine whose ONNX graph {@link FactorizationMachine} reads: its scores have a closed form in the
 * graph's own weights, so neither the occlusion rows nor the input row run in ONNX Runtime. The
 * closed form is the graph's arithmetic in double precision, its probabilities rounded to float32 as
 * the graph's output is; ONNX Runtime stays the reference: at load the two must agree within 1e-5 on
 * probe rows, and one served call in {@link #SHADOW_EVERY} also runs the input row through ONNX
 * Runtime and compares. A disagreement is logged (the model and the difference, nothing of the
 * patient) and ONNX Runtime computes every later answer ({@link #closedFormDisagreements()}). The
 * contributions are the same occlusion, still approximate for such a model.
 *
 * <p>Checked ONNX Runtime exceptions are wrapped in {@link InferenceException}.
 */
public final class OnnxTriageModel implements TriageModel, AutoCloseable {

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Input buffers for ONNX Runtime, reused across calls (requests run on virtual threads: no thread-locals). */
    private final InputBuffers buffers = new InputBuffers();

    /** The task a card must name for this class to run it. */
    public static final String TASK = "triage-acuity";
    /** The artifact this class loads from a version directory. */
    public static final String ARTIFACT = "model.onnx";
    /** How many contributions the opinion's reasons list. */
    public static final int REASONS = 5;

    /**
     * One clinical input's share of the urgency score: the sum over its features (a vital sign's
     * value, missing indicator and NEWS2 points; all of the complaint's words).
     *
     * @param input the input, as {@link TriageFeatures#inputOf} names it ("heart_rate", "complaint")
     * @param words the input in plain words with this encounter's value ("heart rate 128 /min")
     * @param value its contribution to the urgency score, in log-odds; positive pushed towards more
     *     urgent levels
     */
    public record Contribution(String input, String words, double value) {
    }

    /**
     * Why the model decided what it did.
     *
     * @param probabilities calibrated, one per level, level 1 first
     * @param logit the urgency score ({@link TriageModelSpec#EXPLANATION_TARGET})
     * @param intercept the same score for an all-zero input
     * @param contributions the contribution of every input with a non-zero feature, largest magnitude
     *     first
     */
    public record Explanation(TriageLevel level, double[] probabilities, double logit, double intercept,
                              List<Contribution> contributions) {
        public Explanation {
            probabilities = probabilities.clone();
            contributions = List.copyOf(contributions);
        }

        @Override
        public double[] probabilities() {
            return probabilities.clone();
        }
    }

    private final String id;
    private final TriageModelSpec spec;
    private final TriageFeatures features;
    private final int[] gather;
    /** Builds the input row ({@link TriageFeatures#gatherer}). */
    private final TriageFeatures.Gatherer row;
    /** The clinical input of each model feature, in input order. */
    private final String[] input;
    /** The output column of each level: column[level - 1]. */
    private final int[] column;
    private final OrtEnvironment env;
    private final OrtSession session;
    /**
     * The model's weights when it is a factorization machine whose ONNX graph this service can read and
     * whose closed form matches ONNX Runtime on probe rows: then the occlusion rows of an explanation are
     * computed from them and only the input row goes to ONNX Runtime. Null otherwise.
     */
    private final FactorizationMachine machine;
    /** The urgency score of the all-zero row (from ONNX Runtime), when {@link #machine} is set. */
    private final double intercept;
    /** One served call in this many also runs ONNX Runtime and compares it with the closed form. */
    public static final int SHADOW_EVERY = 128;
    /** Calls answered in closed form, for {@link #SHADOW_EVERY}. */
    private final java.util.concurrent.atomic.AtomicLong closedFormCalls = new java.util.concurrent.atomic.AtomicLong();
    /** Shadow checks that found the closed form differing from ONNX Runtime (after the first, none is made). */
    private final java.util.concurrent.atomic.AtomicLong disagreements = new java.util.concurrent.atomic.AtomicLong();
    /** Calls into ONNX Runtime, load-time checks included. */
    private final java.util.concurrent.atomic.AtomicLong onnxRuns = new java.util.concurrent.atomic.AtomicLong();
    private static final System.Logger LOG = System.getLogger(OnnxTriageModel.class.getName());

    private OnnxTriageModel(String id, TriageModelSpec spec, TriageFeatures features, OrtEnvironment env,
                            OrtSession session, byte[] onnx) {
        this.id = id;
        this.spec = spec;
        this.features = features;
        this.gather = features.indicesOf(spec.featureNames());
        this.row = features.gatherer(spec.featureNames());
        this.input = spec.featureNames().stream().map(features::inputOf).toArray(String[]::new);
        this.column = new int[TriageLevel.values().length];
        for (int c = 0; c < spec.outputLevels().size(); c++) {
            column[spec.outputLevels().get(c) - 1] = c;
        }
        this.env = env;
        this.session = session;
        FactorizationMachine fm = FactorizationMachine.read(onnx, gather.length, column.length).orElse(null);
        this.machine = fm != null && matchesOnnx(fm) ? fm : null;
        this.intercept = urgency(logCalibrated(levels(run(new float[][] {new float[gather.length]})[0])));
    }

    /**
     * Whether the closed form gives ONNX Runtime's probabilities (within 1e-5, the card's export parity) on
     * the zero row, every one-feature row and a few dense pseudo-random rows.
     */
    private boolean matchesOnnx(FactorizationMachine fm) {
        int width = gather.length;
        float[][] rows = new float[width + 17][width];
        java.util.SplittableRandom random = new java.util.SplittableRandom(20_261_204L);
        for (int j = 0; j < width; j++) {
            rows[j + 1][j] = 1f + j % 7;
        }
        for (int r = width + 1; r < rows.length; r++) {
            for (int j = 0; j < width; j++) {
                rows[r][j] = random.nextInt(4) == 0 ? (float) random.nextDouble(-2, 2) : 0f;
            }
        }
        double[][] onnx = run(rows);
        for (int r = 0; r < rows.length; r++) {
            double[] p = FactorizationMachine.softmax(fm.scores(fm.sums(rows[r], null, true), null));
            for (int c = 0; c < p.length; c++) {
                if (!(Math.abs(p[c] - onnx[r][c]) <= 1e-5)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Loads a resolved version of a triage model.
     *
     * @param rules the red-flag rules the service runs; a model trained on rules they do not define is
     *     refused
     * @throws InferenceException when the card is not a triage model this service can run (task,
     *     format, feature version, a feature it cannot build, ONNX input or output shape), or when ONNX
     *     Runtime cannot load the file
     */
    public static OnnxTriageModel load(ResolvedModel model, RedFlagRules rules) {
        String where = "model " + model.id();
        if (!TASK.equals(model.modelCard().task())) {
            throw new InferenceException(where + " is for task '" + model.modelCard().task() + "', not " + TASK);
        }
        if (!model.format().orElse("").equals("onnx")) {
            throw new InferenceException(where + " has format '" + model.format().orElse("(none)")
                    + "'; this service runs triage models in onnx");
        }
        try {
            Path file = model.artifact(ARTIFACT);
            byte[] bytes = Files.readAllBytes(file);
            String listed = model.card().artifact(ARTIFACT).orElseThrow().sha256();
            if (!Sha256.sha256(bytes).equals(listed)) {
                // Checked again on the bytes actually loaded: the file may change after resolution.
                throw new InferenceException(where + ": " + ARTIFACT + " changed after it was verified; publish a new version");
            }
            return load(model.id(), bytes, TriageModelSpec.fromCard(model.card().json()), rules);
        } catch (IOException e) {
            throw new InferenceException(where + ": cannot read " + ARTIFACT + ": " + e, e);
        } catch (InferenceException | ModelRepositoryException e) {
            throw new InferenceException(where + " cannot be served: " + e.getMessage(), e);
        }
    }

    /**
     * Loads an ONNX model described by {@code spec}; {@link #load(ResolvedModel, RedFlagRules)} for
     * a model from the repository.
     *
     * @param id the model and version, e.g. {@code triage-acuity@3}
     */
    public static OnnxTriageModel load(String id, byte[] onnx, TriageModelSpec spec, RedFlagRules rules) {
        Objects.requireNonNull(id, "id");
        if (!TriageFeatures.VERSIONS.contains(spec.featureVersion())) {
            throw new InferenceException("the model was trained on features " + spec.featureVersion()
                    + "; this service builds " + TriageFeatures.VERSIONS);
        }
        TriageFeatures features = TriageFeatures.create(spec.featureVersion(), spec.vocabulary(), rules);
        features.indicesOf(spec.featureNames());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // A few hundred multiply-adds per call: threads would cost more than they save, and requests
            // already run in parallel.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = env.createSession(onnx, options);
            checkShapes(session, spec);
            return new OnnxTriageModel(id, spec, features, env, session, onnx);
        } catch (OrtException e) {
            close(session);
            throw new InferenceException("ONNX Runtime cannot load model " + id + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(session);
            throw e;
        }
    }

    private static void checkShapes(OrtSession session, TriageModelSpec spec) throws OrtException {
        long[] in = shape(session.getInputInfo(), spec.input(), "input");
        long[] out = shape(session.getOutputInfo(), spec.output(), "output");
        if (in.length != 2 || in[1] != spec.featureNames().size()) {
            throw new InferenceException("the ONNX input '" + spec.input() + "' has shape " + Arrays.toString(in)
                    + " but the card lists " + spec.featureNames().size() + " features");
        }
        if (out.length != 2 || out[1] != TriageLevel.values().length) {
            throw new InferenceException("the ONNX output '" + spec.output() + "' has shape "
                    + Arrays.toString(out) + "; a triage model gives 5 probabilities");
        }
    }

    private static long[] shape(Map<String, NodeInfo> info, String name, String what) {
        NodeInfo node = info.get(name);
        if (node == null || !(node.getInfo() instanceof TensorInfo tensor)) {
            throw new InferenceException("the ONNX model has no tensor " + what + " '" + name + "' (it has "
                    + info.keySet() + ")");
        }
        return tensor.getShape();
    }

    @Override
    public String id() {
        return id;
    }

    public TriageModelSpec spec() {
        return spec;
    }

    @Override
    public ModelOpinion predict(Encounter encounter, RuleFindings findings) {
        // Words only for the contributions that become reasons.
        Explanation e = explain(encounter, findings, REASONS, answersInClosedForm());
        List<String> reasons = new ArrayList<>(REASONS);
        String approximate = spec.exactExplanation() ? "" : ", approximate";
        for (Contribution c : e.contributions().subList(0, Math.min(REASONS, e.contributions().size()))) {
            reasons.add(c.words() + ": towards " + (c.value() >= 0 ? "more" : "less") + " urgent ("
                    + signedHundredths(c.value()) + approximate + ")");
        }
        double[] p = e.probabilities;
        return new ModelOpinion("model:" + id, e.level(), List.of(p[0], p[1], p[2], p[3], p[4]), reasons);
    }

    /**
     * {@code String.format(Locale.ROOT, "%+.2f", v)}: a sign, then the value rounded half up to two
     * decimals. Written out for the values far from a tie (the formatter rounds the decimal digits of the
     * double, so a value within a rounding error of a half hundredth is left to the formatter itself).
     */
    static String signedHundredths(double v) {
        double hundredths = Math.abs(v) * 100;
        double fraction = hundredths - Math.floor(hundredths);
        if (!(hundredths < 1e12) || Math.abs(fraction - 0.5) < 1e-6) {
            return String.format(Locale.ROOT, "%+.2f", v);
        }
        long rounded = (long) Math.floor(hundredths + 0.5);
        long cents = rounded % 100;
        boolean negative = v < 0 || (v == 0 && 1 / v < 0);
        return (negative ? "-" : "+") + rounded / 100 + (cents < 10 ? ".0" : ".") + cents;
    }

    /** The model's input row as fed to ONNX Runtime, in the card's feature order. */
    public float[] inputs(Encounter encounter, RuleFindings findings) {
        return inputs(encounter, findings, features.read(encounter.interview().chiefComplaint()));
    }

    /** As {@link #inputs(Encounter, RuleFindings)}, with the chief complaint given as read. */
    public float[] inputs(Encounter encounter, RuleFindings findings, TriageFeatures.ComplaintReading complaint) {
        return row.row(encounter, findings, complaint);
    }

    /** The ONNX output for this encounter before calibration, one probability per level, level 1 first. */
    public double[] rawProbabilities(Encounter encounter, RuleFindings findings) {
        return levels(run(new float[][] {inputs(encounter, findings)})[0]);
    }

    /**
     * The calibrated probability of each level, level 1 first, for an encounter whose chief complaint is
     * given as read (a de-identified reviewed case); {@link TriageModelSpec#decide} gives the level.
     */
    public double[] probabilities(Encounter encounter, RuleFindings findings, TriageFeatures.ComplaintReading complaint) {
        return exp(logCalibrated(levels(run(new float[][] {inputs(encounter, findings, complaint)})[0])));
    }

    private static double[] exp(double[] logP) {
        double[] p = new double[logP.length];
        for (int l = 0; l < p.length; l++) {
            p[l] = Math.exp(logP[l]);
        }
        return p;
    }

    /**
     * Decides the level and explains it: one call to ONNX Runtime with the input, an all-zero row, and
     * one row per clinical input present ({@link TriageFeatures#inputOf}) with that input's features
     * set to 0; for a factorization machine, the input row alone, the others in closed form.
     */
    public Explanation explain(Encounter encounter, RuleFindings findings) {
        return explain(encounter, findings, Integer.MAX_VALUE, answersInClosedForm());
    }

    /**
     * Whether answers are computed in closed form (a factorization machine read from its graph, and no
     * shadow check has found it differing from ONNX Runtime).
     */
    public boolean answersInClosedForm() {
        return machine != null && disagreements.get() == 0;
    }

    /** Shadow checks that found the closed form differing from ONNX Runtime: 0, or 1 and no closed form since. */
    public long closedFormDisagreements() {
        return disagreements.get();
    }

    /** {@link #explain(Encounter, RuleFindings)} with every occluded row run by ONNX Runtime (to check the closed form against). */
    Explanation explainWithOnnxRows(Encounter encounter, RuleFindings findings) {
        return explain(encounter, findings, Integer.MAX_VALUE, false);
    }

    /**
     * {@link #explain(Encounter, RuleFindings)} with the {@code worded} largest contributions only, the
     * occluded scores in closed form or from ONNX Runtime.
     */
    private Explanation explain(Encounter encounter, RuleFindings findings, int worded, boolean closedForm) {
        // The complaint is read once: for the input row and for the words of the explanation.
        TriageFeatures.ComplaintReading complaint = features.read(encounter.interview().chiefComplaint());
        float[] x = inputs(encounter, findings, complaint);
        Map<String, List<Integer>> present = new LinkedHashMap<>();
        for (int j = 0; j < x.length; j++) {
            if (x[j] != 0) {
                present.computeIfAbsent(input[j], k -> new ArrayList<>()).add(j);
            }
        }
        List<String> names = List.copyOf(present.keySet());
        if (closedForm) {
            return explainInClosedForm(encounter, findings, complaint, x, present, names, worded);
        }
        int width = x.length;
        FloatBuffer rows = buffers.take((names.size() + 2) * width);
        double[][] out;
        try {
            rows.put(x).put(new float[width]);
            for (int i = 0; i < names.size(); i++) {
                int at = rows.position();
                rows.put(x);
                for (int j : present.get(names.get(i))) {
                    rows.put(at + j, 0f);
                }
            }
            out = run(rows.flip(), names.size() + 2);
        } finally {
            buffers.give(rows);
        }
        double[] logP = logCalibrated(levels(out[0]));
        double[] p = exp(logP);
        TriageLevel level = spec.decide(p);
        double logit = urgency(logP);
        double[] values = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            values[i] = logit - urgency(logCalibrated(levels(out[i + 2])));
        }
        return new Explanation(level, p, logit, urgency(logCalibrated(levels(out[1]))),
                contributions(names, values, worded, encounter, findings, complaint));
    }

    /**
     * {@link #explain} for a factorization machine, from the machine's weights: the input row's
     * probabilities (the graph's softmax, rounded to float32 as its output is), the level and the urgency
     * score, then the occlusion rows (the same occlusion, without a row per input); the intercept was
     * computed once at load. One call in {@link #SHADOW_EVERY} also runs ONNX Runtime on the input row:
     * when the two differ by more than 1e-5, this and every later call is answered by ONNX Runtime.
     */
    private Explanation explainInClosedForm(Encounter encounter, RuleFindings findings,
                                            TriageFeatures.ComplaintReading complaint, float[] x,
                                            Map<String, List<Integer>> present, List<String> names, int worded) {
        double[] all = machine.sums(x, null, true);
        double[] z = machine.scores(all, null, new double[machine.outputs()]);
        double[] columns = FactorizationMachine.softmax(z);
        for (int c = 0; c < columns.length; c++) {
            columns[c] = (float) columns[c];
        }
        if (closedFormCalls.incrementAndGet() % SHADOW_EVERY == 0 && !agreesWithOnnx(x, columns)) {
            return explain(encounter, findings, worded, false);
        }
        double[] logP = logCalibrated(levels(columns));
        double[] p = exp(logP);
        TriageLevel level = spec.decide(p);
        double logit = urgency(logP);
        double[] q = new double[column.length];
        double full = closedFormUrgency(z, q);
        double[] removed = new double[machine.sumsLength()];
        double[] values = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            List<Integer> group = present.get(names.get(i));
            int[] occluded = new int[group.size()];
            for (int k = 0; k < occluded.length; k++) {
                occluded[k] = group.get(k);
            }
            double without = closedFormUrgency(machine.scores(all, machine.sums(x, occluded, false, removed), z), q);
            values[i] = full - without;
        }
        return new Explanation(level, p, logit, intercept,
                contributions(names, values, worded, encounter, findings, complaint));
    }

    /**
     * The shadow check: whether ONNX Runtime gives {@code columns} for row {@code x} within 1e-5 (the
     * load-time parity). When it does not, the closed form is not used again; the log says so with the
     * model and the difference only.
     */
    boolean agreesWithOnnx(float[] x, double[] columns) {
        double[] onnx = run(new float[][] {x})[0];
        double largest = 0;
        for (int c = 0; c < columns.length; c++) {
            largest = Math.max(largest, Math.abs(onnx[c] - columns[c]));
        }
        if (largest <= 1e-5) {
            return true;
        }
        if (disagreements.getAndIncrement() == 0) {
            LOG.log(System.Logger.Level.WARNING, "model " + id + ": its closed form differed from ONNX Runtime by "
                    + largest + " on a served row; ONNX Runtime answers every call from now on");
        }
        return false;
    }

    /**
     * The contributions, largest magnitude first (ties by input name), the first {@code worded} of them
     * with their words: the words of an input are only written for the contributions a caller shows.
     */
    private List<Contribution> contributions(List<String> names, double[] values, int worded, Encounter encounter,
                                             RuleFindings findings, TriageFeatures.ComplaintReading complaint) {
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -Math.abs(values[i]))
                .thenComparing(names::get));
        int n = Math.min(worded, order.length);
        List<String> shown = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            shown.add(names.get(order[i]));
        }
        List<String> words = features.words(shown, encounter, findings, complaint);
        List<Contribution> contributions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            contributions.add(new Contribution(shown.get(i), words.get(i), values[order[i]]));
        }
        return contributions;
    }

    /**
     * {@link #urgency}({@link #logCalibrated}) of the softmax of the machine's scores {@code z} (output
     * columns), in double precision. The calibrated probabilities are proportional to
     * exp((z - max z) / T), and the urgency score only needs their ratios: log P(level <= k) - log P(level > k)
     * is the log of a ratio of partial sums. A probability ONNX Runtime would give as below
     * {@code Float.MIN_NORMAL} is floored there, as {@link #logCalibrated} floors it; that needs the
     * normalised log-probabilities, taken only when some score lies that far below the largest.
     *
     * @param q scratch, one per level
     */
    private double closedFormUrgency(double[] z, double[] q) {
        int n = column.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double t = spec.temperature();
        boolean floored = false;
        for (int l = 0; l < n; l++) {
            double below = z[column[l]] - max;
            floored |= below < FLOOR_MARGIN;
            q[l] = Math.exp(below / t);
        }
        if (floored) {
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            double logSum = max + Math.log(sum);
            double floor = Math.log(Float.MIN_NORMAL);
            double top = Double.NEGATIVE_INFINITY;
            double[] y = new double[n];
            for (int l = 0; l < n; l++) {
                y[l] = Math.max(z[column[l]] - logSum, floor) / t;
                top = Math.max(top, y[l]);
            }
            for (int l = 0; l < n; l++) {
                q[l] = Math.exp(y[l] - top);
            }
        }
        double score = 0;
        double atMost = 0;
        for (int k = 0; k < n - 1; k++) {
            atMost += q[k];
            double above = 0;
            for (int j = k + 1; j < n; j++) {
                above += q[j];
            }
            score += Math.log(atMost / above);
        }
        return score / (n - 1);
    }

    /**
     * A score this far below the largest may have a log-probability below log(Float.MIN_NORMAL) = -87.3
     * (the normaliser exceeds the largest score by at most log 5).
     */
    private static final double FLOOR_MARGIN = -80;

    private double[][] run(float[][] rows) {
        FloatBuffer buffer = buffers.take(rows.length * gather.length);
        try {
            for (float[] row : rows) {
                buffer.put(row);
            }
            return run(buffer.flip(), rows.length);
        } finally {
            buffers.give(buffer);
        }
    }

    /** ONNX Runtime's output columns for one input row (for tests of the shadow check). */
    double[] rawProbabilitiesByColumn(float[] x) {
        return run(new float[][] {x})[0];
    }

    /** Calls into ONNX Runtime since load (for tests). */
    long onnxRuns() {
        return onnxRuns.get();
    }

    /** Runs {@code count} rows laid out one after another in {@code buffer} (a direct one: not copied). */
    private double[][] run(FloatBuffer buffer, int count) {
        onnxRuns.incrementAndGet();
        int width = gather.length;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, buffer, new long[] {count, width});
             OrtSession.Result result = session.run(Map.of(spec.input(), tensor))) {
            OnnxValue value = result.get(spec.output())
                    .orElseThrow(() -> new InferenceException("model " + id + " gave no output " + spec.output()));
            float[][] probabilities = (float[][]) value.getValue();
            double[][] out = new double[count][];
            for (int r = 0; r < count; r++) {
                out[r] = new double[probabilities[r].length];
                for (int c = 0; c < out[r].length; c++) {
                    out[r][c] = probabilities[r][c];
                }
            }
            return out;
        } catch (OrtException e) {
            throw new InferenceException("ONNX Runtime failed to run model " + id + ": " + e.getMessage(), e);
        }
    }

    /** Output columns to level order. */
    private double[] levels(double[] columns) {
        double[] byLevel = new double[column.length];
        for (int l = 0; l < column.length; l++) {
            byLevel[l] = columns[column[l]];
        }
        return byLevel;
    }

    /** log softmax(log p / T): the calibrated log-probabilities. */
    private double[] logCalibrated(double[] p) {
        double[] z = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < p.length; l++) {
            // A probability that underflowed to 0 is floored, so the logarithm stays finite.
            z[l] = Math.log(Math.max(p[l], Float.MIN_NORMAL)) / spec.temperature();
            max = Math.max(max, z[l]);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        for (int l = 0; l < z.length; l++) {
            z[l] -= logSum;
        }
        return z;
    }

    /**
     * The urgency score ({@link TriageModelSpec#EXPLANATION_TARGET}): the mean over k = 1..4 of
     * log P(level <= k) - log P(level > k). For a cumulative-logit model it is affine in the input, so
     * occlusion contributions are exact.
     */
    static double urgency(double[] logP) {
        double sum = 0;
        double atMost = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < logP.length - 1; k++) {
            atMost = logAdd(atMost, logP[k]);
            double above = Double.NEGATIVE_INFINITY;
            for (int j = k + 1; j < logP.length; j++) {
                above = logAdd(above, logP[j]);
            }
            sum += atMost - above;
        }
        return sum / (logP.length - 1);
    }

    private static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        double max = Math.max(a, b);
        return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    }

    private static void close(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                // Already failing; the original error is the one worth reporting.
            }
        }
    }

    /** Whether {@link #close()} has released the session. */
    public boolean closed() {
        return closed.get();
    }

    /** Closes the ONNX Runtime session (once; later calls do nothing); the shared environment stays for other models. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            throw new InferenceException("cannot close the ONNX Runtime session of model " + id, e);
        }
    }

    @Override
    public String toString() {
        return "OnnxTriageModel[" + id + ", " + spec.featureNames().size() + " features]";
    }

    /**
     * A small pool of direct float buffers in native order: ONNX Runtime reads a direct buffer in place, where
     * a heap buffer is copied first, and an explanation's rows (the input, a zero row and one occluded row per
     * input present) would otherwise be allocated twice per call.
     */
    private static final class InputBuffers {

        private static final int KEPT = 64;
        private final java.util.concurrent.ConcurrentLinkedQueue<FloatBuffer> free =
                new java.util.concurrent.ConcurrentLinkedQueue<>();

        /** A cleared buffer of at least {@code floats}, limited to exactly that many. */
        FloatBuffer take(int floats) {
            FloatBuffer b = free.poll();
            if (b == null || b.capacity() < floats) {
                b = java.nio.ByteBuffer.allocateDirect(Math.max(floats, 4_096) * Float.BYTES)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
            }
            return b.clear().limit(floats);
        }

        void give(FloatBuffer b) {
            if (free.size() < KEPT) {
                free.offer(b);
            }
        }
    }
}
