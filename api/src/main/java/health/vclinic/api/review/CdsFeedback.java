package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.api.security.Caller;
import health.vclinic.datasets.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The CDS Hooks 2.0 feedback endpoint of the triage service (HL7, cds-hooks.hl7.org/2.0, "Feedback"):
 * {@code POST /cds-services/vclinic-triage/feedback} with {@code {"feedback": [{"card", "outcome":
 * "accepted" | "overridden", "overrideReason": {"reason": Coding, "userComment"}, "outcomeTimestamp"}]}},
 * from the EHR's backend (role {@code backend}).
 *
 * <p>Each entry is kept as a review of source CDS_HOOKS, like one made in the app: {@code accepted} is
 * CONFIRMED; {@code overridden} is OVERRIDDEN with the reason's code when it is one of {@link ReasonCode}
 * in {@link ReasonCode#SYSTEM} (the codes the card offers as {@code overrideReasons}), else OTHER, and no
 * level (feedback carries none). {@code userComment} becomes the comment, {@code outcomeTimestamp} the time
 * of the review, the EHR's client the reviewer.
 *
 * <p>A card's {@code uuid} is the record id of the assessment it shows, so the card leads back to it; a card
 * whose uuid names no assessment of the caller's clinic is answered 404 naming the entry. The whole body is
 * kept or nothing is. An entry sent again is kept once, as the specification expects repeats.
 */
final class CdsFeedback {

    static final String PATH = "/cds-services/vclinic-triage/feedback";
    /** Most entries in one body: an EHR sends feedback as its users act, not in bulk. */
    static final int MAX_ENTRIES = 100;
    /** How far in the future an outcome time may lie: the two clocks' usual disagreement. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final String WHAT = "CDS Hooks feedback: {\"feedback\": [{\"card\", \"outcome\","
            + " \"overrideReason\", \"outcomeTimestamp\"}]}";

    record FeedbackIn(List<EntryIn> feedback, Map<String, Object> extension) {
    }

    record EntryIn(String card, String outcome, List<Map<String, Object>> acceptedSuggestions,
                   OverrideReasonIn overrideReason, String outcomeTimestamp, Map<String, Object> extension) {
    }

    record OverrideReasonIn(CodingIn reason, String userComment, Map<String, Object> extension) {
    }

    record CodingIn(String code, String system, String display) {
    }

    /** How many entries were kept now, and how many had been kept before. */
    record Accepted(int kept, int alreadyKept) {
    }

    private final ReviewStore store;
    private final Clock clock;

    CdsFeedback(ReviewStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    Accepted accept(Caller caller, byte[] body) {
        List<NewReview> reviews = reviews(body, clock.instant());
        int kept = store.add(caller, reviews).size();
        return new Accepted(kept, reviews.size() - kept);
    }

    static List<NewReview> reviews(byte[] body, Instant now) {
        FeedbackIn in = ReviewJson.read(ReviewJson.CAMEL, body, FeedbackIn.class, WHAT);
        List<EntryIn> entries = ReviewJson.required(in.feedback(), "feedback");
        if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
            throw new InvalidInputException("feedback", "must hold 1 to " + MAX_ENTRIES + " entries");
        }
        List<NewReview> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            out.add(review(entries.get(i), "feedback[" + i + "]", now));
        }
        return out;
    }

    private static NewReview review(EntryIn e, String at, Instant now) {
        if (e == null) {
            throw new InvalidInputException(at, "must be a feedback entry (an object)");
        }
        UUID card = ReviewJson.uuid(ReviewJson.required(e.card(), at + ".card"), at + ".card",
                "must be the uuid of a card this service returned");
        String outcome = ReviewJson.required(e.outcome(), at + ".outcome");
        ReviewAction action = switch (outcome) {
            case "accepted" -> ReviewAction.CONFIRMED;
            case "overridden" -> ReviewAction.OVERRIDDEN;
            default -> throw new InvalidInputException(at + ".outcome", "must be accepted or overridden");
        };
        Instant when = timestamp(ReviewJson.required(e.outcomeTimestamp(), at + ".outcomeTimestamp"),
                at + ".outcomeTimestamp", now);
        Optional<ReasonCode> reason = Optional.empty();
        Optional<String> comment = Optional.empty();
        if (e.overrideReason() != null) {
            if (action == ReviewAction.CONFIRMED) {
                throw new InvalidInputException(at + ".overrideReason", "must be absent when the outcome is accepted");
            }
            CodingIn coding = e.overrideReason().reason();
            reason = Optional.ofNullable(coding).filter(c -> ReasonCode.SYSTEM.equals(c.system()))
                    .flatMap(c -> ReasonCode.of(c.code()));
            comment = Optional.ofNullable(e.overrideReason().userComment());
            if (comment.isPresent() && comment.get().length() > NewReview.MAX_COMMENT) {
                throw new InvalidInputException(at + ".overrideReason.userComment", "must be at most "
                        + NewReview.MAX_COMMENT + " characters");
            }
        }
        if (action == ReviewAction.OVERRIDDEN && reason.isEmpty()) {
            reason = Optional.of(ReasonCode.OTHER);
        }
        return new NewReview(at + ".card", card, ReviewSource.CDS_HOOKS, action, OptionalInt.empty(), reason, comment,
                when);
    }

    /** RFC 3339 with an offset, as CDS Hooks profiles ISO 8601; not in the future beyond clock skew. */
    private static Instant timestamp(String text, String field, Instant now) {
        Instant t;
        try {
            t = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, "must be an RFC 3339 date-time with its offset, e.g."
                    + " 2025-03-01T09:40:00Z");
        }
        if (t.isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidInputException(field, "must not lie in the future");
        }
        return t;
    }
}
