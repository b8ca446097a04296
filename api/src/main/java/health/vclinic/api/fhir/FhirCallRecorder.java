package health.vclinic.api.fhir;

import health.vclinic.api.server.ClinicId;

/**
 * Where the FHIR routes keep each {@code $triage} and CDS Hooks call with the RiskAssessment it produced:
 * the clinical record, given by the composition root. Called before the answer leaves, so that an answer
 * that names a record id can always be read back.
 */
@FunctionalInterface
public interface FhirCallRecorder {

    /** No record: answers carry no RiskAssessment id. */
    FhirCallRecorder NONE = (clinic, call) -> false;

    /**
     * Keeps one call of {@code clinic} (the caller's), blocking until it is committed.
     *
     * @return false when it could not be kept (the database is unreachable): the answer is still given,
     *     without an id
     */
    boolean record(ClinicId clinic, FhirCall call);
}
