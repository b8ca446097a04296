package health.vclinic.api.audit;

/**
 * How an audited call ended, rendered as FHIR R4 {@code AuditEvent.outcome}: success 0, denied 4 (minor
 * failure: refused as it should be), failure 8 (serious failure).
 */
public enum AuditOutcome {
    SUCCESS("0"),
    FAILURE("8"),
    DENIED("4");

    private final String fhirCode;

    AuditOutcome(String fhirCode) {
        this.fhirCode = fhirCode;
    }

    /** The {@code AuditEvent.outcome} code. */
    public String fhirCode() {
        return fhirCode;
    }
}
