package health.vclinic.inference;

import java.util.Objects;
import java.util.Optional;

/**
 * What an imaging model saw in one image of an encounter.
 *
 * @param summary plain words for the explanation, e.g. "chest X-ray read by cxr-pneumonia@1: pneumonia
 *     probability 0.93 (threshold 0.39)"
 * @param floor the floor a positive finding sets; empty for a negative read
 */
public record ImagingRead(String summary, Optional<TriageFloor> floor) {
    public ImagingRead {
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(floor, "floor");
    }
}
