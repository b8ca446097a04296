package health.vclinic.inference.imaging;

import ai.djl.inference.Predictor;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.inference.InferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Reads chest X-rays for the service: preprocessing and the saliency drawing run on the caller's
 * thread (in parallel across requests), the network runs on the {@link DynamicBatcher}'s one thread
 * in batches. Every image of a request (one, or one plus 144 occluded copies when a saliency map is
 * asked for) goes through the same batched forward pass, so saliency costs batch slots, not a second
 * code path.
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
    private final DynamicBatcher<List<float[]>, float[]> batcher;
    private final OcclusionSaliency occlusion;
    private final SaliencyOverlay overlay;

    private CxrAnalyzer(CxrModel model, DynamicBatcher.Config batching) {
        this.model = model;
        this.predictor = model.newPredictor();
        this.occlusion = OcclusionSaliency.standard(model.preprocessing().inputSize());
        this.overlay = SaliencyOverlay.DEFAULT;
        // The predictor is used by the batcher's thread alone.
        this.batcher = new DynamicBatcher<>("cxr-batcher", batching, this::runBatch);
    }

    /** Starts serving {@code model}; closing the analyzer closes the model. */
    public static CxrAnalyzer start(CxrModel model, DynamicBatcher.Config batching) {
        return new CxrAnalyzer(Objects.requireNonNull(model, "model"), Objects.requireNonNull(batching, "batching"));
    }

    /**
     * Reads one image.
     *
     * @param withSaliency also compute and draw the occlusion saliency map
     * @param timeRemaining the caller's deadline; when it passes in the queue the model is not run
     * @throws BatchRejectedException when the deadline passed in the queue, the queue is full or the
     *     analyzer is closing
     * @throws InferenceException when the engine fails
     */
    public CxrFinding analyze(ImageStudy study, boolean withSaliency, Optional<Duration> timeRemaining) {
        float[] input = model.preprocessing().input(study);
        List<float[]> inputs = new ArrayList<>();
        inputs.add(input);
        if (withSaliency) {
            inputs.addAll(occlusion.occlusions(input));
        }
        float[] logits = await(batcher.submit(inputs, timeRemaining));
        CxrCalibration calibration = model.calibration();
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

    private List<float[]> runBatch(List<List<float[]>> requests) {
        List<float[]> all = new ArrayList<>();
        requests.forEach(all::addAll);
        float[] logits = CxrModel.logits(predictor, all, FORWARD_CHUNK);
        List<float[]> out = new ArrayList<>(requests.size());
        int from = 0;
        for (List<float[]> request : requests) {
            out.add(java.util.Arrays.copyOfRange(logits, from, from + request.size()));
            from += request.size();
        }
        return out;
    }

    private static float[] await(java.util.concurrent.CompletableFuture<float[]> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new InferenceException("the chest X-ray model failed", e.getCause());
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new BatchRejectedException(BatchRejectedException.Reason.CLOSED, "interrupted while waiting for the model");
        }
    }

    /** Stops the batcher (queued requests are answered first), then closes the predictor and the model. */
    @Override
    public void close() {
        batcher.close();
        predictor.close();
        model.close();
    }
}
