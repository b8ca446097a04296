package health.vclinic.inference;

import java.util.List;
import java.util.Objects;

/**
 * The fused level, who set it and every floor that took part (most urgent first).
 *
 * @param decidedBy the source of the floor or model that set the level
 */
public record TriageDecision(TriageLevel level, Disposition disposition, String decidedBy, List<TriageFloor> floors) {
    public TriageDecision {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(decidedBy, "decidedBy");
        floors = List.copyOf(floors);
    }
}
