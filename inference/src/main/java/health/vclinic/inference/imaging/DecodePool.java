package health.vclinic.inference.imaging;

import health.vclinic.datasets.imaging.ImageDecoder;
import health.vclinic.datasets.imaging.ImageHeader;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decodes request images on a few platform threads, admitting each by what it will cost, so image load
 * cannot starve the rest of the server. Two things went wrong without it: decoding ran on the request's
 * virtual thread, so 32 large PNGs pinned every carrier thread and health checks waited behind them;
 * and nothing bounded the decoded rasters (a 4096 × 4096 16-bit RGBA PNG of a few megabytes is a
 * 128 MiB raster), so 32 at once took the process from 0.85 to 4.2 GB.
 *
 * <p>Admission happens on the caller's thread from the header alone ({@link ImageHeader}): an image
 * over the pixel limit is refused as the client's error ({@link health.vclinic.datasets.InvalidInputException});
 * one that would take the bytes in flight (encoded + raster + grey copies, of every image decoding or
 * waiting) over {@link Config#maxInFlightBytes()}, or the waiting images over
 * {@link Config#maxQueued()}, is refused at once as overload ({@link BatchRejectedException.Reason#QUEUE_FULL}:
 * gRPC RESOURCE_EXHAUSTED, HTTP 503), never queued to wait without bound. Work whose
 * {@link Cancellation} is cancelled or expired when a thread reaches it is dropped undecoded.
 */
public final class DecodePool implements AutoCloseable {

    /** Grey bytes held per pixel besides the raster: the luminance, the study's copy, the copy it hands out. */
    private static final int GREY_COPIES = 3;

    /**
     * @param threads decoding threads (default half the cores, at least 1: the rest serve requests and
     *     run the model)
     * @param maxInFlightBytes most bytes all admitted images may take at once (default a quarter of the
     *     heap, and never less than one largest image at the default limits)
     * @param maxQueued most images admitted and not yet finished (default 64)
     */
    public record Config(int threads, long maxInFlightBytes, int maxQueued) {

        public Config {
            if (threads < 1 || maxInFlightBytes < 1 || maxQueued < 1) {
                throw new IllegalArgumentException("decode threads, byte budget and queue must be positive");
            }
        }

        /** The defaults above, for this JVM. */
        public static Config defaults() {
            return new Config(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                    Math.max(Runtime.getRuntime().maxMemory() / 4, worstCase(ImageLimits.DEFAULT)), 64);
        }
    }

    private final Config config;
    private final ExecutorService executor;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong decoded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** Starts {@link Config#threads()} daemon decoding threads. */
    public DecodePool(Config config) {
        this(config, Executors.newFixedThreadPool(config.threads(),
                Thread.ofPlatform().name("image-decode-", 0).daemon(true).factory()));
    }

    /**
     * Decodes on {@code executor}, which the pool then owns and shuts down; {@link Config#threads()} is
     * then the caller's promise about it (tests pass a one-thread executor they can hold busy).
     */
    public DecodePool(Config config, ExecutorService executor) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** The most bytes one image within {@code limits} can cost: the byte limit plus a 16-bit RGBA raster. */
    public static long worstCase(ImageLimits limits) {
        return limits.maxBytes() + limits.maxPixels() * (8 + GREY_COPIES);
    }

    /** What decoding the image this header describes holds while it waits and runs. */
    public static long cost(ImageHeader header, int encodedBytes) {
        return encodedBytes + header.rasterBytes() + header.pixels() * GREY_COPIES;
    }

    /**
     * Checks the header, admits the image, decodes it on a pool thread and waits for it.
     *
     * @throws health.vclinic.datasets.InvalidInputException naming {@code field} when the bytes are
     *     refused (over a limit, truncated, corrupt)
     * @throws BatchRejectedException QUEUE_FULL when decoding is at capacity; CANCELLED or
     *     DEADLINE_EXCEEDED when {@code cancellation} stopped it; CLOSED when the pool is shut down
     */
    public ImageStudy decode(byte[] bytes, ImageLimits limits, String studyId, String field,
                             Cancellation cancellation) {
        ImageHeader header = ImageHeader.read(bytes, limits, field);
        if (cancellation.abandoned()) {
            throw cancellation.rejection("an image decoder");
        }
        long cost = cost(header, bytes.length);
        admit(cost);
        CompletableFuture<ImageStudy> result = new CompletableFuture<>();
        try {
            executor.execute(() -> run(result, bytes, limits, studyId, field, cancellation, cost));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release(cost);
            throw new BatchRejectedException(BatchRejectedException.Reason.CLOSED,
                    "the image decoder is shutting down; retry on another instance");
        }
        cancellation.onCancel(() -> result.cancel(false));
        return cancellation.await(result, "an image decoder");
    }

    private void admit(long cost) {
        if (cost > config.maxInFlightBytes()) {
            refused.incrementAndGet();
            throw new BatchRejectedException(BatchRejectedException.Reason.QUEUE_FULL, String.format(Locale.ROOT,
                    "the image would take %,d MiB to decode, more than this server's image budget of %,d MiB;"
                    + " send it with fewer pixels or 8-bit samples", mib(cost), mib(config.maxInFlightBytes())));
        }
        if (inFlight.incrementAndGet() > config.maxQueued()) {
            inFlight.decrementAndGet();
            refused.incrementAndGet();
            throw new BatchRejectedException(BatchRejectedException.Reason.QUEUE_FULL, "image decoding is at"
                    + " capacity (" + config.maxQueued() + " images decoding or waiting); retry with backoff");
        }
        long after = inFlightBytes.addAndGet(cost);
        if (after > config.maxInFlightBytes()) {
            inFlightBytes.addAndGet(-cost);
            inFlight.decrementAndGet();
            refused.incrementAndGet();
            throw new BatchRejectedException(BatchRejectedException.Reason.QUEUE_FULL, String.format(Locale.ROOT,
                    "image decoding is at capacity (%,d MiB of images decoding or waiting, at most %,d MiB);"
                    + " retry with backoff", mib(after - cost), mib(config.maxInFlightBytes())));
        }
    }

    private void release(long cost) {
        inFlightBytes.addAndGet(-cost);
        inFlight.decrementAndGet();
    }

    /**
     * On a pool thread. The budget is released whatever happens, including when the work is dropped,
     * and before the caller is answered, so a caller that sees its answer sees the budget free.
     */
    private void run(CompletableFuture<ImageStudy> result, byte[] bytes, ImageLimits limits, String studyId,
                     String field, Cancellation cancellation, long cost) {
        ImageStudy study = null;
        Throwable failure = null;
        try {
            if (result.isDone() || cancellation.abandoned()) {
                dropped.incrementAndGet();
                failure = cancellation.rejection("an image decoder");
            } else {
                study = ImageDecoder.decode(bytes, limits, studyId, field);
                decoded.incrementAndGet();
            }
        } catch (RuntimeException | Error e) {
            // An Error (out of memory in a decoder) fails this image only, never the pool thread.
            failure = e;
        } finally {
            release(cost);
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(study);
        }
    }

    public Config config() {
        return config;
    }

    /** Images decoded so far. */
    public long decoded() {
        return decoded.get();
    }

    /** Images dropped undecoded because their caller cancelled or their deadline passed. */
    public long dropped() {
        return dropped.get();
    }

    /** Images refused at admission (over the byte budget or the queue). */
    public long refused() {
        return refused.get();
    }

    /** Images admitted and not yet finished (decoding, or waiting for a thread). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Bytes held by images decoding or waiting now. */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /**
     * Takes no more images; those admitted are still decoded (their callers are waiting, and the queue
     * is bounded), then the threads stop.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
