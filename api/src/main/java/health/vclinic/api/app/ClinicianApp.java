package health.vclinic.api.app;

import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.RecordStore;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.security.Caller;
import health.vclinic.api.review.AlertActionKind;
import health.vclinic.api.review.NewReview;
import health.vclinic.api.review.ReviewStore;
import health.vclinic.api.review.WorklistPage;
import health.vclinic.api.security.login.ClinicianLogin;
import health.vclinic.api.security.login.FormFields;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The clinicians' review app, served at {@code /app/} by the same server: server-rendered HTML (Pebble
 * templates under {@code app/}), a little script of its own for the worklist's refresh, and charts drawn on the
 * server as SVG, so that the pages run under a strict Content-Security-Policy ({@link Pages}). Every page reads
 * the clinical record of the caller's clinic only (the clinic comes from the session, never from the page).
 *
 * <ul>
 *   <li>{@code GET /app/login}: the login form (it posts to {@code POST /app/login}, {@link ClinicianLogin});</li>
 *   <li>{@code GET /app/}: the worklist (the review store's); {@code GET /app/worklist/rows}: its rows alone, for
 *       the page's background refresh;</li>
 *   <li>{@code GET /app/assessments/{id}}: one assessment, explained; {@code POST .../review}: confirm or override;</li>
 *   <li>{@code GET /app/alerts/{id}}: one monitoring alert with the patient's vital-sign trends;
 *       {@code POST .../actions}: acknowledge, escalate or resolve;</li>
 *   <li>{@code GET /app/patients/{ref}}: a patient's timeline, newest first;</li>
 *   <li>{@code GET /app/static/{file}}: the stylesheet and the script.</li>
 * </ul>
 *
 * <p>Every read and every action is audited as the record API's are ({@link RecordStore#audited}). Forms are
 * Post/Redirect/Get and carry the session's CSRF token, which the gate checks.</p>
 *
 * <p>Accessibility: WCAG 2.2 AA (landmarks, labels, keyboard, contrast; level and severity always in words
 * beside their colour).
 */
public final class ClinicianApp {

    private static final int TIMELINE_PAGE = 50;

    private final RecordStore record;
    private final ReviewStore reviews;
    private final Clock clock;
    private final Pages pages = new Pages();

    private ClinicianApp(RecordStore record, ReviewStore reviews, Clock clock) {
        this.record = record;
        this.reviews = reviews;
        this.clock = clock;
    }

    /**
     * The app over {@code record} and the reviews kept beside it; {@code clock} tells the age of what the pages
     * show and the time of each review.
     */
    public static ClinicianApp create(ClinicalRecord record, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return new ClinicianApp(record.store(), new ReviewStore(record.database().dataSource(), record.cipher(), clock), clock);
    }

    /** Registers the app's routes (the gate in front of them admits clinicians only, {@code Policy}). */
    public void routes(HttpRouting.Builder routing) {
        routing.get("/app/static/{file}", StaticFiles::serve)
                .get("/app/login", this::login)
                .get("/app/", this::worklist)
                .get("/app/worklist/rows", this::worklistRows)
                .get("/app/assessments/{id}", page(this::assessment))
                .post("/app/assessments/{id}/review", action(this::review))
                .get("/app/alerts/{id}", page(this::alert))
                .post("/app/alerts/{id}/actions", action(this::alertAction))
                .get("/app/patients/{ref}", page(this::patient));
    }

    /** A page handler: renders the template it names, or the error page. */
    private interface PageBuilder {
        String build(ServerRequest req, Map<String, Object> model);
    }

    private Handler page(PageBuilder builder) {
        return (req, res) -> {
            Map<String, Object> model = layout(req);
            String html;
            try {
                html = pages.render(builder.build(req, model), model);
            } catch (RuntimeException e) {
                pages.error(res, e, model);
                return;
            }
            Pages.send(res, Status.OK_200, html);
        };
    }

    /** A form's handler: does what the form asks and answers with the page to go to (303, Post/Redirect/Get). */
    private interface FormAction {
        String act(ServerRequest req, FormFields form);
    }

    private Handler action(FormAction action) {
        return (req, res) -> {
            String to;
            try {
                to = action.act(req, FormFields.of(req, res));
            } catch (RuntimeException e) {
                pages.error(res, e, layout(req));
                return;
            }
            redirect(res, to);
        };
    }

    /** What every page's frame shows: who is logged in, the CSRF token for its forms. */
    private Map<String, Object> layout(ServerRequest req) {
        Caller caller = Caller.of(req);
        Map<String, Object> m = new HashMap<>();
        m.put("clinic", caller.clinic().value());
        m.put("user", caller.subject());
        m.put("csrf", ClinicianLogin.csrfToken(req).orElse(""));
        m.put("csrfField", ClinicianLogin.CSRF_FIELD);
        m.put("nav", "");
        return m;
    }

    private void worklist(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        Map<String, Object> model = layout(req);
        String html;
        try {
            WorklistFilters filters = WorklistFilters.of(req.query());
            WorklistPage page = record.audited(AuditAction.QUERY, "Worklist", "clinic", Optional.empty(),
                    () -> reviews.worklist(Caller.of(req).clinic(), WorklistView.query(filters)));
            model.put("title", "Worklist");
            model.put("nav", "worklist");
            model.put("open", page.open());
            model.put("rows", WorklistView.rows(page));
            model.put("refresh", filters.refreshSeconds());
            model.put("kindChoices", filters.kindChoices());
            model.put("levelChoices", filters.levelChoices());
            model.put("refreshChoices", filters.refreshChoices());
            model.put("next", page.next().map(c -> filters.next(WorklistView.token(c))).orElse(""));
            html = pages.render("worklist", model);
        } catch (RuntimeException e) {
            pages.error(res, e, model);
            return;
        }
        // W3C Server Timing: what reading and rendering the page took, for the browser's tools and the measurement.
        res.header(HeaderNames.create("Server-Timing"), String.format(java.util.Locale.ROOT, "app;dur=%.1f;desc=\"worklist\"",
                (System.nanoTime() - start) / 1e6));
        Pages.send(res, Status.OK_200, html);
    }

    /** The worklist's rows alone, for the page's background refresh, with the count in {@code X-Worklist-Open}. */
    private void worklistRows(ServerRequest req, ServerResponse res) {
        String html;
        WorklistPage page;
        try {
            WorklistFilters filters = WorklistFilters.of(req.query());
            page = record.audited(AuditAction.QUERY, "Worklist", "clinic", Optional.empty(),
                    () -> reviews.worklist(Caller.of(req).clinic(), WorklistView.query(filters)));
            html = pages.render("worklist-rows", Map.of("rows", WorklistView.rows(page)));
        } catch (RuntimeException e) {
            health.vclinic.api.server.HttpErrors.send(res, e);
            return;
        }
        res.header(HeaderNames.create("X-Worklist-Open"), Long.toString(page.open()));
        Pages.send(res, Status.OK_200, html);
    }

    private void login(ServerRequest req, ServerResponse res) {
        Map<String, Object> m = new HashMap<>();
        m.put("title", "Log in");
        m.put("ended", req.query().first("ended").isPresent());
        // Why a login through the clinic's OpenID Connect provider was refused: one of the codes the page explains.
        m.put("failed", req.query().first("failed").filter(f -> f.matches("[a-z-]{1,20}")).orElse(""));
        Pages.send(res, Status.OK_200, pages.render("login", m));
    }

    private String assessment(ServerRequest req, Map<String, Object> model) {
        ClinicId clinic = Caller.of(req).clinic();
        UUID id = uuid(req.path().pathParameters().get("id"), "assessment id");
        RecordedAssessment a = record.audited(AuditAction.READ, "TriageAssessment", id.toString(), Optional.empty(),
                () -> record.assessment(clinic, id).orElseThrow(() -> new ApiException(ApiError.Kind.NOT_FOUND,
                        "no assessment with this id in this clinic's record")));
        List<RecordedImageAnalysis> images = List.of();
        if (!a.getRequest().getChestXray().isEmpty() && !a.getPatientRef().isEmpty()) {
            PatientRef patient = new PatientRef(a.getPatientRef());
            images = record.audited(AuditAction.QUERY, "Timeline", "patient-timeline", Optional.of(patient),
                    () -> record.timeline(clinic, patient, TIMELINE_PAGE, Optional.empty())).entries().stream()
                    .filter(TimelineEntry::hasImageAnalysis).map(TimelineEntry::getImageAnalysis).toList();
        }
        model.putAll(AssessmentPage.model(a, images));
        model.putAll(ReviewPanel.model(reviews.history(clinic, id), a.getAssessment().getLevel()));
        model.put("title", "Assessment: level " + model.get("level") + " " + model.get("acuity"));
        return "assessment";
    }

    /** Confirms or overrides an assessment's level (form fields {@code action}, {@code level}, {@code reason}, {@code comment}). */
    private String review(ServerRequest req, FormFields form) {
        UUID id = uuid(req.path().pathParameters().get("id"), "assessment id");
        NewReview review = ReviewPanel.review(id, form, clock.instant());
        record.audited(AuditAction.CREATE, "Review", id.toString(), Optional.empty(),
                () -> reviews.add(Caller.of(req), List.of(review)));
        return "/app/assessments/" + id + "#review";
    }

    /** Acknowledges, escalates or resolves an alert (form fields {@code action}, {@code note}). */
    private String alertAction(ServerRequest req, FormFields form) {
        String alertId = alertId(req);
        AlertActionKind kind = ReviewPanel.alertAction(form);
        record.audited(AuditAction.CREATE, "AlertAction", alertId, Optional.empty(), () -> reviews.act(Caller.of(req),
                alertId, kind, form.first("note").filter(n -> !n.isBlank())));
        return "/app/alerts/" + alertId + "#actions";
    }

    private String alert(ServerRequest req, Map<String, Object> model) {
        ClinicId clinic = Caller.of(req).clinic();
        String alertId = alertId(req);
        List<RecordedAlertEvent> events = record.audited(AuditAction.READ, "Alert", alertId, Optional.empty(), () -> {
            List<RecordedAlertEvent> found = record.alertEvents(clinic, alertId);
            if (found.isEmpty()) {
                throw new ApiException(ApiError.Kind.NOT_FOUND, "no alert with this id in this clinic's record");
            }
            return found;
        });
        model.putAll(AlertPage.model(events, record, clinic, clock.instant()));
        model.put("actions", ReviewPanel.actions(reviews.alertActions(clinic, alertId)));
        model.put("title", "Alert: " + model.get("severityWords") + " " + model.get("kindWords"));
        return "alert";
    }

    private String patient(ServerRequest req, Map<String, Object> model) {
        ClinicId clinic = Caller.of(req).clinic();
        PatientRef patient = new PatientRef(req.path().pathParameters().get("ref"));
        Optional<RecordStore.Cursor> after = TimelinePage.cursor(req.query().first("before_at").asOptional(),
                req.query().first("before_id").asOptional());
        RecordStore.Page page = record.audited(AuditAction.QUERY, "Timeline", "patient-timeline", Optional.of(patient),
                () -> record.timeline(clinic, patient, TIMELINE_PAGE, after));
        model.putAll(TimelinePage.model(patient, page, clock.instant()));
        model.put("title", "Patient " + patient.value());
        return "patient";
    }

    /** The page of patient {@code ref} (a reference is printable ASCII: every other character percent-encoded). */
    static String patientLink(String ref) {
        StringBuilder b = new StringBuilder("/app/patients/");
        for (byte c : ref.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(java.util.Locale.ROOT, "%02X", c & 0xff));
            }
        }
        return b.toString();
    }

    private static String alertId(ServerRequest req) {
        String alertId = req.path().pathParameters().get("id");
        if (!alertId.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new InvalidInputException("alert id", "must be an alert id as the worklist links it");
        }
        return alertId;
    }

    static UUID uuid(String text, String field) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "must be an id as the worklist links it (a UUID)");
        }
    }

    /** When an instant was, as the pages print it: ISO 8601 in UTC to the second. */
    static String when(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", " UTC");
    }

    static void redirect(ServerResponse res, String to) {
        Pages.headers(res);
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, to);
        res.send();
    }
}
