package health.vclinic.evaluation.monitoring;

import health.vclinic.datasets.monitoring.SepsisStay;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one method did on one stay.
 *
 * @param stay the stay
 * @param raised when each alert (or alert episode, for a baseline) started, in order
 * @param pages how many of those, or of later escalations, would page a nurse (MEDIUM or HIGH)
 * @param kinds raised alerts by kind ({@code NEWS2}, {@code TREND}, ...; a baseline's own name)
 */
record StayOutcome(SepsisStay stay, List<Instant> raised, int pages, Map<String, Integer> kinds) {

    StayOutcome {
        Objects.requireNonNull(stay, "stay");
        raised = List.copyOf(raised);
        kinds = Map.copyOf(kinds);
    }
}
