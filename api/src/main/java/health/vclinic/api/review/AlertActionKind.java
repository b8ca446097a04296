package health.vclinic.api.review;

/**
 * What a clinician did with a monitoring alert. Acknowledged and escalated alerts stay on the worklist,
 * marked; a resolved one leaves it, until its monitor sends a newer event.
 */
public enum AlertActionKind {
    ACKNOWLEDGED,
    ESCALATED,
    RESOLVED
}
