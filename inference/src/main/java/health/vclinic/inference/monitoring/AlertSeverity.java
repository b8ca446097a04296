package health.vclinic.inference.monitoring;

/**
 * How urgently an alert needs a clinician, aligned with the NEWS2 clinical response (RCP 2017,
 * Chart 4) so that staff read one scale: MEDIUM is the urgent-response threshold (aggregate 5-6),
 * HIGH the emergency response (7 or more).
 */
public enum AlertSeverity {
    /** Technical or advisory: shown on the dashboard, never pages anyone. */
    INFO,
    /** Review at the next routine check. */
    LOW,
    /** Urgent review by a clinician (NEWS2 5-6 level). */
    MEDIUM,
    /** Emergency response (NEWS2 7+ level). */
    HIGH;

    /** True when a nurse should be paged. */
    public boolean pages() {
        return compareTo(MEDIUM) >= 0;
    }
}
