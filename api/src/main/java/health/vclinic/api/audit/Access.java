package health.vclinic.api.audit;

import health.vclinic.api.security.Caller;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is accessing patient data in the current request, bound for the request's duration by the server
 * (an HTTP filter and a gRPC interceptor, after the gate) so that the data layer can write the audit entry
 * of each access in the same transaction as the access itself, naming the object and patient it touched.
 *
 * @param caller the authenticated caller
 * @param requestId the request's id (see {@code RequestId})
 */
public record Access(Caller caller, String requestId) {

    /** The access of the current request, when the request came through the gate. */
    public static final ScopedValue<Access> CURRENT = ScopedValue.newInstance();

    public Access {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(requestId, "requestId");
    }

    /** The current request's access, if any (none on internal threads and offline commands). */
    public static Optional<Access> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** The audit entry of this access. */
    public AuditEntry entry(AuditAction action, String objectType, String objectId,
                            Optional<health.vclinic.api.server.PatientRef> patient, AuditOutcome outcome) {
        return AuditEntry.of(caller, action, objectType, objectId, patient, outcome, requestId);
    }
}
