package health.vclinic.datasets;

import java.util.Objects;

/**
 * One triage encounter: who, what was measured, what was said. The same record is built from gRPC,
 * HTTP JSON, FHIR and the data-set readers, so every path is assessed by the same code.
 *
 * @param encounterId the caller's reference, echoed back and never logged; at most 128 characters
 */
public record Encounter(String encounterId, Patient patient, VitalSigns vitals, Interview interview) {

    public Encounter {
        Objects.requireNonNull(encounterId, "encounterId");
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(vitals, "vitals");
        Objects.requireNonNull(interview, "interview");
        if (encounterId.length() > 128) {
            throw new InvalidInputException("encounter_id", "must be at most 128 characters");
        }
    }
}
