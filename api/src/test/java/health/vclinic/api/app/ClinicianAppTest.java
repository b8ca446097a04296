package health.vclinic.api.app;

import health.vclinic.api.MovableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import health.vclinic.api.TestKeys;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.audit.AuditLog;
import health.vclinic.api.audit.AuditOutcome;
import health.vclinic.api.audit.AuditQuery;
import health.vclinic.api.audit.StoredEntry;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.login.Accounts;
import health.vclinic.api.security.login.ClinicianLogin;
import health.vclinic.api.security.login.Enrolment;
import health.vclinic.api.security.login.LoginEvents;
import health.vclinic.api.security.login.LoginSettings;
import health.vclinic.api.security.login.Totp;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clinicians' app over plain HTTP on a real server with the real PostgreSQL (the browser tests are in
 * {@link ClinicianAppBrowserTest}): every page and file carries the strict Content-Security-Policy and the other
 * headers; a page opened without a session leads to the login page while a script still gets 401; a page's
 * background refresh does not hold off the automatic logoff; what a patient or a backend wrote is escaped; another
 * clinic's assessment is not found; a page's read is audited.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClinicianAppTest {

    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");
    private static final String PASSWORD = "correct horse battery staple";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-03-02T08:00:00Z"));

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static Accounts accounts;
    private static AuditLog audit;

    /** A logged-in browser: its session cookie and CSRF token, and whose it is. */
    private record Session(String cookie, String csrf, String login) {
    }

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        audit = AuditLog.open(record.database().dataSource(), dataDir.resolve("keys/audit.key"), line -> { });
        record.auditingTo(audit);
        ClinicianLogin login = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                LoginSettings.defaults(), CLOCK, LoginEvents.NONE);
        accounts = new Accounts(record.database().dataSource(), record.cipher());
        server = VclinicServer.start(TestSecurity.SECURITY.withSessions(login), TriageEndpoint.standard(),
                Optional.empty(), Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, Session s, Map<String, String> extra) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Cookie", s.cookie());
        return send("GET", path, headers, "");
    }

    /** A new clinician of {@code clinic}, logged in with a fresh code. */
    private static Session logIn(ClinicId clinic) throws Exception {
        Enrolment e = accounts.create(clinic, "dr.app" + USERS.incrementAndGet(), Role.CLINICIAN, PASSWORD);
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("clinic", clinic.value());
        fields.put("login", e.login());
        fields.put("password", PASSWORD);
        fields.put("totp", new Totp(CLOCK).now(Base32.decode(e.totpSecretBase32())));
        String form = fields.entrySet().stream().map(f -> f.getKey() + "="
                + URLEncoder.encode(f.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = send("POST", "/app/login", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form);
        assertEquals(200, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return new Session(setCookie.substring(0, setCookie.indexOf(';')),
                JSON.readTree(r.body()).get("csrf_token").asText(), e.login());
    }

    private static String assess(ClinicId clinic, TriageRequest request) throws Exception {
        HttpResponse<String> r = send("POST", "/v1/triage:assess", Map.of("Authorization", "Bearer "
                + TestSecurity.token(clinic, Role.BACKEND), "Content-Type", "application/json"),
                com.google.protobuf.util.JsonFormat.printer().print(request));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("record_id").asText();
    }

    private static void assertPageHeaders(HttpResponse<String> r, String what) {
        assertEquals(Optional.of(Pages.CSP), r.headers().firstValue("Content-Security-Policy"), what);
        assertTrue(Pages.CSP.contains("script-src 'self';") && Pages.CSP.contains("frame-ancestors 'none'"));
        assertEquals(Optional.of("nosniff"), r.headers().firstValue("X-Content-Type-Options"), what);
        assertEquals(Optional.of("same-origin"), r.headers().firstValue("Referrer-Policy"), what);
        assertEquals(Optional.of("DENY"), r.headers().firstValue("X-Frame-Options"), what);
    }

    @Test
    void everyPageAndFileCarriesTheStrictHeaders() throws Exception {
        HttpResponse<String> login = send("GET", "/app/login", Map.of(), "");
        assertEquals(200, login.statusCode());
        assertPageHeaders(login, "login page");
        assertEquals(Optional.of("no-store"), login.headers().firstValue("Cache-Control"));
        assertTrue(login.body().contains("<form method=\"post\" action=\"/app/login\""), login.body());
        assertFalse(login.body().contains("<script>") || login.body().contains(" style=\"")
                || login.body().contains(" onclick="), "no inline script, style or handler");

        for (String file : new String[] {"app.css", "app.js"}) {
            HttpResponse<String> r = send("GET", "/app/static/" + file, Map.of(), "");
            assertEquals(200, r.statusCode(), file);
            assertPageHeaders(r, file);
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith(
                    file.endsWith(".css") ? "text/css" : "text/javascript"), file);
        }
        assertEquals(404, send("GET", "/app/static/pom.xml", Map.of(), "").statusCode());

        Session s = logIn(A);
        String id = assess(A, TestSupport.example("demo-003").toBuilder().setPatientRef("pt-headers").build());
        for (String path : new String[] {"/app/assessments/" + id, "/app/patients/pt-headers"}) {
            HttpResponse<String> r = get(path, s, Map.of());
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertPageHeaders(r, path);
            assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"), "patient data is never cached");
            assertTrue(r.body().contains("name=\"_csrf\" value=\"" + s.csrf() + "\""), "the logout form carries the token");
        }
    }

    @Test
    void aPageOpenedWithoutASessionLeadsToTheLoginPageWhileAScriptGets401() throws Exception {
        HttpResponse<String> navigation = send("GET", "/app/", Map.of("Sec-Fetch-Mode", "navigate"), "");
        assertEquals(303, navigation.statusCode());
        assertEquals(Optional.of("/app/login"), navigation.headers().firstValue("Location"));
        HttpResponse<String> oldBrowser = send("GET", "/app/patients/p1", Map.of("Accept", "text/html"), "");
        assertEquals(303, oldBrowser.statusCode());
        HttpResponse<String> script = send("GET", "/app/", Map.of("Sec-Fetch-Mode", "cors", "Accept", "text/html"), "");
        assertEquals(401, script.statusCode(), "a fetch learns that the session ended");
        HttpResponse<String> api = send("GET", "/v1/record/alerts:open", Map.of("Sec-Fetch-Mode", "navigate"), "");
        assertEquals(401, api.statusCode(), "only the app's pages redirect");
        HttpResponse<String> ended = send("GET", "/app/", Map.of("Sec-Fetch-Mode", "navigate",
                "Cookie", ClinicianLogin.COOKIE + "=" + "x".repeat(43)), "");
        assertEquals(303, ended.statusCode(), "an ended session leads to the login page too");
    }

    @Test
    void aBackgroundRefreshDoesNotHoldOffTheLogoffButThePersonsRequestsDo() throws Exception {
        Session watched = logIn(A);
        Session used = logIn(A);
        Map<String, String> background = Map.of(ClinicianLogin.BACKGROUND_HEADER, "1");
        Duration step = LoginSettings.DEFAULT_IDLE.multipliedBy(2).dividedBy(3);
        CLOCK.advance(step);
        assertEquals(200, get("/app/session", watched, background).statusCode(), "answered while the session lives");
        assertEquals(200, get("/app/session", used, Map.of()).statusCode());
        CLOCK.advance(step);
        assertEquals(401, get("/app/session", watched, background).statusCode(),
                "idle for " + step.multipliedBy(2) + ": only background refreshes came");
        assertEquals(200, get("/app/session", used, Map.of()).statusCode(), "the person's request kept it alive");
    }

    @Test
    void whatPatientsAndBackendsWroteIsEscaped() throws Exception {
        Session s = logIn(A);
        TriageRequest hostile = TestSupport.example("demo-001").toBuilder().setPatientRef("pt-<b>x</b>")
                .setInterview(TestSupport.example("demo-001").getInterview().toBuilder()
                        .setChiefComplaint("<script>alert(1)</script> crushing chest pain \"><img src=x onerror=alert(2)>"))
                .build();
        String id = assess(A, hostile);
        HttpResponse<String> r = get("/app/assessments/" + id, s, Map.of());
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(r.body().contains("<script>alert"), "the complaint is escaped");
        assertFalse(r.body().contains("<img src=x"), "the complaint is escaped");
        assertFalse(r.body().contains("<b>x</b>"), "the patient reference is escaped");
        assertTrue(r.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), r.body());
        assertTrue(r.body().contains("href=\"/app/patients/pt-%3Cb%3Ex%3C%2Fb%3E\""), "the reference is encoded in links");
    }

    @Test
    void aReviewFromTheFormIsKeptAndAuditedAndABadOneIsNamed() throws Exception {
        Session s = logIn(A);
        String id = assess(A, TestSupport.example("demo-001").toBuilder().setPatientRef("pt-form").build());
        String path = "/app/assessments/" + id + "/review";
        Map<String, String> form = Map.of("Cookie", s.cookie(), "Content-Type", "application/x-www-form-urlencoded",
                "Origin", "http://127.0.0.1:" + server.port(), "Sec-Fetch-Site", "same-origin");
        HttpResponse<String> forged = send("POST", path, form, "action=CONFIRMED");
        assertEquals(403, forged.statusCode(), "no CSRF token: " + forged.body());
        HttpResponse<String> bad = send("POST", path, form, "_csrf=" + s.csrf() + "&action=OVERRIDDEN&level=4&reason=TIRED");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("reason") && bad.body().contains("RED_FLAG_FIRED_WRONGLY"), bad.body());
        HttpResponse<String> kept = send("POST", path, form, "_csrf=" + s.csrf()
                + "&action=OVERRIDDEN&level=4&reason=RED_FLAG_FIRED_WRONGLY&comment=musculoskeletal");
        assertEquals(303, kept.statusCode(), kept.body());
        assertEquals(Optional.of("/app/assessments/" + id + "#review"), kept.headers().firstValue("Location"));
        String page = get("/app/assessments/" + id, s, Map.of()).body();
        assertTrue(page.contains("Red flag fired wrongly") && page.contains("musculoskeletal"), "the review is listed");
        assertTrue(audit.search(AuditQuery.all().inClinic(A).page(AuditQuery.MAX_COUNT, java.util.OptionalLong.empty()))
                .entries().stream().anyMatch(e -> e.action() == AuditAction.CREATE && e.objectType().equals("Review")
                        && e.objectId().equals(id) && e.actorSubject().equals(s.login())), "the review is audited");
    }

    @Test
    void anotherClinicsAssessmentIsNotFoundAndABadIdIsAClientError() throws Exception {
        Session a = logIn(A);
        Session b = logIn(B);
        String id = assess(A, TestSupport.example("demo-001").toBuilder().setPatientRef("pt-shared").build());
        assertEquals(200, get("/app/assessments/" + id, a, Map.of()).statusCode());
        HttpResponse<String> foreign = get("/app/assessments/" + id, b, Map.of());
        assertEquals(404, foreign.statusCode());
        assertFalse(foreign.body().contains("Crushing chest pain"), "nothing of clinic A's");
        assertFalse(get("/app/patients/pt-shared", b, Map.of()).body().contains("Crushing chest pain"));
        assertTrue(get("/app/patients/pt-shared", a, Map.of()).body().contains("Crushing chest pain"));
        // The page's read is in the audit trail like an API read: who, which assessment, as a clinician.
        List<StoredEntry> reads = audit.search(AuditQuery.all().inClinic(A).page(AuditQuery.MAX_COUNT,
                java.util.OptionalLong.empty())).entries().stream().filter(e -> e.action() == AuditAction.READ
                && e.objectId().equals(id)).toList();
        assertTrue(reads.stream().anyMatch(e -> e.actorSubject().equals(a.login()) && e.role().equals("clinician")
                && e.outcome() == AuditOutcome.SUCCESS), reads.toString());
        HttpResponse<String> bad = get("/app/assessments/not-an-id", a, Map.of());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("assessment id"), bad.body());
        assertEquals(404, get("/app/alerts/" + java.util.UUID.randomUUID(), a, Map.of()).statusCode());
    }
}
