package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReasonCode;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.RecordStore;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review API on a real server with the real PostgreSQL: assessments made by a clinic's backend appear on
 * its clinicians' worklist, are confirmed or overridden with a coded reason and leave it; alerts are
 * acknowledged and resolved; CDS Hooks feedback is kept like an app review; every refusal names the field;
 * another clinic sees and touches nothing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReviewApiTest {

    private static final ClinicId A = new ClinicId("review-a");
    private static final ClinicId B = new ClinicId("review-b");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> http(String method, String path, ClinicId clinic, Role role, String body)
            throws Exception {
        return http(server.port(), method, path, clinic, role, body);
    }

    /** One call of the review API on the server at {@code port}, as {@code role} of {@code clinic}. */
    static HttpResponse<String> http(int port, String method, String path, ClinicId clinic, Role role, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + TestSecurity.token(clinic, role));
        if (!body.isEmpty()) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The first example (crushing chest pain: a red flag, level 2) assessed by the clinic's backend. */
    static JsonNode assess(ClinicId clinic, String patient) throws Exception {
        JsonNode request = JSON.readTree(TestSupport.exampleLines().get(0));
        ((com.fasterxml.jackson.databind.node.ObjectNode) request).put("patient_ref", patient);
        JsonNode a = json(http("POST", "/v1/triage:assess", clinic, Role.BACKEND, request.toString()), 200);
        assertTrue(a.get("recorded").asBoolean(), a.toString());
        return a;
    }

    static List<JsonNode> worklist(ClinicId clinic, String query) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String token = "";
        do {
            JsonNode page = json(http("GET", "/v1/reviews/worklist?page_size=100" + query
                    + (token.isEmpty() ? "" : "&page_token=" + token), clinic, Role.CLINICIAN, ""), 200);
            page.get("items").forEach(items::add);
            token = page.path("next_page_token").asText("");
        } while (!token.isEmpty());
        return items;
    }

    static Optional<JsonNode> item(List<JsonNode> items, String id) {
        return items.stream().filter(i -> i.get("id").asText().equals(id)).findFirst();
    }

    @Test
    void aClinicianConfirmsOrOverridesAndTheAssessmentLeavesTheWorklist() throws Exception {
        JsonNode a = assess(A, "p-round-trip");
        String id = a.get("record_id").asText();
        int level = a.get("level").asInt();
        JsonNode shown = item(worklist(A, ""), id).orElseThrow(() -> new AssertionError("not on the worklist"));
        assertAll(
                () -> assertEquals("ASSESSMENT", shown.get("type").asText()),
                () -> assertEquals(level, shown.get("level").asInt()),
                () -> assertTrue(shown.get("kinds").toString().contains("HIGH_ACUITY"), shown.toString()),
                () -> assertEquals("p-round-trip", shown.get("patient_ref").asText()),
                () -> assertTrue(shown.get("chief_complaint").asText().startsWith("Crushing chest pain")),
                () -> assertEquals(a.get("decided_by").asText(), shown.get("decided_by").asText()),
                () -> assertEquals(a.get("disposition").asText(), shown.get("disposition").asText()),
                () -> assertTrue(shown.get("age_seconds").asLong() >= 0));

        JsonNode override = json(http("POST", "/v1/reviews", A, Role.CLINICIAN, "{\"assessment_id\":\"" + id
                + "\",\"action\":\"OVERRIDDEN\",\"level\":1,\"reason\":\"MORE_URGENT_CLINICAL_JUDGEMENT\","
                + "\"comment\":\"grey and clammy on the video call\"}"), 201);
        assertAll(
                () -> assertEquals(level, override.get("level_before").asInt()),
                () -> assertEquals(1, override.get("level_after").asInt()),
                () -> assertEquals("MORE_URGENT_CLINICAL_JUDGEMENT", override.get("reason").asText()),
                () -> assertEquals("APP", override.get("source").asText()),
                () -> assertEquals("test-clinician", override.get("reviewer").asText()),
                () -> assertEquals("clinician", override.get("reviewer_role").asText()),
                () -> assertEquals(a.get("model_versions"), override.get("model_versions")));
        assertTrue(item(worklist(A, ""), id).isEmpty(), "a reviewed assessment leaves the worklist");

        json(http("POST", "/v1/reviews", A, Role.CLINICIAN, "{\"assessment_id\":\"" + id
                + "\",\"action\":\"CONFIRMED\"}"), 201);
        JsonNode history = json(http("GET", "/v1/reviews?assessment_id=" + id, A, Role.CLINICIAN, ""), 200);
        assertEquals(2, history.get("reviews").size());
        assertEquals("CONFIRMED", history.at("/reviews/0/action").asText(), "newest first: the one that stands");
        assertFalse(history.at("/reviews/0").has("level_after"), "a confirmation sets no level");
        assertEquals("OVERRIDDEN", history.at("/reviews/1/action").asText());
        assertEquals("grey and clammy on the video call", history.at("/reviews/1/comment").asText());
    }

    @Test
    void badReviewsAreRefusedNamingTheField() throws Exception {
        String id = assess(A, "p-bad").get("record_id").asText();
        String[][] cases = {
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"level\":1,\"reason\":\"GUT_FEELING\"}", "reason"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"level\":7,\"reason\":\"OTHER\"}", "level"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"level\":\"1\",\"reason\":\"OTHER\"}", "level"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"reason\":\"OTHER\"}", "level"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"level\":1}", "reason"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"CONFIRMED\",\"level\":1}", "level"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"MAYBE\"}", "action"},
                {"{\"assessment_id\":\"not-a-uuid\",\"action\":\"CONFIRMED\"}", "assessment_id"},
                {"{\"action\":\"CONFIRMED\"}", "assessment_id"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"CONFIRMED\",\"clinic_id\":\"review-b\"}", "clinic_id"},
                {"{\"assessment_id\":\"" + id + "\",\"action\":\"OVERRIDDEN\",\"level\":1,\"reason\":\"OTHER\",\"comment\":\""
                        + "x".repeat(NewReview.MAX_COMMENT + 1) + "\"}", "comment"}};
        for (String[] c : cases) {
            JsonNode error = json(http("POST", "/v1/reviews", A, Role.CLINICIAN, c[0]), 400);
            assertEquals(c[1], error.at("/error/violations/0/field").asText(), c[0] + " -> " + error);
        }
        JsonNode sameLevel = json(http("POST", "/v1/reviews", A, Role.CLINICIAN, "{\"assessment_id\":\"" + id
                + "\",\"action\":\"OVERRIDDEN\",\"level\":" + record.store().assessment(A, UUID.fromString(id))
                .orElseThrow().getAssessment().getLevel() + ",\"reason\":\"OTHER\"}"), 400);
        assertEquals("level", sameLevel.at("/error/violations/0/field").asText());
        assertEquals(400, http("GET", "/v1/reviews/worklist?level=9", A, Role.CLINICIAN, "").statusCode());
        assertEquals(400, http("GET", "/v1/reviews/worklist?kind=URGENT", A, Role.CLINICIAN, "").statusCode());
        assertEquals(400, http("GET", "/v1/reviews/worklist?clinic=review-b", A, Role.CLINICIAN, "").statusCode());
        assertEquals(400, http("GET", "/v1/reviews/worklist?page_token=zzz", A, Role.CLINICIAN, "").statusCode());
        assertEquals(0, json(http("GET", "/v1/reviews?assessment_id=" + id, A, Role.CLINICIAN, ""), 200)
                .get("reviews").size(), "nothing refused was kept");
        assertTrue(item(worklist(A, ""), id).isPresent());
    }

    @Test
    void anotherClinicCanNeitherSeeNorReviewTheAssessment() throws Exception {
        String id = assess(A, "p-shared").get("record_id").asText();
        assertTrue(item(worklist(B, ""), id).isEmpty());
        JsonNode refused = json(http("POST", "/v1/reviews", B, Role.CLINICIAN, "{\"assessment_id\":\"" + id
                + "\",\"action\":\"CONFIRMED\"}"), 404);
        assertTrue(refused.at("/error/message").asText().startsWith("assessment_id"), refused.toString());
        assertEquals(404, http("GET", "/v1/reviews?assessment_id=" + id, B, Role.CLINICIAN, "").statusCode());
        assertTrue(item(worklist(A, ""), id).isPresent(), "B's attempt changed nothing for A");
    }

    @Test
    void onlyCliniciansReadTheWorklistAndReview() throws Exception {
        for (Role role : List.of(Role.BACKEND, Role.DATA_SCIENTIST, Role.ADMIN)) {
            assertEquals(403, http("GET", "/v1/reviews/worklist", A, role, "").statusCode(), role.wireName());
            assertEquals(403, http("POST", "/v1/reviews", A, role, "{}").statusCode(), role.wireName());
            assertEquals(403, http("POST", "/v1/alerts/x/actions", A, role, "{}").statusCode(), role.wireName());
        }
        assertEquals(403, http("POST", CdsFeedback.PATH, A, Role.CLINICIAN, "{}").statusCode(),
                "CDS feedback comes from the EHR's backend");
    }

    @Test
    void theWorklistIsMostUrgentFirstThenOldestAndFilters() throws Exception {
        ClinicId clinic = new ClinicId("review-order");
        Instant t0 = Instant.parse("2026-01-05T08:00:00Z");
        List<RecordStore.AssessmentRow> rows = new ArrayList<>();
        int[] levels = {3, 1, 3, 2, 5};
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < levels.length; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            rows.add(WorklistSeed.row(id, clinic, "p-order-" + i, t0.plusSeconds(60L * (levels.length - i)), levels[i],
                    levels[i] == 5 ? List.of() : List.of("needs a look")));
        }
        record.store().insertAssessments(rows);
        record.store().insertAlertEvents(List.of(WorklistSeed.alert(clinic, "alert-order", "p-order-alert",
                t0.plusSeconds(30), AlertState.RAISED, Severity.HIGH)));
        List<JsonNode> all = worklist(clinic, "&page_size=2");
        List<String> order = all.stream().map(i -> i.get("id").asText()).toList();
        // Level 5 with no reason to review is not on it; level 3 twice: the older first; the HIGH alert ranks as 2.
        assertEquals(List.of(ids.get(1).toString(), "alert-order", ids.get(3).toString(), ids.get(2).toString(),
                ids.get(0).toString()), order);
        assertEquals(5, json(http("GET", "/v1/reviews/worklist", clinic, Role.CLINICIAN, ""), 200).get("open").asLong());
        assertEquals(List.of("alert-order"), worklist(clinic, "&kind=ALERT").stream().map(i -> i.get("id").asText())
                .toList());
        assertEquals(List.of(ids.get(1).toString(), ids.get(3).toString()), worklist(clinic, "&kind=HIGH_ACUITY").stream()
                .map(i -> i.get("id").asText()).toList());
        assertEquals(List.of(ids.get(2).toString(), ids.get(0).toString()), worklist(clinic, "&level=3").stream()
                .map(i -> i.get("id").asText()).toList());
    }

    @Test
    void anAlertIsAcknowledgedThenResolvedAndLeavesTheWorklist() throws Exception {
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(600);
        record.store().insertAlertEvents(List.of(
                WorklistSeed.alert(A, "alert-ack", "p-alert", t0, AlertState.RAISED, Severity.MEDIUM),
                WorklistSeed.alert(A, "alert-ack", "p-alert", t0.plusSeconds(60), AlertState.UPDATED, Severity.HIGH)));
        JsonNode shown = item(worklist(A, "&kind=ALERT"), "alert-ack").orElseThrow();
        assertAll(
                () -> assertEquals("ALERT", shown.get("type").asText()),
                () -> assertEquals("HIGH", shown.get("severity").asText()),
                () -> assertEquals(2, shown.get("level").asInt(), "HIGH is the emergency response: level 2"),
                () -> assertEquals(t0.toString(), shown.get("at").asText(), "the time it was first raised"),
                () -> assertEquals("p-alert", shown.get("patient_ref").asText()));
        assertEquals(404, http("POST", "/v1/alerts/alert-ack/actions", B, Role.CLINICIAN,
                "{\"action\":\"RESOLVED\"}").statusCode(), "another clinic's alert is not found");
        assertEquals("action", json(http("POST", "/v1/alerts/alert-ack/actions", A, Role.CLINICIAN,
                "{\"action\":\"SNOOZED\"}"), 400).at("/error/violations/0/field").asText());

        json(http("POST", "/v1/alerts/alert-ack/actions", A, Role.CLINICIAN,
                "{\"action\":\"ACKNOWLEDGED\",\"note\":\"calling the patient\"}"), 201);
        assertEquals("ACKNOWLEDGED", item(worklist(A, "&kind=ALERT"), "alert-ack").orElseThrow().get("last_action").asText());
        json(http("POST", "/v1/alerts/alert-ack/actions", A, Role.CLINICIAN,
                "{\"action\":\"RESOLVED\",\"note\":\"seen, SpO2 recovered\"}"), 201);
        assertTrue(item(worklist(A, "&kind=ALERT"), "alert-ack").isEmpty(), "resolved by a clinician");
        JsonNode actions = json(http("GET", "/v1/alerts/alert-ack/actions", A, Role.CLINICIAN, ""), 200);
        assertEquals(List.of("RESOLVED", "ACKNOWLEDGED"), List.of(actions.at("/actions/0/action").asText(),
                actions.at("/actions/1/action").asText()));
        assertEquals("calling the patient", actions.at("/actions/1/note").asText());

        // The monitor still sees it: a newer event puts it back.
        record.store().insertAlertEvents(List.of(WorklistSeed.alert(A, "alert-ack", "p-alert", Instant.now(),
                AlertState.UPDATED, Severity.HIGH)));
        assertTrue(item(worklist(A, "&kind=ALERT"), "alert-ack").isPresent());
        record.store().insertAlertEvents(List.of(WorklistSeed.alert(A, "alert-ack", "p-alert",
                Instant.now().plusSeconds(1), AlertState.RESOLVED, Severity.HIGH)));
        assertTrue(item(worklist(A, "&kind=ALERT"), "alert-ack").isEmpty(), "resolved by its monitor");
    }

    @Test
    void cdsHooksFeedbackIsKeptLikeAnAppReview() throws Exception {
        String overridden = assess(A, "p-cds-1").get("record_id").asText();
        String accepted = assess(A, "p-cds-2").get("record_id").asText();
        String feedback = "{\"feedback\":[{\"card\":\"" + overridden + "\",\"outcome\":\"overridden\","
                + "\"overrideReason\":{\"reason\":{\"code\":\"RED_FLAG_FIRED_WRONGLY\",\"system\":\"" + ReasonCode.SYSTEM
                + "\",\"display\":\"Red flag fired wrongly\"},\"userComment\":\"old ECG unchanged\"},"
                + "\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\"},"
                + "{\"card\":\"" + accepted + "\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-03-01T10:06:00+01:00\"}]}";
        JsonNode kept = json(http("POST", CdsFeedback.PATH, A, Role.BACKEND, feedback), 200);
        assertEquals(2, kept.get("kept").asInt());
        assertEquals(2, json(http("POST", CdsFeedback.PATH, A, Role.BACKEND, feedback), 200).get("already_kept").asInt(),
                "the same feedback again is kept once");

        JsonNode o = json(http("GET", "/v1/reviews?assessment_id=" + overridden, A, Role.CLINICIAN, ""), 200)
                .at("/reviews/0");
        assertAll(
                () -> assertEquals("CDS_HOOKS", o.get("source").asText()),
                () -> assertEquals("OVERRIDDEN", o.get("action").asText()),
                () -> assertEquals("RED_FLAG_FIRED_WRONGLY", o.get("reason").asText()),
                () -> assertFalse(o.has("level_after"), "feedback carries no level"),
                () -> assertEquals("old ECG unchanged", o.get("comment").asText()),
                () -> assertEquals("backend", o.get("reviewer_role").asText()),
                () -> assertEquals("2026-03-01T10:05:31Z", o.get("reviewed_at").asText()));
        JsonNode c = json(http("GET", "/v1/reviews?assessment_id=" + accepted, A, Role.CLINICIAN, ""), 200)
                .at("/reviews/0");
        assertEquals("CONFIRMED", c.get("action").asText());
        assertEquals("2026-03-01T09:06:00Z", c.get("reviewed_at").asText());
        assertTrue(item(worklist(A, ""), overridden).isEmpty(), "reviewed through the EHR: off the worklist");

        String foreign = "{\"feedback\":[{\"card\":\"" + UUID.randomUUID() + "\",\"outcome\":\"overridden\","
                + "\"overrideReason\":{\"reason\":{\"code\":\"d7ecf885\",\"system\":\"https://example.com/reasons\"}},"
                + "\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\"}]}";
        assertEquals("feedback[0].card", json(http("POST", CdsFeedback.PATH, A, Role.BACKEND, foreign), 404)
                .at("/error/message").asText().split(":")[0]);
        String otherSystem = foreign.replaceFirst("[0-9a-f-]{36}", accepted);
        json(http("POST", CdsFeedback.PATH, A, Role.BACKEND, otherSystem), 200);
        assertEquals("OTHER", json(http("GET", "/v1/reviews?assessment_id=" + accepted, A, Role.CLINICIAN, ""), 200)
                .at("/reviews/0/reason").asText(), "a reason from another code system is kept as OTHER");
        assertEquals(404, http("POST", CdsFeedback.PATH, B, Role.BACKEND, feedback).statusCode(),
                "clinic B's EHR cannot give feedback on clinic A's cards");

        String[][] bad = {
                {"{\"feedback\":[{\"card\":\"" + accepted + "\",\"outcome\":\"ignored\",\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\"}]}",
                        "feedback[0].outcome"},
                {"{\"feedback\":[{\"card\":\"" + accepted + "\",\"outcome\":\"accepted\"}]}", "feedback[0].outcomeTimestamp"},
                {"{\"feedback\":[{\"card\":\"" + accepted + "\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"yesterday\"}]}",
                        "feedback[0].outcomeTimestamp"},
                {"{\"feedback\":[{\"card\":\"card-1\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\"}]}",
                        "feedback[0].card"},
                {"{\"feedback\":[]}", "feedback"},
                {"{\"feedback\":[{\"card\":\"" + accepted + "\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\","
                        + "\"verdict\":1}]}", "feedback[0].verdict"}};
        for (String[] b : bad) {
            JsonNode error = json(http("POST", CdsFeedback.PATH, A, Role.BACKEND, b[0]), 400);
            assertEquals(b[1], error.at("/error/violations/0/field").asText(), b[0] + " -> " + error);
        }
    }

    @Test
    void aPatientsErasureTakesTheirReviewsAndAlertActions() throws Exception {
        String id = assess(A, "p-erased").get("record_id").asText();
        json(http("POST", "/v1/reviews", A, Role.CLINICIAN, "{\"assessment_id\":\"" + id + "\",\"action\":\"CONFIRMED\"}"),
                201);
        record.store().insertAlertEvents(List.of(WorklistSeed.alert(A, "alert-erased", "p-erased", Instant.now(),
                AlertState.RAISED, Severity.LOW)));
        json(http("POST", "/v1/alerts/alert-erased/actions", A, Role.CLINICIAN, "{\"action\":\"ESCALATED\"}"), 201);
        record.erase(A, new PatientRef("p-erased"));
        try (var c = record.database().dataSource().getConnection();
             var s = c.prepareStatement("SELECT (SELECT count(*) FROM review WHERE record_id = ?::uuid)"
                     + " + (SELECT count(*) FROM alert_action WHERE alert_id = 'alert-erased')"
                     + " + (SELECT count(*) FROM alert_queue WHERE alert_id = 'alert-erased')")) {
            s.setString(1, id);
            try (var rs = s.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1));
            }
        }
    }

    /** Rows and events for the worklist, written as the service writes them. */
    static final class WorklistSeed {
        private WorklistSeed() {
        }

        static RecordStore.AssessmentRow row(UUID id, ClinicId clinic, String patient, Instant at, int level,
                                             List<String> reviewReasons) {
            var result = health.vclinic.api.triage.v1.TriageAssessment.newBuilder()
                    .setEncounterId("e-" + id).setLevel(level)
                    .setAcuity(health.vclinic.api.triage.v1.Acuity.forNumber(level))
                    .setDisposition(health.vclinic.api.triage.v1.Disposition.forNumber(1))
                    .setDecidedBy("news2").setNeedsClinicianReview(!reviewReasons.isEmpty())
                    .addAllReviewReasons(reviewReasons).putModelVersions("news2", "rcp-2017")
                    .setRecordId(id.toString()).build();
            var request = health.vclinic.api.triage.v1.TriageRequest.newBuilder().setEncounterId("e-" + id)
                    .setPatientRef(patient)
                    .setInterview(health.vclinic.api.triage.v1.Interview.newBuilder().setChiefComplaint("short of breath"))
                    .build();
            return new RecordStore.AssessmentRow(id, clinic, Optional.of(new PatientRef(patient)), at, 1000, request,
                    result, Optional.empty());
        }

        static RecordStore.AlertRow alert(ClinicId clinic, String alertId, String patient, Instant at, AlertState state,
                                          Severity severity) {
            Timestamp t = Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
            return new RecordStore.AlertRow(UUID.randomUUID(), clinic, new PatientRef(patient), at, Alert.newBuilder()
                    .setAlertId(alertId).setPatientRef(patient).setState(state).setSeverity(severity)
                    .setReason("NEWS2 7: respiratory rate 27, SpO2 89").setDetector("news2").setModelVersion("rcp-2017")
                    .setRaisedAt(t).setSampleTime(t).build());
        }
    }
}
