package health.vclinic.inference;

import java.util.Objects;
import java.util.Optional;

/**
 * What an imaging model saw in one image of an encounter.
 *
 * @param summary plain words for the explanation, e.g. "chest X-ray read by cxr-pneumonia@1: pneumonia
 *     probability 0.93 (threshold 0.39)"
 * @param floor the floor a positive finding sets; empty for a negative read
 * @param reviewReason why a clinician should look at the image although no floor was set (an image
 *     the model could not assess); empty otherwise
 */
public record ImagingRead(String summary, Optional<TriageFloor> floor, Optional<String> reviewReason) {
    public ImagingRead {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(reviewReason, "reviewReason");
    }

    /** A read that asks for no review beyond what its floor implies. */
    public ImagingRead(String summary, Optional<TriageFloor> floor) {
        this(summary, floor, Optional.empty());
    }
}
