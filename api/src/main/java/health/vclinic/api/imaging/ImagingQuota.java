package health.vclinic.api.imaging;

import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.inference.imaging.DecodePool;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Each clinic's share of the imaging pipeline, so that one clinic cannot fill it for the others (the
 * issue's "quotas per clinic ... queued images"): the decode queue and byte budget ({@link DecodePool}) and
 * the model's batches are shared by every clinic, and without a share one clinic sending many large images
 * at once left every other clinic's images refused as overload. A clinic may have at most
 * {@link Limits#maxImages()} images in flight (admitted and not yet answered: waiting for or in a decoder,
 * waiting for or in the model) and at most {@link Limits#maxDecodeBytes()} of decode cost (costed from the
 * header as the decode pool costs it) waiting for or in a decoder. Over either, the request is refused at
 * once, before it costs anything, with QUOTA_EXCEEDED (gRPC RESOURCE_EXHAUSTED, HTTP 429) naming the quota.
 *
 * <p>Default: half of the decode queue and half of the decode byte budget (never less than one largest
 * image), so a clinic alone can use half of what the decoders hold and the other half stays for the others.
 */
public final class ImagingQuota {

    /**
     * @param maxImages      images of one clinic in flight at once
     * @param maxDecodeBytes decode cost of one clinic's images waiting for or in a decoder, in bytes
     */
    public record Limits(int maxImages, long maxDecodeBytes) {
        public Limits {
            if (maxImages < 1 || maxDecodeBytes < 1) {
                throw new IllegalArgumentException("a clinic's imaging quota needs at least 1 image and 1 byte");
            }
        }

        /** Half the decode queue and half its byte budget, but at least one largest image within {@code images}. */
        public static Limits halfOf(DecodePool.Config decoding, ImageLimits images) {
            long oneLargest = Math.min(DecodePool.worstCase(images), decoding.maxInFlightBytes());
            return new Limits(Math.max(1, decoding.maxQueued() / 2),
                    Math.max(oneLargest, decoding.maxInFlightBytes() / 2));
        }
    }

    /** What one clinic holds now. */
    private static final class Share {
        private int images;
        private long decodeBytes;
    }

    private final Limits limits;
    private final Map<ClinicId, Share> shares = new HashMap<>();

    public ImagingQuota(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** The images of {@code clinic} in flight now (for tests and metrics). */
    public synchronized int inFlight(ClinicId clinic) {
        Share s = shares.get(clinic);
        return s == null ? 0 : s.images;
    }

    /**
     * Takes one image of {@code clinic} costing {@code decodeCost} to decode; close the slot when the image
     * is answered (or refused), and call {@link Slot#decoded()} once it is decoded.
     *
     * @throws ApiException QUOTA_EXCEEDED naming the quota the clinic has spent
     */
    public synchronized Slot admit(ClinicId clinic, long decodeCost) {
        Share s = shares.computeIfAbsent(clinic, c -> new Share());
        if (s.images >= limits.maxImages()) {
            throw refused(String.format(Locale.ROOT, "at most %d images of one clinic in flight (waiting, decoding or"
                    + " being analysed); retry when one of them is answered", limits.maxImages()));
        }
        if (s.decodeBytes > 0 && s.decodeBytes + decodeCost > limits.maxDecodeBytes()) {
            throw refused(String.format(Locale.ROOT, "at most %,d MiB of one clinic's images waiting for or in a"
                    + " decoder (costed from their headers); retry when one of them is decoded",
                    limits.maxDecodeBytes() >> 20));
        }
        s.images++;
        s.decodeBytes += decodeCost;
        return new Slot(clinic, decodeCost);
    }

    private static ApiException refused(String quota) {
        return new ApiException(Kind.QUOTA_EXCEEDED, "the clinic's imaging quota is spent: " + quota);
    }

    private synchronized void release(ClinicId clinic, int images, long decodeBytes) {
        Share s = shares.get(clinic);
        s.images -= images;
        s.decodeBytes -= decodeBytes;
        if (s.images == 0 && s.decodeBytes == 0) {
            shares.remove(clinic);
        }
    }

    /** One admitted image: its decode cost goes back when decoded, the image itself when closed. */
    public final class Slot implements AutoCloseable {
        private final ClinicId clinic;
        private long decodeBytes;
        private boolean closed;

        private Slot(ClinicId clinic, long decodeBytes) {
            this.clinic = clinic;
            this.decodeBytes = decodeBytes;
        }

        /** The image is decoded: its decode cost is free for the clinic's next image. */
        public void decoded() {
            release(clinic, 0, decodeBytes);
            decodeBytes = 0;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(clinic, 1, decodeBytes);
                decodeBytes = 0;
            }
        }
    }
}
