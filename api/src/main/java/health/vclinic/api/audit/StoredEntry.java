package health.vclinic.api.audit;

import health.vclinic.api.server.ClinicId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An entry as the audit trail holds it: an {@link AuditEntry} with its place in the chain and its time,
 * and the patient only as the keyed hash of the reference ({@link AuditLog#patientHash}).
 *
 * @param sequence    1, 2, 3, ... in chain order
 * @param recorded    when it was appended, by the database's clock, to the microsecond
 * @param patientHash HMAC-SHA256 of the patient reference under the audit key, lower-case hex
 */
public record StoredEntry(long sequence, Instant recorded, String actorSubject, String role, ClinicId clinic,
                          AuditAction action, String objectType, String objectId, Optional<String> patientHash,
                          AuditOutcome outcome, String requestId, Optional<String> reason) {

    public StoredEntry {
        Objects.requireNonNull(recorded, "recorded");
        Objects.requireNonNull(actorSubject, "actorSubject");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(objectType, "objectType");
        Objects.requireNonNull(objectId, "objectId");
        Objects.requireNonNull(patientHash, "patientHash");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(reason, "reason");
    }
}
