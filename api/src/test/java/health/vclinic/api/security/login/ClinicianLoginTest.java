package health.vclinic.api.security.login;

import health.vclinic.api.MovableClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
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
 * Clinicians' login on a real server with the real PostgreSQL: password and TOTP, the session cookie's
 * attributes, one answer for every failure, lockout, logout, automatic logoff (on a clock the test moves),
 * CSRF, and what a clinician's session may read: its clinic's record, nothing of another clinic's, and no
 * assessing.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClinicianLoginTest {

    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");
    private static final String PASSWORD = "correct horse battery staple";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger USERS = new AtomicInteger();

    @TempDir
    static Path dataDir;

    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-03-02T08:00:00Z"));
    private static final List<LoginEvents.Event> EVENTS = Collections.synchronizedList(new ArrayList<>());
    private static ClinicalRecord record;
    private static VclinicServer server;
    private static Accounts accounts;

    /** An account the test made, with its TOTP secret. */
    private record User(ClinicId clinic, String login, byte[] secret) {
        String code() {
            return new Totp(CLOCK).now(secret);
        }
    }

    /** A logged-in browser: its cookie and CSRF token. */
    private record Session(String id, String csrf) {
        String cookie() {
            return ClinicianLogin.COOKIE + "=" + id;
        }
    }

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        ClinicianLogin login = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                LoginSettings.defaults(), CLOCK, EVENTS::add);
        accounts = new Accounts(record.database().dataSource(), record.cipher(), CLOCK, PasswordHash.OWASP);
        server = VclinicServer.start(TestSecurity.SECURITY.withSessions(login), TriageEndpoint.standard(),
                Optional.empty(), Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static User newUser(ClinicId clinic) {
        Enrolment e = accounts.create(clinic, "dr.user" + USERS.incrementAndGet(), Role.CLINICIAN, PASSWORD);
        assertTrue(e.otpauthUri().startsWith("otpauth://totp/vclinic:" + e.login() + "?secret="), e.otpauthUri());
        return new User(clinic, e.login(), Base32.decode(e.totpSecretBase32()));
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

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static HttpResponse<String> attempt(String clinic, String login, String password, String code)
            throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("clinic", clinic);
        fields.put("login", login);
        fields.put("password", password);
        fields.put("totp", code);
        return send("POST", "/app/login", Map.of("Content-Type", "application/x-www-form-urlencoded"), form(fields));
    }

    /** Logs in with a fresh code (the clock moves to the next 30 s step first: a code is good once). */
    private static Session login(User u) throws Exception {
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        HttpResponse<String> r = attempt(u.clinic().value(), u.login(), PASSWORD, u.code());
        assertEquals(200, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        String id = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
        return new Session(id, JSON.readTree(r.body()).get("csrf_token").asText());
    }

    private static HttpResponse<String> get(String path, Session s) throws Exception {
        return send("GET", path, Map.of("Cookie", s.cookie()), "");
    }

    private static HttpResponse<String> logout(Session s, Map<String, String> extra) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Cookie", s.cookie());
        return send("POST", "/app/logout", headers, "");
    }

    private static List<LoginEvents.Event> eventsOf(User u) {
        synchronized (EVENTS) {
            return EVENTS.stream().filter(e -> e.login().equals(u.login())).toList();
        }
    }

    @Test
    void passwordAndCodeGiveAHostOnlySecureHttpOnlyStrictSessionCookie() throws Exception {
        User u = newUser(A);
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        HttpResponse<String> r = attempt(A.value(), u.login(), PASSWORD, u.code());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(List.of("no-store"), r.headers().allValues("Cache-Control"));
        List<String> cookies = r.headers().allValues("Set-Cookie");
        assertEquals(1, cookies.size(), cookies.toString());
        List<String> parts = List.of(cookies.get(0).split(";\\s*"));
        assertTrue(parts.get(0).matches(ClinicianLogin.COOKIE + "=[A-Za-z0-9_-]{43}"), "256 random bits: " + parts.get(0));
        assertEquals(List.of("Path=/", "Secure", "HttpOnly", "SameSite=Strict"), parts.subList(1, parts.size()),
                "no Domain (the __Host- prefix forbids one), no Max-Age: gone when the browser closes");
        JsonNode body = JSON.readTree(r.body());
        assertEquals(A.value(), body.get("clinic").asText());
        assertEquals(u.login(), body.get("subject").asText());
        assertEquals("clinician", body.get("role").asText());
        assertEquals(900, body.get("idle_timeout_seconds").asInt());
        String id = parts.get(0).substring(parts.get(0).indexOf('=') + 1);
        Session s = new Session(id, body.get("csrf_token").asText());
        JsonNode who = JSON.readTree(get("/app/session", s).body());
        assertEquals(u.login(), who.get("subject").asText());
        assertEquals("session", who.get("via").asText());
        assertEquals(s.csrf(), who.get("csrf_token").asText(), "the CSRF token is the session's, every time");
        assertEquals(List.of(LoginEvents.Outcome.LOGGED_IN), eventsOf(u).stream().map(LoginEvents.Event::outcome).toList());
        try (Connection c = record.database().dataSource().getConnection()) {
            // The database holds the SHA-256 of the session id, never the id; and an Argon2id hash at OWASP's cost.
            PreparedStatement q = c.prepareStatement("SELECT count(*) FROM app_session WHERE session_hash = ?");
            q.setBytes(1, SessionStore.hash(id));
            ResultSet rs = q.executeQuery();
            rs.next();
            assertEquals(1, rs.getInt(1));
            PreparedStatement leak = c.prepareStatement("SELECT count(*) FROM app_session WHERE position(? in"
                    + " session_hash) > 0 OR position(? in session_ref::text::bytea) > 0");
            leak.setBytes(1, id.getBytes(StandardCharsets.US_ASCII));
            leak.setBytes(2, id.getBytes(StandardCharsets.US_ASCII));
            rs = leak.executeQuery();
            rs.next();
            assertEquals(0, rs.getInt(1));
            PreparedStatement h = c.prepareStatement("SELECT password_hash FROM app_user WHERE login = ?");
            h.setString(1, u.login());
            rs = h.executeQuery();
            rs.next();
            String hash = rs.getString(1);
            assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
            assertTrue(PasswordHash.verify(PASSWORD, hash));
            assertFalse(PasswordHash.verify(PASSWORD + "!", hash));
        }
    }

    @Test
    void aWrongPasswordCodeReusedCodeUnknownLoginOrClinicAllGetTheSameAnswer() throws Exception {
        User u = newUser(A);
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        String used = u.code();
        assertEquals(200, attempt(A.value(), u.login(), PASSWORD, used).statusCode());
        String wrongCode = String.format("%06d", (Integer.parseInt(u.code()) + 1) % 1_000_000);
        List<HttpResponse<String>> refused = List.of(
                attempt(A.value(), u.login(), "not the right password", u.code()),
                attempt(A.value(), u.login(), PASSWORD, wrongCode),
                attempt(A.value(), u.login(), PASSWORD, used),
                attempt(A.value(), "nobody-" + u.login(), PASSWORD, u.code()),
                attempt(B.value(), u.login(), PASSWORD, u.code()));
        for (HttpResponse<String> r : refused) {
            assertEquals(401, r.statusCode(), r.body());
            assertEquals(refused.get(0).body(), r.body(), "one answer for every failure");
            assertTrue(r.headers().firstValue("Set-Cookie").isEmpty());
        }
        assertTrue(refused.get(0).body().contains(ClinicianLogin.FAILED), refused.get(0).body());
        assertEquals(List.of(Optional.empty(), Optional.of(LoginEvents.Failure.WRONG_PASSWORD),
                Optional.of(LoginEvents.Failure.WRONG_CODE), Optional.of(LoginEvents.Failure.REUSED_CODE)),
                eventsOf(u).stream().filter(e -> e.clinic().equals(A.value())).map(LoginEvents.Event::failure).toList(),
                "the audit hears why; the caller does not");
        synchronized (EVENTS) {
            assertTrue(EVENTS.stream().anyMatch(e -> e.login().equals("nobody-" + u.login())
                    && e.failure().equals(Optional.of(LoginEvents.Failure.UNKNOWN_LOGIN))));
        }
        // A malformed field is a client error naming the field (it reveals nothing about any account).
        HttpResponse<String> bad = attempt(A.value(), u.login(), PASSWORD, "12ab56");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("\"field\":\"totp\""), bad.body());
        HttpResponse<String> json = send("POST", "/app/login", Map.of("Content-Type", "application/json"), "{}");
        assertEquals(415, json.statusCode(), json.body());
    }

    @Test
    void fiveFailuresInARowLockTheAccountForFifteenMinutes() throws Exception {
        User u = newUser(A);
        for (int i = 1; i <= 4; i++) {
            assertEquals(401, attempt(A.value(), u.login(), "wrong password " + i, u.code()).statusCode());
        }
        login(u);  // a success in between starts the count again
        for (int i = 1; i <= 5; i++) {
            assertEquals(401, attempt(A.value(), u.login(), "wrong password " + i, u.code()).statusCode());
        }
        List<LoginEvents.Outcome> outcomes = eventsOf(u).stream().map(LoginEvents.Event::outcome).toList();
        assertEquals(LoginEvents.Outcome.LOCKED_OUT, outcomes.get(outcomes.size() - 1), outcomes.toString());
        assertEquals(1, outcomes.stream().filter(o -> o == LoginEvents.Outcome.LOCKED_OUT).count(), outcomes.toString());
        // Locked: even the right password and code are refused, with the same answer.
        CLOCK.advance(Duration.ofMinutes(14));
        HttpResponse<String> locked = attempt(A.value(), u.login(), PASSWORD, u.code());
        assertEquals(401, locked.statusCode());
        assertTrue(locked.body().contains(ClinicianLogin.FAILED));
        assertEquals(Optional.of(LoginEvents.Failure.ACCOUNT_LOCKED), eventsOf(u).get(eventsOf(u).size() - 1).failure());
        CLOCK.advance(Duration.ofMinutes(1));
        login(u);
    }

    @Test
    void logoutEndsTheSessionEverywhere() throws Exception {
        User u = newUser(A);
        Session s = login(u);
        assertEquals(200, get("/v1/record/alerts:open", s).statusCode());
        HttpResponse<String> out = logout(s, Map.of(ClinicianLogin.CSRF_HEADER, s.csrf()));
        assertEquals(200, out.statusCode(), out.body());
        assertTrue(JSON.readTree(out.body()).get("logged_out").asBoolean());
        String cleared = out.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cleared.startsWith(ClinicianLogin.COOKIE + "=;") && cleared.contains("Expires=Thu, 1 Jan 1970"),
                cleared);
        for (String path : List.of("/app/session", "/v1/record/alerts:open")) {
            HttpResponse<String> r = get(path, s);
            assertEquals(401, r.statusCode(), path);
            assertTrue(r.body().contains("the session has ended"), r.body());
        }
        assertEquals(LoginEvents.Outcome.LOGGED_OUT, eventsOf(u).get(eventsOf(u).size() - 1).outcome());
    }

    @Test
    void fifteenMinutesWithoutARequestLogOffAndEveryRequestRestartsThem() throws Exception {
        User u = newUser(A);
        Session s = login(u);
        for (int i = 0; i < 3; i++) {
            CLOCK.advance(Duration.ofMinutes(14).plusSeconds(59));
            assertEquals(200, get(i % 2 == 0 ? "/app/session" : "/v1/record/alerts:open", s).statusCode(),
                    "a request within 15 minutes keeps the session");
        }
        CLOCK.advance(Duration.ofMinutes(15));
        HttpResponse<String> r = get("/app/session", s);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("the session has ended"), r.body());
        assertEquals(LoginEvents.Outcome.TIMED_OUT, eventsOf(u).get(eventsOf(u).size() - 1).outcome());
    }

    @Test
    void noSessionOutlivesTwelveHoursHoweverActive() throws Exception {
        User u = newUser(A);
        Session s = login(u);
        Instant loggedIn = CLOCK.instant();
        while (Duration.between(loggedIn, CLOCK.instant()).compareTo(Duration.ofHours(12).minusMinutes(10)) < 0) {
            CLOCK.advance(Duration.ofMinutes(10));
            assertEquals(200, get("/app/session", s).statusCode(), "at " + Duration.between(loggedIn, CLOCK.instant()));
        }
        CLOCK.advance(Duration.ofMinutes(10));
        assertEquals(401, get("/app/session", s).statusCode());
    }

    @Test
    void aCookieAuthenticatedChangeNeedsTheSessionsCsrfTokenFromThisOrigin() throws Exception {
        User u = newUser(A);
        Session s = login(u);
        String self = "http://127.0.0.1:" + server.port();
        List<Map<String, String>> forged = List.of(
                Map.of(),
                Map.of(ClinicianLogin.CSRF_HEADER, "not-the-token"),
                Map.of(ClinicianLogin.CSRF_HEADER, login(newUser(A)).csrf()),
                Map.of(ClinicianLogin.CSRF_HEADER, s.csrf(), "Origin", "https://evil.example"),
                Map.of(ClinicianLogin.CSRF_HEADER, s.csrf(), "Origin", "null"),
                Map.of(ClinicianLogin.CSRF_HEADER, s.csrf(), "Sec-Fetch-Site", "cross-site"),
                Map.of(ClinicianLogin.CSRF_HEADER, s.csrf(), "Sec-Fetch-Site", "same-site"));
        for (Map<String, String> headers : forged) {
            HttpResponse<String> r = logout(s, headers);
            assertEquals(403, r.statusCode(), headers + ": " + r.body());
            assertTrue(r.body().contains("PERMISSION_DENIED"), r.body());
        }
        assertEquals(200, get("/app/session", s).statusCode(), "no forged request ended the session");
        // A plain HTML form: the token in the _csrf field; the browser asked for HTML, so it is sent on.
        HttpResponse<String> viaForm = send("POST", "/app/logout", Map.of("Cookie", s.cookie(), "Content-Type",
                "application/x-www-form-urlencoded", "Accept", "text/html", "Origin", self, "Sec-Fetch-Site", "same-origin"),
                form(Map.of(ClinicianLogin.CSRF_FIELD, s.csrf())));
        assertEquals(303, viaForm.statusCode(), viaForm.body());
        assertEquals("/app/login", viaForm.headers().firstValue("Location").orElseThrow());
        assertEquals(401, get("/app/session", s).statusCode());
        Session t = login(u);
        assertEquals(200, logout(t, Map.of(ClinicianLogin.CSRF_HEADER, t.csrf(), "Origin", self)).statusCode());
        // Login itself refuses a cross-site post (login CSRF), before looking at the credentials.
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        Map<String, String> fields = Map.of("clinic", A.value(), "login", u.login(), "password", PASSWORD, "totp", u.code());
        assertEquals(403, send("POST", "/app/login", Map.of("Content-Type", "application/x-www-form-urlencoded",
                "Sec-Fetch-Site", "cross-site"), form(fields)).statusCode());
    }

    @Test
    void aClinicianSessionReadsItsClinicsRecordButCannotAssess() throws Exception {
        Session s = login(newUser(A));
        HttpResponse<String> alerts = get("/v1/record/alerts:open", s);
        assertEquals(200, alerts.statusCode(), alerts.body());
        HttpResponse<String> assess = send("POST", "/v1/triage:assess", Map.of("Cookie", s.cookie(),
                ClinicianLogin.CSRF_HEADER, s.csrf(), "Content-Type", "application/json"), TestSupport.exampleLines().get(0));
        assertEquals(403, assess.statusCode(), assess.body());
        assertTrue(assess.body().contains("role clinician may not call POST /v1/triage:assess"), assess.body());
        // A bearer token still works as before, cookie or not.
        assertEquals(200, send("GET", "/v1/record/alerts:open", Map.of("Authorization",
                "Bearer " + TestSecurity.token(A, Role.CLINICIAN)), "").statusCode());
    }

    @Test
    void aClinicianOfClinicACannotReadClinicBsAssessment() throws Exception {
        HttpResponse<String> assessed = send("POST", "/v1/triage:assess", Map.of("Authorization",
                "Bearer " + TestSecurity.token(B, Role.BACKEND), "Content-Type", "application/json"),
                TestSupport.exampleLines().get(0));
        assertEquals(200, assessed.statusCode(), assessed.body());
        String recordId = JSON.readTree(assessed.body()).get("record_id").asText();
        assertFalse(recordId.isEmpty());
        Session ofB = login(newUser(B));
        Session ofA = login(newUser(A));
        assertEquals(200, get("/v1/record/assessments/" + recordId, ofB).statusCode());
        HttpResponse<String> r = get("/v1/record/assessments/" + recordId, ofA);
        assertEquals(404, r.statusCode(), r.body());
    }

    @Test
    void disablingAnAccountEndsItsSessionsAndItsLogins() throws Exception {
        User u = newUser(A);
        Session s = login(u);
        assertTrue(accounts.disable(A, u.login()));
        assertEquals(401, get("/app/session", s).statusCode());
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        HttpResponse<String> r = attempt(A.value(), u.login(), PASSWORD, u.code());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains(ClinicianLogin.FAILED));
        assertFalse(accounts.disable(A, u.login()), "already disabled");
    }

    @Test
    void aSessionOutlivesTheServerThatBeganIt() throws Exception {
        Session s = login(newUser(A));
        // A second server on the same database (a restart, or a second instance) knows the session.
        ClinicianLogin again = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                LoginSettings.defaults(), CLOCK, LoginEvents.NONE);
        try (VclinicServer other = VclinicServer.start(TestSecurity.SECURITY.withSessions(again),
                TriageEndpoint.standard(), "127.0.0.1", 0)) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/app/session")).header("Cookie", s.cookie()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(s.csrf(), JSON.readTree(r.body()).get("csrf_token").asText());
        }
    }

    @Test
    void aSessionIdIsNeverTheSameTwiceAndAForgedOneOpensNothing() throws Exception {
        User u = newUser(A);
        Session first = login(u);
        Session second = login(u);
        assertFalse(first.id().equals(second.id()));
        assertArrayEquals(SessionStore.hash(first.id()), SessionStore.hash(first.id()));
        for (String forged : List.of("A".repeat(43), first.id().substring(1) + "B", "short", "")) {
            HttpResponse<String> r = send("GET", "/app/session", Map.of("Cookie", ClinicianLogin.COOKIE + "=" + forged), "");
            assertEquals(401, r.statusCode(), forged);
        }
    }

    @Test
    void whenTheAccountDatabaseIsDownACookieGetsAnInternalErrorWithoutDetail() throws Exception {
        com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
        // Nothing listens on port 1: every connection attempt fails after the timeout.
        c.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
        c.setConnectionTimeout(250);
        c.setInitializationFailTimeout(-1);
        try (com.zaxxer.hikari.HikariDataSource down = new com.zaxxer.hikari.HikariDataSource(c);
             VclinicServer other = VclinicServer.start(TestSecurity.SECURITY.withSessions(ClinicianLogin.create(down,
                     record.cipher(), LoginSettings.defaults(), CLOCK, LoginEvents.NONE)), TriageEndpoint.standard(),
                     "127.0.0.1", 0)) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/app/session")).header("Cookie", ClinicianLogin.COOKIE + "=" + "A".repeat(43)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode(), r.body());
            assertTrue(r.body().contains("INTERNAL") && !r.body().contains("SQL"), r.body());
        }
    }
}
