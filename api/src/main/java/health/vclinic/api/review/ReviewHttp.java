package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.http.RequestBodies;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The clinician review API over HTTP JSON, for a worklist UI and for EHRs (role {@code clinician}; the
 * feedback endpoint, role {@code backend}). The clinic is always the caller's, from the token.
 *
 * <ul>
 *   <li>{@code GET /v1/reviews/worklist}: assessments awaiting review and open monitoring alerts, most urgent
 *       first, then oldest. Query: {@code kind} (repeatable: NEEDS_REVIEW, HIGH_ACUITY, MODEL_RULES_DISAGREE,
 *       DEGRADED, ALERT), {@code level} (repeatable, 1-5), {@code page_size} (1-200, default 50),
 *       {@code page_token}. Answers {@code items}, {@code open} (how many match in all) and
 *       {@code next_page_token}.</li>
 *   <li>{@code POST /v1/reviews}: {@code {"assessment_id", "action": "CONFIRMED" | "OVERRIDDEN", "level",
 *       "reason", "comment"}}; an override needs the clinician's level and a {@link ReasonCode}. 201 with the
 *       review as kept; 400 naming the field; 404 for an assessment the caller's clinic does not hold.</li>
 *   <li>{@code GET /v1/reviews?assessment_id=}: the assessment's reviews, newest (the one that stands) first.</li>
 *   <li>{@code POST /v1/alerts/{id}/actions}: {@code {"action": "ACKNOWLEDGED" | "ESCALATED" | "RESOLVED",
 *       "note"}}; {@code GET} lists them, newest first.</li>
 *   <li>{@code POST /cds-services/vclinic-triage/feedback}: CDS Hooks 2.0 feedback ({@link CdsFeedback}).</li>
 * </ul>
 */
public final class ReviewHttp {

    public static final String WORKLIST = "/v1/reviews/worklist";
    public static final String REVIEWS = "/v1/reviews";
    public static final String ALERT_ACTIONS = "/v1/alerts/{id}/actions";
    /** The routes, as metrics name them. */
    public static final Set<String> ROUTES = Set.of("GET " + WORKLIST, "GET " + REVIEWS, "POST " + REVIEWS,
            "GET " + ALERT_ACTIONS, "POST " + ALERT_ACTIONS, "POST " + CdsFeedback.PATH);
    /** Largest review or action body: a comment of 2,000 characters, escaped, fits many times over. */
    static final long MAX_BODY_BYTES = 64 << 10;
    private static final Set<String> WORKLIST_PARAMETERS = Set.of("kind", "level", "page_size", "page_token");

    private final ReviewStore store;
    private final Clock clock;
    private final Duration bodyDeadline;
    private final java.util.Optional<health.vclinic.api.record.RecordStore> audit;

    public ReviewHttp(ReviewStore store) {
        this(store, Clock.systemUTC(), HttpTimeouts.DEFAULTS.body());
    }

    public ReviewHttp(ReviewStore store, Clock clock, Duration bodyDeadline) {
        this(store, clock, bodyDeadline, java.util.Optional.empty());
    }

    /**
     * @param audit the record whose audit trail keeps each call's access (the worklist and histories as
     *     queries, each review and alert action as a create), as the record's own API does
     */
    public ReviewHttp(ReviewStore store, Clock clock, Duration bodyDeadline,
                      java.util.Optional<health.vclinic.api.record.RecordStore> audit) {
        this.store = store;
        this.clock = clock;
        this.bodyDeadline = bodyDeadline;
        this.audit = audit;
    }

    /** Runs {@code work} audited as one access of the current request (unaudited without a record). */
    private <T> T audited(health.vclinic.api.audit.AuditAction action, String type, String id,
                          java.util.function.Supplier<T> work) {
        return audit.map(a -> a.audited(action, type, id, Optional.empty(), work)).orElseGet(work);
    }

