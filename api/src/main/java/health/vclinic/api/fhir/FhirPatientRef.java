package health.vclinic.api.fhir;

import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * How a FHIR Patient becomes the clinic's pseudonymous {@code patient_ref}, so that FHIR and CDS Hooks
 * calls join the patient's timeline in the clinical record:
 * <ol>
 *   <li>the value of the Patient's identifier whose system is {@value #SYSTEM}, when it has one;</li>
 *   <li>else the value of its first identifier that has a value;</li>
 *   <li>else, for CDS Hooks only, {@code context.patientId} (the EHR's id of the patient); for
 *       {@code $triage}, none (the call is kept without a patient).</li>
 * </ol>
 * The value must be a valid {@link PatientRef} (1 to 128 printable ASCII characters without spaces);
 * otherwise the call is refused naming the identifier, as gRPC refuses a bad {@code patient_ref}. A
 * clinic sends its pseudonym under {@value #SYSTEM} rather than a medical record number.
 */
public final class FhirPatientRef {

    /** The identifier system of the clinic's pseudonymous patient reference. */
    public static final String SYSTEM = "urn:vclinic:patient-ref";

    private FhirPatientRef() {
    }

    /**
     * The reference of {@code patient} by the rule above (steps 1 and 2).
     *
     * @param path the FHIRPath of the Patient in the caller's request, for error messages
     * @throws InvalidInputException naming the identifier when its value is not a valid patient_ref
     */
    static Optional<PatientRef> of(Patient patient, String path) {
        List<Identifier> ids = patient.getIdentifier();
        int chosen = -1;
        for (int i = 0; i < ids.size() && chosen < 0; i++) {
            if (SYSTEM.equals(ids.get(i).getSystem()) && ids.get(i).hasValue()) {
                chosen = i;
            }
        }
        for (int i = 0; i < ids.size() && chosen < 0; i++) {
            if (ids.get(i).hasValue()) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PatientRef(ids.get(chosen).getValue()));
        } catch (InvalidInputException e) {
            throw new InvalidInputException(path + ".identifier[" + chosen + "].value", "must be 1 to "
                    + PatientRef.MAX_LENGTH + " printable ASCII characters without spaces: vclinic keeps it as the"
                    + " patient's pseudonymous patient_ref (send the pseudonym under system " + SYSTEM + ")");
        }
    }
}
