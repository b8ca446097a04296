package health.vclinic.datasets;

import health.vclinic.datasets.imaging.ImageStudy;
import java.util.Objects;
import java.util.Optional;

/**
 * One triage encounter: who, what was measured, what was said. The same record is built from gRPC,
 * HTTP JSON, FHIR and the data-set readers, so every path is assessed by the same code.
 *
 * @param encounterId the caller's reference, echoed back and never logged; at most 128 characters
 * @param chestXray a chest radiograph sent with the encounter, decoded to grey, when there is one
 */
public record Encounter(String encounterId, Patient patient, VitalSigns vitals, Interview interview,
                        Optional<ImageStudy> chestXray) {

    public Encounter {
        Objects.requireNonNull(encounterId, "encounterId");
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(vitals, "vitals");
        Objects.requireNonNull(interview, "interview");
        Checks.present(chestXray, "chestXray");
        if (encounterId.length() > 128) {
            throw new InvalidInputException("encounter_id", "must be at most 128 characters");
        }
    }

    /** An encounter without images. */
    public Encounter(String encounterId, Patient patient, VitalSigns vitals, Interview interview) {
        this(encounterId, patient, vitals, interview, Optional.empty());
    }
}
