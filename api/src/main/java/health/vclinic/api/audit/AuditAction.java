package health.vclinic.api.audit;

/**
 * What an audited call did, after IHE Basic Audit Log Patterns (BALP): the RESTful interactions on patient
 * data (create, read, update, query, export, erase), authentication (login, logout, failed login), and the
 * security alerts (a denial, an emergency access). Each renders as a FHIR R4 {@code AuditEvent} with the
 * BALP type, subtype and action code ({@link #fhirAction()}).
 */
public enum AuditAction {
    CREATE("C"),
    READ("R"),
    UPDATE("U"),
    /** A search over several objects (BALP Query). */
    QUERY("E"),
    /** Data leaving the service, e.g. a patient's record for their right of access (DICOM Export). */
    EXPORT("R"),
    /** A patient's erasure (RESTful delete). */
    ERASE("D"),
    LOGIN("E"),
    LOGOUT("E"),
    LOGIN_FAILED("E"),
    /** A call refused for want of permission (a BALP security alert). */
    DENIED("E"),
    /** Emergency access beyond the caller's usual rights; a reason is required (HIPAA §164.312(a)(2)(ii)). */
    BREAK_GLASS("E");

    private final String fhirAction;

    AuditAction(String fhirAction) {
        this.fhirAction = fhirAction;
    }

    /** FHIR R4 {@code AuditEvent.action}: C, R, U, D or E. */
    public String fhirAction() {
        return fhirAction;
    }
}
