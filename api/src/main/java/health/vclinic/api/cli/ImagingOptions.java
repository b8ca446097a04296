package health.vclinic.api.cli;

import health.vclinic.models.ProjectRoot;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.inference.imaging.DecodePool;
import health.vclinic.inference.imaging.DynamicBatcher;
import health.vclinic.models.ModelRepository;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The imaging options of {@code serve} and {@code bench}, a picocli mixin: where the model repository
 * is, and how requests are batched. Every option has a default, so {@code ./vclinic serve} serves the
 * committed model as it is.
 */
public final class ImagingOptions {

    @Option(names = "--models", description = "Model repository (default: models/repository under the project root).")
    Path models;

    @Option(names = "--no-imaging", description = "Do not load the chest X-ray model.")
    boolean disabled;

    @Option(names = "--imaging-max-batch", defaultValue = "32",
            description = "Most imaging requests run as one batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--imaging-max-queue-delay-ms", defaultValue = "2",
            description = "Longest a request waits for others to fill its batch, in ms (default: ${DEFAULT-VALUE}).")
    double maxQueueDelayMillis;

    @Option(names = "--imaging-threads", defaultValue = "0",
            description = "PyTorch intra-op threads for the imaging model (default: half the cores, at least 1; the"
                    + " other half decode images and serve gRPC).")
    int threads;

    @Option(names = "--imaging-max-queue", defaultValue = "1024",
            description = "Most imaging requests waiting; more get RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--imaging-decode-threads", defaultValue = "0",
            description = "Threads that decode request images (default: half the cores, at least 1; decoding off the"
                    + " request threads keeps health checks and triage answering under image load).")
    int decodeThreads;

    @Option(names = "--imaging-decode-budget-mb", defaultValue = "0",
            description = "Most MiB that images being decoded or waiting may take, costed from their headers (encoded"
                    + " bytes + decoded raster + grey copies); more get RESOURCE_EXHAUSTED (default: a quarter of the"
                    + " heap, at least one largest image).")
    long decodeBudgetMb;

    @Option(names = "--imaging-decode-queue", defaultValue = "64",
            description = "Most images decoding or waiting for a decoder; more get RESOURCE_EXHAUSTED"
                    + " (default: ${DEFAULT-VALUE}).")
    int decodeQueue;

    @Option(names = "--imaging-clinic-max-images", defaultValue = "0",
            description = "Most images of one clinic in flight at once (waiting, decoding or being analysed); more get"
                    + " RESOURCE_EXHAUSTED / 429 naming the quota (default: half of --imaging-decode-queue, so one"
                    + " clinic cannot fill it for the others; a clinic also gets at most half the decode budget).")
    int clinicMaxImages;

    /** The decode pool these options describe; 0 means the default for threads and budget. */
    public DecodePool.Config decoding() {
        DecodePool.Config defaults = DecodePool.Config.defaults();
        return new DecodePool.Config(decodeThreads > 0 ? decodeThreads : defaults.threads(),
                decodeBudgetMb > 0 ? decodeBudgetMb << 20 : defaults.maxInFlightBytes(), decodeQueue);
    }

    /** The repository these options name. */
    public Path repository() {
        return models != null ? models
                : ProjectRoot.path().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT);
    }

    /** The model's intra-op threads: as given, else half the cores, at least 1. */
    public int threads() {
        return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /** The batching these options describe. */
    public DynamicBatcher.Config batching() {
        return new DynamicBatcher.Config(maxBatch, Duration.ofNanos((long) (maxQueueDelayMillis * 1_000_000)), maxQueue);
    }

    /**
     * Opens the imaging endpoint, unless disabled or the repository has no {@code cxr-pneumonia} at
     * all (then it says so on {@code out}). A model that is present but fails to load or verify stops
     * the start: a service must not quietly run without the model it was deployed with.
     */
    public Optional<ImagingEndpoint> open(PrintStream out) {
        if (disabled) {
            return Optional.empty();
        }
        Path root = repository();
        if (!Files.isDirectory(root.resolve(CxrModel.NAME))) {
            out.println("imaging: no " + CxrModel.NAME + " model in " + root + "; ImagingService is not served");
            return Optional.empty();
        }
        CxrModel.intraOpThreads(threads());
        ImagingEndpoint endpoint = ImagingEndpoint.open(root, batching(), ImageLimits.DEFAULT, decoding());
        if (clinicMaxImages > 0) {
            endpoint.limitEachClinicTo(clinicMaxImages);
        }
        return Optional.of(endpoint);
    }
}
