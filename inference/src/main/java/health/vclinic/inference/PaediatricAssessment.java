package health.vclinic.inference;

import java.util.List;

/**
 * Vital signs of a child compared with age-appropriate limits, and the floors they set.
 *
 * @param applicable true for a patient under 16 years
 * @param ageBand the APLS age band used ("1-2 years"), empty when not applicable
 */
public record PaediatricAssessment(
        boolean applicable, String ageBand, String source, List<VitalCheck> checks, List<TriageFloor> floors) {

    static final PaediatricAssessment NOT_APPLICABLE =
            new PaediatricAssessment(false, "", "", List.of(), List.of());

    public PaediatricAssessment {
        checks = List.copyOf(checks);
        floors = List.copyOf(floors);
    }
}