    /** Registers the routes. */
    public void routes(HttpRouting.Builder routing) {
        CdsFeedback feedback = new CdsFeedback(store, clock);
        routing.get(WORKLIST, (req, res) -> json(res, Status.OK_200,
                        () -> audited(health.vclinic.api.audit.AuditAction.QUERY, "Worklist", "clinic",
                                () -> ReviewJson.WorklistOut.of(store.worklist(Caller.of(req).clinic(), query(req))))))
                .get(REVIEWS, (req, res) -> json(res, Status.OK_200, () -> audited(
                        health.vclinic.api.audit.AuditAction.QUERY, "Review", "history", () -> history(req))))
                .post(REVIEWS, (req, res) -> body(req, res, body -> json(res, Status.CREATED_201, () -> {
                    NewReview review = ReviewJson.review(body, clock.instant());
                    return audited(health.vclinic.api.audit.AuditAction.CREATE, "Review", review.assessmentId().toString(),
                            () -> ReviewJson.ReviewOut.of(store.add(Caller.of(req), List.of(review)).getFirst()));
                })))
                .get(ALERT_ACTIONS, (req, res) -> json(res, Status.OK_200, () -> {
                    String alert = req.path().pathParameters().get("id");
                    return audited(health.vclinic.api.audit.AuditAction.QUERY, "AlertAction", "alert-actions",
                            () -> new ReviewJson.AlertActionsOut(alert, store.alertActions(Caller.of(req).clinic(), alert)
                            .stream().map(ReviewJson.AlertActionOut::of).toList()));
                }))
                .post(ALERT_ACTIONS, (req, res) -> body(req, res, body -> json(res, Status.CREATED_201, () -> {
                    ReviewJson.AlertActionIn in = ReviewJson.alertAction(body);
                    return audited(health.vclinic.api.audit.AuditAction.CREATE, "AlertAction", "alert-action",
                            () -> ReviewJson.AlertActionOut.of(store.act(Caller.of(req), req.path().pathParameters()
                                    .get("id"), AlertActionKind.valueOf(in.action()), Optional.ofNullable(in.note()))));
                })))
                .post(CdsFeedback.PATH, (req, res) -> body(req, res, body -> json(res, Status.OK_200,
                        () -> audited(health.vclinic.api.audit.AuditAction.CREATE, "Review", "cds-feedback",
                                () -> feedback.accept(Caller.of(req), body)))));
    }

    private ReviewJson.HistoryOut history(ServerRequest req) {
        unknownParameters(req, Set.of("assessment_id"));
        String raw = req.query().first("assessment_id").asOptional().orElseThrow(() -> new InvalidInputException("assessment_id",
                "is required: the record_id of the assessment whose reviews to list"));
        var id = ReviewJson.uuid(raw, "assessment_id", "must be the record_id of an assessment (a UUID)");
        return new ReviewJson.HistoryOut(id.toString(), store.history(Caller.of(req).clinic(), id).stream()
                .map(ReviewJson.ReviewOut::of).toList());
    }

    static WorklistQuery query(ServerRequest req) {
        unknownParameters(req, WORKLIST_PARAMETERS);
        Set<WorklistKind> kinds = EnumSet.noneOf(WorklistKind.class);
        for (String k : values(req, "kind")) {
            kinds.add(ReviewJson.enumOf(WorklistKind.class, k, "kind"));
        }
        Set<Integer> levels = new LinkedHashSet<>();
        for (String l : values(req, "level")) {
            levels.add(number(l, "level", "must be a triage level from 1 to 5"));
        }
        int size = req.query().first("page_size").asOptional().map(s -> number(s, "page_size", "must be 1 to "
                + WorklistQuery.MAX_PAGE_SIZE)).orElse(WorklistQuery.DEFAULT_PAGE_SIZE);
        Optional<WorklistQuery.Cursor> after = req.query().first("page_token").asOptional()
                .filter(t -> !t.isEmpty()).map(ReviewJson::cursor);
        return new WorklistQuery(kinds, levels, size, after);
    }

    /** A repeatable parameter, also as a comma-separated list ({@code kind=ALERT,DEGRADED}). */
    private static List<String> values(ServerRequest req, String name) {
        return req.query().all(name, List::of).stream().flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .filter(v -> !v.isEmpty()).toList();
    }

    private static int number(String text, String field, String allowed) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, allowed);
        }
    }

    private static void unknownParameters(ServerRequest req, Set<String> known) {
        for (String name : req.query().names()) {
            if (!known.contains(name)) {
                throw new InvalidInputException(name, "is not a parameter of this route; it takes " + known);
            }
        }
    }

    @FunctionalInterface
    private interface BodyHandler {
        void handle(byte[] body);
    }

    /** Reads a JSON body within the limits, then hands it on; answers 415 / 413 itself. */
    private void body(ServerRequest req, ServerResponse res, BodyHandler next) {
        Optional<String> unsupported = RequestBodies.unsupportedMediaType(req, Set.of("application/json"));
        if (unsupported.isPresent()) {
            HttpErrors.send(res, ApiError.of(Kind.UNSUPPORTED_MEDIA_TYPE, unsupported.get()));
            return;
        }
        Optional<byte[]> body = RequestBodies.read(req, res, MAX_BODY_BYTES, bodyDeadline);
        if (body.isEmpty()) {
            HttpErrors.send(res, ApiError.of(Kind.PAYLOAD_TOO_LARGE, "request body must be at most " + MAX_BODY_BYTES
                    + " bytes"));
            return;
        }
        next.handle(body.get());
    }

    private static void json(ServerResponse res, Status status, Supplier<Object> call) {
        String out;
        try {
            out = ReviewJson.write(call.get());
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
            return;
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out);
    }
}
