package health.vclinic.inference.imaging;

import ai.djl.inference.Predictor;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.inference.InferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads chest X-rays for the service: preprocessing and the saliency drawing run on the caller's
 * thread (in parallel across requests), the network runs on the {@link DynamicBatcher}'s one thread
 * in batches. Every image of a request (one, or one plus 144 occluded copies when a saliency map is
 * asked for) goes through the same batched forward pass, so saliency costs batch slots, not a second
 * code path.
 *
 * <p>Before the model, {@link CxrAssessability} refuses images it was not made for (blank, inverted, not
 * a chest film): those are answered "not assessable" without a forward pass. Work whose
 * {@link Cancellation} is cancelled or past its deadline is dropped at every stage: before it is
 * queued, in the queue, and between the forward chunks of a running batch, so a client that gives up
 * on a saliency map (145 forward passes) does not leave them to run.
 *
 * <p>Thread safe: many threads may call {@link #analyze} at once; that is what feeds the batches.
 */
public final class CxrAnalyzer implements AutoCloseable {

    /** Images per native forward call; bounds the memory of a batch of saliency requests. */
    static final int FORWARD_CHUNK = 512;
    /** The logit fall drawn at full intensity in overlays. */
    static final double OVERLAY_SCALE = 1.0;

    private final CxrModel model;
    private final Predictor<float[], Float> predictor;
    private final DynamicBatcher<Job, float[]> batcher;
    private final OcclusionSaliency occlusion;
    private final SaliencyOverlay overlay;
    private final CxrAssessability gate;
    private final AtomicLong imagesRun = new AtomicLong();
    private final AtomicLong droppedInBatch = new AtomicLong();
    private final AtomicLong notAssessable = new AtomicLong();

    /** One request's model inputs and the handle that says whether its caller still wants them. */
    private record Job(List<float[]> inputs, Cancellation cancellation) {
    }

    private CxrAnalyzer(CxrModel model, DynamicBatcher.Config batching, CxrAssessability gate) {
        this.model = model;
        this.gate = gate;
        this.predictor = model.newPredictor();
        this.occlusion = OcclusionSaliency.standard(model.preprocessing().inputSize());
        this.overlay = SaliencyOverlay.DEFAULT;
        // The predictor is used by the batcher's thread alone.
        this.batcher = new DynamicBatcher<>("cxr-batcher", batching, this::runBatch);
    }

    /**
     * Starts serving {@code model} behind the committed chest film gate
     * ({@link CxrAssessability#standard()}); closing the analyzer closes the model.
     */
    public static CxrAnalyzer start(CxrModel model, DynamicBatcher.Config batching) {
        return start(model, batching, CxrAssessability.standard());
    }

    /** Starts serving {@code model} behind {@code gate}; closing the analyzer closes the model. */
    public static CxrAnalyzer start(CxrModel model, DynamicBatcher.Config batching, CxrAssessability gate) {
        return new CxrAnalyzer(Objects.requireNonNull(model, "model"), Objects.requireNonNull(batching, "batching"),
                Objects.requireNonNull(gate, "gate"));
    }

    /**
     * Reads one image for a caller who cannot cancel (evaluation, benchmarks).
     *
     * @see #analyze(ImageStudy, boolean, Cancellation)
     */
    public CxrFinding analyze(ImageStudy study, boolean withSaliency, Optional<Duration> timeRemaining) {
        return analyze(study, withSaliency, Cancellation.withDeadline(timeRemaining));
    }

    /**
     * Reads one image.
     *
     * @param withSaliency also compute and draw the occlusion saliency map
     * @param cancellation the caller's handle: once cancelled or past its deadline the model does not run
     *     for this request (a chunk already running finishes, its result discarded)
     * @return the finding, or a "not assessable" answer when the image is not one the model was made for
     * @throws BatchRejectedException when the request was cancelled, its deadline passed, the queue is
     *     full or the analyzer is closing
     * @throws InferenceException when the engine fails
     */
    public CxrFinding analyze(ImageStudy study, boolean withSaliency, Cancellation cancellation) {
        if (cancellation.abandoned()) {
            throw cancellation.rejection("the model");
        }
        CxrCalibration calibration = model.calibration();
        Optional<NotAssessable> refused = gate.assess(study);
        if (refused.isPresent()) {
            notAssessable.incrementAndGet();
            return CxrFinding.notAssessable(model.id(), CxrModel.FINDING, calibration.threshold(), refused.get());
        }
        float[] input = model.preprocessing().input(study);
        List<float[]> inputs = new ArrayList<>();
        inputs.add(input);
        if (withSaliency) {
            inputs.addAll(occlusion.occlusions(input));
        }
        float[] logits = cancellation.await(batcher.submit(new Job(inputs, cancellation), cancellation), "the model");
        if (logits.length == 0) {
            throw cancellation.rejection("the model"); // abandoned while its batch ran
        }
        double probability = calibration.probability(logits[0]);
        Optional<CxrFinding.Saliency> saliency = Optional.empty();
        if (withSaliency) {
            float[] map = occlusion.map(logits[0], java.util.Arrays.copyOfRange(logits, 1, logits.length));
            double max = 0;
            for (float v : map) {
                max = Math.max(max, v);
            }
            saliency = Optional.of(new CxrFinding.Saliency(OcclusionSaliency.METHOD,
                    overlay.png(study, map, occlusion.side(), OVERLAY_SCALE), overlay.side(), max));
        }
        return new CxrFinding(model.id(), CxrModel.FINDING, probability, calibration.positive(probability),
                calibration.threshold(), saliency);
    }

    /** The model served (for a raw comparison in benchmarks; do not close it). */
    public CxrModel model() {
        return model;
    }

    /** {@code name@version} of the model served. */
    public String modelId() {
        return model.id();
    }

    public DynamicBatcher.Config batching() {
        return batcher.config();
    }

    /** Batches run so far. */
    public long batches() {
        return batcher.batches();
    }

    /** Requests answered DEADLINE_EXCEEDED while queued, so far. */
    public long expiredInQueue() {
        return batcher.expiredInQueue();
    }

    /**
     * Images the network has run on so far (a saliency request counts 145): what a cancelled request
     * must never add to.
     */
    public long imagesRun() {
        return imagesRun.get();
    }

    /**
     * Requests dropped because they were cancelled or expired: in the queue, or in a running batch
     * before their chunk reached the network.
     */
    public long dropped() {
        return batcher.cancelledInQueue() + droppedInBatch.get();
    }

    /** Requests queued for the model or in a running batch whose callers still wait. */
    public int waiting() {
        return batcher.waiting();
    }

    /** Images answered "not assessable" so far. */
    public long notAssessable() {
        return notAssessable.get();
    }

    /** The gate in front of the model. */
    public CxrAssessability gate() {
        return gate;
    }

    /**
     * Runs a batch in forward chunks of about {@link #FORWARD_CHUNK} images, checking before each chunk
     * which requests are still wanted: an abandoned request gets an empty result and costs no forward
     * pass from then on.
     */
    private List<float[]> runBatch(List<Job> jobs) {
        float[][] out = new float[jobs.size()][];
        List<float[]> chunk = new ArrayList<>();
        List<Integer> members = new ArrayList<>();
        for (int j = 0; j < jobs.size(); j++) {
            if (jobs.get(j).cancellation().abandoned()) {
                droppedInBatch.incrementAndGet();
                out[j] = new float[0];
                continue;
            }
            chunk.addAll(jobs.get(j).inputs());
            members.add(j);
            if (chunk.size() >= FORWARD_CHUNK) {
                forward(jobs, chunk, members, out);
            }
        }
        forward(jobs, chunk, members, out);
        return java.util.Arrays.asList(out);
    }

    private void forward(List<Job> jobs, List<float[]> chunk, List<Integer> members, float[][] out) {
        if (chunk.isEmpty()) {
            return;
        }
        float[] logits = CxrModel.logits(predictor, chunk, FORWARD_CHUNK);
        imagesRun.addAndGet(chunk.size());
        int from = 0;
        for (int j : members) {
            int n = jobs.get(j).inputs().size();
            out[j] = java.util.Arrays.copyOfRange(logits, from, from + n);
            from += n;
        }
        chunk.clear();
        members.clear();
    }

    /** Stops the batcher (queued requests are answered first), then closes the predictor and the model. */
    @Override
    public void close() {
        batcher.close();
        predictor.close();
        model.close();
    }
}
