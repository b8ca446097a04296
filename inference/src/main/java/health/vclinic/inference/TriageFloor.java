package health.vclinic.inference;

import java.util.Objects;

/**
 * A level below which a case may not be triaged, set by a rule that encodes published clinical
 * knowledge. Fusion takes the most urgent of all floors; a model can only add urgency on top.
 *
 * @param source the rule that set it, e.g. {@code red-flag:stroke}, {@code news2}, {@code paediatric:heart_rate}
 * @param reason plain words a clinician can check, with the values that fired it
 */
public record TriageFloor(String source, TriageLevel level, String reason) {
    public TriageFloor {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(reason, "reason");
    }
}
