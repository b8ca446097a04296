package health.vclinic.datasets.reviews;

/** What a clinician did with an assessment's level. */
public enum ReviewAction {
    /** The level stands. */
    CONFIRMED,
    /** The clinician set another level (or, from CDS Hooks, dismissed the card), with a coded reason. */
    OVERRIDDEN
}
