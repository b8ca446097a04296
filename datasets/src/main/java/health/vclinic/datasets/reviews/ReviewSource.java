package health.vclinic.datasets.reviews;

/** Where a review came from. */
public enum ReviewSource {
    /** The clinician review API ({@code POST /v1/reviews}). */
    APP,
    /** An EHR's CDS Hooks feedback ({@code POST /cds-services/vclinic-triage/feedback}). */
    CDS_HOOKS
}
