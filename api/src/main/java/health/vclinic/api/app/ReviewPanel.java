package health.vclinic.api.app;

import health.vclinic.api.review.AlertAction;
import health.vclinic.api.review.AlertActionKind;
import health.vclinic.api.review.NewReview;
import health.vclinic.api.review.Review;
import health.vclinic.api.security.login.FormFields;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReviewSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The review actions of the pages: confirming an assessment's level or overriding it with a coded reason
 * ({@link ReasonCode}) and an optional comment, and acting on an alert (acknowledge, escalate, resolve, with a
 * note); each kept by the review store with who, when, the level before and after and the model and rule versions.
 * The forms' fields are read here and checked as the review API checks them ({@link NewReview}).
 */
final class ReviewPanel {

    /** A review as the page lists it. */
    record Past(String when, String who, String action, String reason, String comment) {
    }

    /** An alert action as the page lists it. */
    record PastAction(String when, String who, String action, String note) {
    }

    /** One option of a select. */
    record Option(String value, String words, boolean selected) {
    }

    private ReviewPanel() {
    }

    /** The review panel of an assessment answered at {@code level}, with its reviews (newest first). */
    static Map<String, Object> model(List<Review> history, int level) {
        Map<String, Object> m = new HashMap<>();
        m.put("reviews", history.stream().map(ReviewPanel::past).toList());
        m.put("reviewed", !history.isEmpty());
        m.put("reasons", Arrays.stream(ReasonCode.values()).map(r -> new Option(r.name(), r.display(), false)).toList());
        List<Option> levels = new ArrayList<>();
        for (int l = 1; l <= 5; l++) {
            if (l != level) {
                levels.add(new Option(Integer.toString(l), l + " · " + Clinical.acuity(l), false));
            }
        }
        m.put("otherLevels", levels);
        return m;
    }

    private static Past past(Review r) {
        String action = r.action() == ReviewAction.CONFIRMED ? "confirmed level " + r.levelBefore()
                : "overrode level " + r.levelBefore() + r.levelAfter().stream().mapToObj(l -> " to " + l + " ("
                + Clinical.acuity(l).toLowerCase(java.util.Locale.ROOT) + ")").findFirst().orElse("");
        return new Past(ClinicianApp.when(r.reviewedAt()), r.reviewer() + (r.source() == ReviewSource.CDS_HOOKS
                ? " (from the EHR)" : ""), action, r.reason().map(ReasonCode::display).orElse(""),
                r.comment().orElse(""));
    }

    static List<PastAction> actions(List<AlertAction> actions) {
        return actions.stream().map(a -> new PastAction(ClinicianApp.when(a.actedAt()), a.actor(),
                Clinical.words(a.action().name()), a.note().orElse(""))).toList();
    }

    /** The review a form asks for: {@code action} CONFIRMED, or OVERRIDDEN with {@code level} and {@code reason}. */
    static NewReview review(UUID assessment, FormFields form, Instant now) {
        ReviewAction action = choice(ReviewAction.class, form.first("action"), "action");
        OptionalInt level = OptionalInt.empty();
        Optional<ReasonCode> reason = Optional.empty();
        if (action == ReviewAction.OVERRIDDEN) {
            String l = form.first("level").orElse("");
            if (!l.matches("[1-5]")) {
                throw new InvalidInputException("level", "choose the level you set, 1 to 5");
            }
            level = OptionalInt.of(Integer.parseInt(l));
            reason = Optional.of(choice(ReasonCode.class, form.first("reason"), "reason"));
        }
        return new NewReview("assessment id", assessment, ReviewSource.APP, action, level, reason,
                form.first("comment").filter(c -> !c.isBlank()), now);
    }

    static AlertActionKind alertAction(FormFields form) {
        return choice(AlertActionKind.class, form.first("action"), "action");
    }

    private static <E extends Enum<E>> E choice(Class<E> type, Optional<String> value, String field) {
        try {
            return Enum.valueOf(type, value.orElse(""));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "must be one of " + Arrays.toString(type.getEnumConstants()));
        }
    }
}
