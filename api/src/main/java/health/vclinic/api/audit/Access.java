package health.vclinic.api.audit;

import health.vclinic.api.security.BreakGlass;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.PatientRef;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is accessing patient data in the current request, bound for the request's duration by the server
 * (an HTTP filter and a gRPC interceptor, after the gate) so that the data layer can write the audit entry
 * of each access in the same transaction as the access itself, naming the object and patient it touched.
 *
 * @param caller the authenticated caller
 * @param requestId the request's id (see {@code RequestId})
 * @param breakGlass the emergency-access reason, when the caller broke the glass for this request
 */
public record Access(Caller caller, String requestId, Optional<BreakGlass> breakGlass) {

    /** The access of the current request, when the request came through the gate. */
    public static final ScopedValue<Access> CURRENT = ScopedValue.newInstance();

    public Access {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(breakGlass, "breakGlass");
    }

    /** An access within the caller's rights. */
    public Access(Caller caller, String requestId) {
        this(caller, requestId, Optional.empty());
    }

    /** The current request's access, if any (none on internal threads and offline commands). */
    public static Optional<Access> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get()) : Optional.empty();
    }

    /** The audit entry of this access (carrying the break-glass reason, when there is one). */
    public AuditEntry entry(AuditAction action, String objectType, String objectId, Optional<PatientRef> patient,
                            AuditOutcome outcome) {
        AuditEntry plain = AuditEntry.of(caller, action, objectType, objectId, patient, outcome, requestId);
        return breakGlass.map(b -> plain.because(action, b.reason())).orElse(plain);
    }

    /**
     * The audit entries of this access: its own ({@link #entry}) and, under break-glass, first a
     * {@link AuditAction#BREAK_GLASS} security alert about the same object and patient with the reason, so
     * that a search for emergency accesses finds every one.
     */
    public List<AuditEntry> entries(AuditAction action, String objectType, String objectId,
                                    Optional<PatientRef> patient, AuditOutcome outcome) {
        AuditEntry access = entry(action, objectType, objectId, patient, outcome);
        return breakGlass.map(b -> List.of(access.because(AuditAction.BREAK_GLASS, b.reason()), access))
                .orElse(List.of(access));
    }
}
