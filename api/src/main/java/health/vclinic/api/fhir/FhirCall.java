package health.vclinic.api.fhir;

import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.Encounter;
import health.vclinic.inference.TriageResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One FHIR {@code $triage} or CDS Hooks call as the clinical record keeps it: the request as received and
 * the FHIR R4 RiskAssessment it produced, whose {@code id} is {@code recordId}.
 *
 * @param patient the patient's reference, mapped by {@link FhirPatientRef}; empty when the record held none
 * @param calledAt when the answer was made, at the database's precision (microseconds)
 * @param operation {@link #TRIAGE} or {@link #PATIENT_VIEW}
 * @param request the body as received (FHIR R4 JSON, or the CDS Hooks request)
 * @param riskAssessment the RiskAssessment answered, FHIR R4 JSON
 * @param assessment what the engine was asked and answered, which the record also keeps as a triage
 *     assessment with the same id (so that a card's feedback, the worklist and the reviews export find it
 *     like any other); empty only for a call kept without it
 */
public record FhirCall(UUID recordId, Optional<PatientRef> patient, Instant calledAt, String operation,
                       String request, String riskAssessment, Optional<Assessment> assessment) {

    /**
     * The engine's part of a call.
     *
     * @param encounter what the FHIR reader made of the request
     * @param result the engine's answer
     * @param latency from the request read to the answer made
     */
    public record Assessment(Encounter encounter, TriageResult result, Duration latency) {
        public Assessment {
            Objects.requireNonNull(encounter, "encounter");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(latency, "latency");
        }
    }

    /** A call kept without the engine's part (the FHIR view alone). */
    public FhirCall(UUID recordId, Optional<PatientRef> patient, Instant calledAt, String operation, String request,
                    String riskAssessment) {
        this(recordId, patient, calledAt, operation, request, riskAssessment, Optional.empty());
    }

    /** The FHIR operation {@code POST /fhir/r4/$triage}. */
    public static final String TRIAGE = "$triage";
    /** The CDS Hooks hook of {@code POST /cds-services/vclinic-triage}. */
    public static final String PATIENT_VIEW = CdsHooks.HOOK;

    public FhirCall {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(patient, "patient");
        calledAt = calledAt.truncatedTo(ChronoUnit.MICROS);
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(riskAssessment, "riskAssessment");
        Objects.requireNonNull(assessment, "assessment");
    }
}
