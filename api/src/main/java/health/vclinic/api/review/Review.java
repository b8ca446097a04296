package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.api.security.Role;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One clinician review as kept: who judged which assessment, when, from where, and what they decided against
 * which model and rule versions. Reviews are never changed; a later one supersedes.
 *
 * @param assessmentId the record id of the assessment reviewed
 * @param reviewer the subject of the caller's token (a user login, or an EHR's client id for CDS Hooks)
 * @param levelBefore the level the service answered
 * @param levelAfter the clinician's level, for an override from the app (a CDS Hooks override names none)
 * @param reason for an override, why
 * @param comment optional free text, at most {@value NewReview#MAX_COMMENT} characters
 * @param modelVersions every rule set and model that took part in the assessment, name to version
 * @param reviewedAt when the clinician acted, at the database's precision (microseconds)
 * @param recordedAt when the review was kept
 */
public record Review(UUID reviewId, UUID assessmentId, String reviewer, Role reviewerRole, ReviewSource source,
                     ReviewAction action, int levelBefore, OptionalInt levelAfter, Optional<ReasonCode> reason,
                     Optional<String> comment, SortedMap<String, String> modelVersions, Instant reviewedAt,
                     Instant recordedAt) {

    public Review {
        Objects.requireNonNull(reviewId, "reviewId");
        Objects.requireNonNull(assessmentId, "assessmentId");
        Objects.requireNonNull(reviewer, "reviewer");
        Objects.requireNonNull(reviewerRole, "reviewerRole");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(levelAfter, "levelAfter");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(comment, "comment");
        modelVersions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(modelVersions));
        reviewedAt = reviewedAt.truncatedTo(ChronoUnit.MICROS);
        Objects.requireNonNull(recordedAt, "recordedAt");
    }

    /** The level the clinician holds right: theirs after an override, the service's when confirmed. */
    public OptionalInt clinicianLevel() {
        return action == ReviewAction.CONFIRMED ? OptionalInt.of(levelBefore) : levelAfter;
    }

    /** The versions as the record stores them, "name=version". */
    static Map<String, String> versions(String[] stored) {
        SortedMap<String, String> out = new TreeMap<>();
        for (String s : stored) {
            int eq = s.indexOf('=');
            out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
        }
        return out;
    }
}
