package health.vclinic.api.audit;

import health.vclinic.api.security.Caller;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One audited event before it is appended (its time and sequence number are assigned by
 * {@link AuditLog#append}): who did what to which object of which clinic, about which patient, how it ended
 * and in which request. The fields of HIPAA §164.312(b) audit controls and of IHE BALP's AuditEvent.
 *
 * @param actorSubject who acted: a client id or a user login (for a failed login, the login tried); never a patient
 * @param role         the actor's role name ({@code backend}, {@code clinician}, ...; {@code none} before login)
 * @param objectType   the kind of object acted on ({@code TriageAssessment}, {@code Patient}, {@code Session}, ...)
 * @param objectId     its id, or what a query searched ({@code search}); never a patient reference: that goes
 *                     in {@code patient}, where it is stored only as a keyed hash
 * @param patient      the patient the data is about, when there is one
 * @param requestId    the request's id, to correlate with the service's other records
 * @param reason       the emergency-access justification: required for {@link AuditAction#BREAK_GLASS}, and
 *                     present on every access made under break-glass, absent otherwise (it marks the entry
 *                     as emergency access, v3-ActReason BTG); free text kept only here, never logged
 */
public record AuditEntry(String actorSubject, String role, ClinicId clinic, AuditAction action, String objectType,
                         String objectId, Optional<PatientRef> patient, AuditOutcome outcome, String requestId,
                         Optional<String> reason) {

    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern OBJECT_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,128}");
    /** Longest reason kept. */
    public static final int MAX_REASON = 500;

    public AuditEntry {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        text("actorSubject", actorSubject, 256);
        require("role", role != null && ROLE.matcher(role).matches(), "1 to 32 lower-case letters, digits or hyphens");
        require("objectType", objectType != null && OBJECT_TYPE.matcher(objectType).matches(),
                "a type name of 1 to 64 letters, digits, '.', '_' or '-'");
        text("objectId", objectId, 256);
        require("requestId", requestId != null && TOKEN.matcher(requestId).matches(),
                "1 to 128 printable ASCII characters without spaces");
        reason.ifPresent(r -> text("reason", r, MAX_REASON));
        require("reason", reason.isPresent() || action != AuditAction.BREAK_GLASS, "given for BREAK_GLASS");
    }

    /** An event by the authenticated {@code caller}, in its clinic; no reason. */
    public static AuditEntry of(Caller caller, AuditAction action, String objectType, String objectId,
                                Optional<PatientRef> patient, AuditOutcome outcome, String requestId) {
        return new AuditEntry(caller.subject(), caller.role().wireName(), caller.clinic(), action, objectType,
                objectId, patient, outcome, requestId, Optional.empty());
    }

    /** This entry as {@code action} with the break-glass {@code reason}. */
    AuditEntry because(AuditAction action, String reason) {
        return new AuditEntry(actorSubject, role, clinic, action, objectType, objectId, patient, outcome, requestId,
                Optional.of(reason));
    }

    private static void text(String field, String value, int max) {
        require(field, value != null && !value.isBlank() && value.length() <= max
                && value.chars().noneMatch(Character::isISOControl), "1 to " + max + " characters, no control characters");
    }

    private static void require(String field, boolean ok, String allowed) {
        if (!ok) {
            // Never the value: a misused field could hold patient data.
            throw new IllegalArgumentException("audit entry " + field + " must be " + allowed);
        }
    }
}
