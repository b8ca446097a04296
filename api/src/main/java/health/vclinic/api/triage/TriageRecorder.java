package health.vclinic.api.triage;

import health.vclinic.api.security.Caller;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.util.Optional;

/**
 * Where the triage endpoint keeps what it answered: the clinical record, given by the composition root.
 * The endpoint answers only once {@link #record} has returned, so an answer the record lost cannot exist.
 */
@FunctionalInterface
public interface TriageRecorder {

    /** No record: answers carry neither a record id nor {@code recorded=true}. */
    TriageRecorder NONE = (caller, request, assessment, latencyNanos) -> new Receipt(Optional.empty(), false);

    /**
     * Keeps one assessment, blocking until it is committed or, when the database is unreachable, spooled.
     *
     * @param caller who asked: the row belongs to the caller's clinic
     * @param request the request as received (its proto, not a re-rendered text)
     * @param assessment the full answer
     * @param latencyNanos time from the request to the answer
     */
    Receipt record(Caller caller, TriageRequest request, TriageAssessment assessment, long latencyNanos);

    /**
     * @param recordId the assessment's id in the record, when there is a record
     * @param recorded true when committed; false when only spooled (or no record)
     */
    record Receipt(Optional<String> recordId, boolean recorded) {
        public Receipt {
            java.util.Objects.requireNonNull(recordId, "recordId");
        }
    }
}
