package health.vclinic.inference.news2;

/**
 * NEWS2 clinical risk (RCP 2017, Chart 4), with the clinical response the chart asks for.
 */
public enum News2Band {
    /** Aggregate 0-4 with no single parameter scoring 3. */
    LOW("ward-based response: a registered nurse assesses and decides on monitoring frequency"),
    /** A single parameter scoring 3, aggregate 0-4. */
    LOW_MEDIUM("urgent ward-based response: a registered nurse informs the medical team, who review"),
    /** Aggregate 5-6: the key threshold for an urgent response. */
    MEDIUM("urgent response: urgent assessment by a clinician competent in acute illness"),
    /** Aggregate 7 or more. */
    HIGH("emergency response: emergency assessment by a team with critical-care competencies");

    private final String clinicalResponse;

    News2Band(String clinicalResponse) {
        this.clinicalResponse = clinicalResponse;
    }

    public String clinicalResponse() {
        return clinicalResponse;
    }
}
