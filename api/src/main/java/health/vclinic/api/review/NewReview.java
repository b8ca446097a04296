package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.InvalidInputException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A review as a clinician (or an EHR) submits it, checked: a confirmation carries no level and no reason; an
 * override carries a coded reason, and from the app the clinician's level too.
 *
 * @param field the request field that named the assessment ({@code assessment_id}, {@code feedback[2].card}),
 *     so that an unknown assessment is answered naming it
 * @param reviewedAt when the clinician acted
 */
public record NewReview(String field, UUID assessmentId, ReviewSource source, ReviewAction action, OptionalInt level,
                        Optional<ReasonCode> reason, Optional<String> comment, Instant reviewedAt) {

    /** Longest comment kept: a few sentences, not a clinical note. */
    public static final int MAX_COMMENT = 2000;

    public NewReview {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(assessmentId, "assessmentId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(comment, "comment");
        reviewedAt = reviewedAt.truncatedTo(ChronoUnit.MICROS);
        if (level.isPresent() && (level.getAsInt() < 1 || level.getAsInt() > 5)) {
            throw new InvalidInputException("level", "must be a triage level from 1 (resuscitation) to 5 (non-urgent)");
        }
        if (action == ReviewAction.CONFIRMED && level.isPresent()) {
            throw new InvalidInputException("level", "must be absent when the level is CONFIRMED (an override sets one)");
        }
        if (action == ReviewAction.CONFIRMED && reason.isPresent()) {
            throw new InvalidInputException("reason", "must be absent when the level is CONFIRMED");
        }
        if (action == ReviewAction.OVERRIDDEN && reason.isEmpty()) {
            throw new InvalidInputException("reason", "is required to override: one of "
                    + java.util.Arrays.toString(ReasonCode.values()));
        }
        if (action == ReviewAction.OVERRIDDEN && source == ReviewSource.APP && level.isEmpty()) {
            throw new InvalidInputException("level", "is required to override: the level the clinician sets, 1 to 5");
        }
        if (comment.isPresent() && comment.get().length() > MAX_COMMENT) {
            throw new InvalidInputException("comment", "must be at most " + MAX_COMMENT + " characters");
        }
        comment = comment.filter(c -> !c.isBlank());
    }
}
