package health.vclinic.api.review;

import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.time.Instant;
import java.util.Objects;

/**
 * An assessment with the review that stands for it (its latest), as the retraining export reads them.
 *
 * @param request what the service was given, as kept
 * @param result what it answered, as kept
 */
public record ReviewedAssessment(ClinicId clinic, Review review, Instant assessedAt, TriageRequest request,
                                 TriageAssessment result) {
    public ReviewedAssessment {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(review, "review");
        Objects.requireNonNull(assessedAt, "assessedAt");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(result, "result");
    }
}
