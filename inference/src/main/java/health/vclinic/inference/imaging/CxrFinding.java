package health.vclinic.inference.imaging;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What the chest X-ray model says about one image.
 *
 * @param modelId the model and version that read it, e.g. {@code cxr-pneumonia@1}
 * @param finding what it looks for, {@code pneumonia}
 * @param probability the calibrated probability of the finding, 0 to 1
 * @param positive whether {@code probability >= threshold}
 * @param threshold the model's operating point (from its card)
 * @param saliency where it looked, when asked for
 * @param notAssessable present when the image is not one the model was made for: then the model did not
 *     read it, the probability is 0, the finding is not positive and there is no saliency map
 */
public record CxrFinding(String modelId, String finding, double probability, boolean positive, double threshold,
                         Optional<Saliency> saliency, Optional<NotAssessable> notAssessable) {

    public CxrFinding {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(saliency, "saliency");
        Objects.requireNonNull(notAssessable, "notAssessable");
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("a probability lies from 0 to 1");
        }
        if (notAssessable.isPresent() && (positive || probability != 0 || saliency.isPresent())) {
            throw new IllegalArgumentException("an image not assessed has no probability, label or saliency");
        }
    }

    /** A read of an image the model assessed. */
    public CxrFinding(String modelId, String finding, double probability, boolean positive, double threshold,
                      Optional<Saliency> saliency) {
        this(modelId, finding, probability, positive, threshold, saliency, Optional.empty());
    }

    /** The answer for an image the model was not made for; the model did not run. */
    public static CxrFinding notAssessable(String modelId, String finding, double threshold, NotAssessable why) {
        return new CxrFinding(modelId, finding, 0, false, threshold, Optional.empty(), Optional.of(why));
    }

    /** True when the model read the image. */
    public boolean assessable() {
        return notAssessable.isEmpty();
    }

    /**
     * A saliency map drawn over the image.
     *
     * @param method how it was computed, e.g. {@link OcclusionSaliency#METHOD}
     * @param overlayPng the map over the centre square of the image, a PNG
     * @param side the PNG's width and height
     * @param maxLogitDrop the largest fall of the logit when a region was hidden (0 when none raised it)
     */
    public record Saliency(String method, byte[] overlayPng, int side, double maxLogitDrop) {
        public Saliency {
            Objects.requireNonNull(method, "method");
            overlayPng = overlayPng.clone();
        }

        @Override
        public byte[] overlayPng() {
            return overlayPng.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Saliency s && method.equals(s.method) && Arrays.equals(overlayPng, s.overlayPng)
                    && side == s.side && Double.compare(maxLogitDrop, s.maxLogitDrop) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(method, Arrays.hashCode(overlayPng), side, maxLogitDrop);
        }

        @Override
        public String toString() {
            return "Saliency[" + method + ", " + overlayPng.length + " bytes of PNG]";
        }
    }
}
