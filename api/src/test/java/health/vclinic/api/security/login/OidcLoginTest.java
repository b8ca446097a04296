package health.vclinic.api.security.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clinicians' login through an OpenID Connect provider, on a real server with the real PostgreSQL, against a
 * fake provider in this JVM (the JDK's HTTP server on a loopback port: discovery, JWKS with an EC P-256 key made
 * here, an authorization endpoint that sends the browser straight back, and a token endpoint that checks the
 * client secret and PKCE and answers an ID token). The browser is played by hand: every redirect and cookie.
 * Each refusal case changes one thing of the happy path's ID token or callback.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OidcLoginTest {

    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");
    private static final String CLIENT = "vclinic-app";
    /** 48 characters: long enough to key an HMAC, which must still be refused. */
    private static final String SECRET = "s3cret-of-the-client-0123456789abcdef0123456789ab";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final List<LoginEvents.Event> EVENTS = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static Accounts accounts;
    private static FakeProvider provider;

    /** How one login's ID token differs from a good one. */
    private record Scenario(String user, UnaryOperator<JWTClaimsSet.Builder> claims, JWSSigner signer,
                            JWSAlgorithm alg) {
    }

    /** What the fake provider remembers of one authorization, until its code is redeemed. */
    private record Grant(Scenario scenario, String nonce, String challenge, String redirectUri) {
    }

    /** An OpenID provider as small as the flow allows; it checks what a real one checks of the client. */
    private static final class FakeProvider {
        final ECKey key;
        final HttpServer http;
        final Map<String, Scenario> scenarios = new ConcurrentHashMap<>();
        final Map<String, Grant> grants = new ConcurrentHashMap<>();
        final List<String> tokensIssued = Collections.synchronizedList(new ArrayList<>());

        FakeProvider() throws Exception {
            key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/.well-known/openid-configuration", ex -> json(ex, 200, Map.of(
                    "issuer", issuer(),
                    "authorization_endpoint", issuer() + "/authorize",
                    "token_endpoint", issuer() + "/token",
                    "jwks_uri", issuer() + "/jwks",
                    "response_types_supported", List.of("code"),
                    "id_token_signing_alg_values_supported", List.of("ES256", "HS256"),
                    "code_challenge_methods_supported", List.of("S256"))));
            http.createContext("/jwks", ex -> send(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
            http.createContext("/authorize", this::authorize);
            http.createContext("/token", this::token);
            http.start();
        }

        String issuer() {
            return "http://127.0.0.1:" + http.getAddress().getPort();
        }

        /** Logs in the user of the scenario the test names ({@code as}) and sends the browser back. */
        void authorize(HttpExchange ex) throws IOException {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            Scenario s = scenarios.get(q.getOrDefault("as", ""));
            if (s == null || !CLIENT.equals(q.get("client_id")) || !"code".equals(q.get("response_type"))
                    || !"S256".equals(q.get("code_challenge_method")) || !q.getOrDefault("scope", "").contains("openid")) {
                send(ex, 400, "bad authorization request: " + q);
                return;
            }
            String code = UUID.randomUUID().toString();
            grants.put(code, new Grant(s, q.get("nonce"), q.get("code_challenge"), q.get("redirect_uri")));
            ex.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                    + URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(302, -1);
            ex.close();
        }

        /** Redeems a code once, for the client with its secret and the PKCE verifier. */
        void token(HttpExchange ex) throws IOException {
            Map<String, String> f = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT + ":" + URLEncoder.encode(SECRET,
                    StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            Grant g = grants.remove(f.getOrDefault("code", ""));
            if (!"POST".equals(ex.getRequestMethod()) || !basic.equals(ex.getRequestHeaders().getFirst("Authorization"))
                    || g == null || !"authorization_code".equals(f.get("grant_type"))
                    || !g.redirectUri().equals(f.get("redirect_uri"))
                    || !g.challenge().equals(OidcLogin.challenge(f.getOrDefault("code_verifier", "")))) {
                json(ex, 400, Map.of("error", "invalid_grant"));
                return;
            }
            try {
                Instant now = Instant.now();
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer()).subject("sub-" + g.scenario().user())
                        .audience(CLIENT).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                        .claim("nonce", g.nonce()).claim("preferred_username", g.scenario().user())
                        .claim("amr", List.of("pwd", "otp", "mfa"));
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(g.scenario().alg()).keyID("k1")
                        .type(JOSEObjectType.JWT).build(), g.scenario().claims().apply(claims).build());
                jwt.sign(g.scenario().signer());
                String token = jwt.serialize();
                tokensIssued.add(token);
                json(ex, 200, Map.of("access_token", "at-" + UUID.randomUUID(), "token_type", "Bearer",
                        "expires_in", 300, "id_token", token));
            } catch (Exception e) {
                send(ex, 500, e.toString());
            }
        }

        static void json(HttpExchange ex, int status, Object body) throws IOException {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            send(ex, status, JSON.writeValueAsString(body));
        }

        static void send(HttpExchange ex, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        provider = new FakeProvider();
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir),
                dataDir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        ClinicianLogin login = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                LoginSettings.defaults(), Clock.systemUTC(), EVENTS::add)
                .withOidc(List.of(new OidcProvider(A, URI.create(provider.issuer()), CLIENT, SECRET)), Optional.empty());
        accounts = new Accounts(record.database().dataSource(), record.cipher(), Clock.systemUTC(), PasswordHash.OWASP);
        server = VclinicServer.start(TestSecurity.SECURITY.withSessions(login), TriageEndpoint.standard(),
                Optional.empty(), Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.http.stop(0);
        }
    }

    // ---- the browser, by hand ----

    private static String newUser(ClinicId clinic) {
        return accounts.create(clinic, "dr.oidc" + USERS.incrementAndGet(), Role.CLINICIAN,
                "correct horse battery staple").login();
    }

    private static Scenario good(String user) {
        return new Scenario(user, b -> b, signer(provider.key), JWSAlgorithm.ES256);
    }

    private static JWSSigner signer(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(String url, Optional<String> cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("/")
                ? "http://127.0.0.1:" + server.port() + url : url)).timeout(Duration.ofSeconds(30))
                .header("Accept", "text/html");
        cookie.ifPresent(c -> b.header("Cookie", c));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location: "
                + r.statusCode() + " " + r.body()));
    }

    /** {@code name=value} of the Set-Cookie for {@code name}. */
    private static Optional<String> cookie(HttpResponse<String> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(0, c.indexOf(';'))).filter(c -> !c.endsWith("=")).findFirst();
    }

    /** A browser leaving for the provider: the authorization URL and the state cookie. */
    private record Leaving(String authorizeUrl, String stateCookie) {
        String state() {
            return query(URI.create(authorizeUrl).getRawQuery()).get("state");
        }
    }

    private static Leaving leave(ClinicId clinic) throws Exception {
        HttpResponse<String> r = get("/app/login/oidc?clinic=" + clinic.value(), Optional.empty());
        assertEquals(302, r.statusCode(), r.body());
        String stateCookie = cookie(r, OidcLogin.STATE_COOKIE).orElseThrow();
        assertTrue(r.headers().allValues("Set-Cookie").getFirst().contains("SameSite=Lax"),
                "the provider sends the browser back cross-site: a Strict cookie would not come along");
        return new Leaving(location(r), stateCookie);
    }

    /** The callback URL the provider sends the browser back to, having logged in the scenario's user. */
    private static String atProvider(Leaving l, Scenario s) throws Exception {
        String id = UUID.randomUUID().toString();
        provider.scenarios.put(id, s);
        HttpResponse<String> r = get(l.authorizeUrl() + "&as=" + id, Optional.empty());
        assertEquals(302, r.statusCode(), r.body());
        return location(r);
    }

    /** The whole flow for {@code s}: the callback's answer. */
    private static HttpResponse<String> flow(Scenario s) throws Exception {
        Leaving l = leave(A);
        return get(atProvider(l, s), Optional.of(l.stateCookie()));
    }

    private static List<LoginEvents.Event> events() {
        synchronized (EVENTS) {
            return List.copyOf(EVENTS);
        }
    }

    /**
     * The callback refused: no session, the browser sent to the login page, which says why in words and echoes
     * no token or code; the audit was told {@code why}.
     */
    private static void assertRefused(HttpResponse<String> callback, String page, LoginEvents.Failure why,
                                      int eventsBefore) throws Exception {
        assertEquals(303, callback.statusCode(), callback.body());
        assertEquals(Optional.empty(), cookie(callback, ClinicianLogin.COOKIE), "no session for a refused login");
        assertEquals("/app/login?failed=" + page, location(callback));
        HttpResponse<String> loginPage = get(location(callback), Optional.empty());
        assertEquals(200, loginPage.statusCode());
        assertTrue(loginPage.body().contains("Logging in through your clinic&#39;s identity provider failed")
                || loginPage.body().contains("Logging in through your clinic's identity provider failed"), loginPage.body());
        assertFalse(loginPage.body().contains("Exception") || loginPage.body().contains("at health.vclinic"),
                "no stack trace");
        synchronized (provider.tokensIssued) {
            for (String token : provider.tokensIssued) {
                assertFalse(loginPage.body().contains(token) || callback.body().contains(token), "no token echoed");
            }
        }
        List<LoginEvents.Event> after = events().subList(eventsBefore, events().size());
        assertEquals(List.of(LoginEvents.Outcome.FAILED), after.stream().map(LoginEvents.Event::outcome).toList(),
                after.toString());
        assertEquals(Optional.of(why), after.getFirst().failure());
    }

    private static void assertRefused(Scenario s, String page, LoginEvents.Failure why) throws Exception {
        int before = events().size();
        assertRefused(flow(s), page, why, before);
    }

    // ---- the cases ----

    @Test
    void theProvidersLoginWithMfaOpensASessionOnTheApp() throws Exception {
        String user = newUser(A);
        int before = events().size();
        HttpResponse<String> callback = flow(good(user));
        assertEquals(200, callback.statusCode(), callback.body());
        assertTrue(callback.body().contains("url=/app/"), "moves on to the app by itself: " + callback.body());
        String session = cookie(callback, ClinicianLogin.COOKIE).orElseThrow(() -> new AssertionError(
                callback.headers().allValues("Set-Cookie").toString()));
        assertTrue(callback.headers().allValues("Set-Cookie").stream().anyMatch(c -> c.startsWith(session + ";")
                && c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Strict")));
        HttpResponse<String> app = get("/app/", Optional.of(session));
        assertEquals(200, app.statusCode(), app.body());
        assertTrue(app.body().contains("Worklist"), app.body());
        HttpResponse<String> who = get("/app/session", Optional.of(session));
        assertEquals(user, JSON.readTree(who.body()).get("subject").asText());
        assertEquals(A.value(), JSON.readTree(who.body()).get("clinic").asText());
        List<LoginEvents.Event> after = events().subList(before, events().size());
        assertEquals(List.of(LoginEvents.Outcome.LOGGED_IN), after.stream().map(LoginEvents.Event::outcome).toList());
        assertEquals(user, after.getFirst().login());
        // Without the session cookie the app is closed, so it was the login that opened it.
        assertEquals(303, get("/app/", Optional.empty()).statusCode());
    }

    @Test
    void aStateThatIsNotTheBrowsersIsRefused() throws Exception {
        String user = newUser(A);
        Leaving mine = leave(A);
        Leaving other = leave(A);
        String callback = atProvider(other, good(user));
        int before = events().size();
        // The provider's answer to another login (another browser's state), arriving with this browser's cookie.
        assertRefused(get(callback, Optional.of(mine.stateCookie())), "oidc", LoginEvents.Failure.OIDC_REJECTED, before);
        assertFalse(mine.state().equals(other.state()));
    }

    @Test
    void aStateIsGoodOnce() throws Exception {
        String user = newUser(A);
        Leaving l = leave(A);
        String callback = atProvider(l, good(user));
        assertEquals(200, get(callback, Optional.of(l.stateCookie())).statusCode());
        int before = events().size();
        assertRefused(get(callback, Optional.of(l.stateCookie())), "oidc", LoginEvents.Failure.OIDC_REJECTED, before);
    }

    @Test
    void anIdTokenSignedByAnotherKeyIsRefused() throws Exception {
        // Same key id as the provider's, another key: the signature itself is checked.
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        assertRefused(new Scenario(newUser(A), b -> b, signer(other), JWSAlgorithm.ES256), "oidc",
                LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anIdTokenSignedWithHmacIsRefusedEvenWithTheClientSecret() throws Exception {
        assertRefused(new Scenario(newUser(A), b -> b, new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)),
                JWSAlgorithm.HS256), "oidc", LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anIdTokenForAnotherClientIsRefused() throws Exception {
        assertRefused(new Scenario(newUser(A), b -> b.audience("another-app"), signer(provider.key), JWSAlgorithm.ES256),
                "oidc", LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anIdTokenFromAnotherIssuerIsRefused() throws Exception {
        assertRefused(new Scenario(newUser(A), b -> b.issuer("https://elsewhere.example"), signer(provider.key),
                JWSAlgorithm.ES256), "oidc", LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anExpiredIdTokenIsRefused() throws Exception {
        Instant past = Instant.now().minus(Duration.ofMinutes(20));
        assertRefused(new Scenario(newUser(A), b -> b.issueTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(10)))), signer(provider.key), JWSAlgorithm.ES256),
                "oidc", LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anIdTokenWithAnotherNonceIsRefused() throws Exception {
        assertRefused(new Scenario(newUser(A), b -> b.claim("nonce", "not-this-logins-nonce"), signer(provider.key),
                JWSAlgorithm.ES256), "oidc", LoginEvents.Failure.OIDC_REJECTED);
    }

    @Test
    void anIdTokenWithoutMfaIsRefused() throws Exception {
        assertRefused(new Scenario(newUser(A), b -> b.claim("amr", List.of("pwd")), signer(provider.key),
                JWSAlgorithm.ES256), "oidc-mfa", LoginEvents.Failure.OIDC_NO_MFA);
        assertRefused(new Scenario(newUser(A), b -> b.claim("amr", null), signer(provider.key), JWSAlgorithm.ES256),
                "oidc-mfa", LoginEvents.Failure.OIDC_NO_MFA);
    }

    @Test
    void anUnknownUserIsRefused() throws Exception {
        assertRefused(good("dr.nobody"), "oidc-account", LoginEvents.Failure.UNKNOWN_LOGIN);
        // A clinician of another clinic is unknown in this one.
        assertRefused(good(newUser(B)), "oidc-account", LoginEvents.Failure.UNKNOWN_LOGIN);
    }

    @Test
    void aDisabledUserIsRefused() throws Exception {
        String user = newUser(A);
        assertTrue(accounts.disable(A, user));
        assertRefused(good(user), "oidc-account", LoginEvents.Failure.ACCOUNT_DISABLED);
    }

    @Test
    void aClinicWithoutAProviderIsAClientErrorNamingTheClinic() throws Exception {
        HttpResponse<String> r = get("/app/login/oidc?clinic=" + B.value(), Optional.empty());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("clinic") && r.body().contains("no OpenID Connect provider"), r.body());
        HttpResponse<String> none = get("/app/login/oidc", Optional.empty());
        assertEquals(400, none.statusCode(), none.body());
        assertTrue(none.body().contains("clinic"), none.body());
    }

    @Test
    void theIssuerMustBeHttpsUnlessOnLoopback() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new OidcProvider(A, URI.create("http://login.example/realms/a"), CLIENT, SECRET));
        new OidcProvider(A, URI.create("https://login.example/realms/a"), CLIENT, SECRET);
        assertFalse(new OidcProvider(A, URI.create("https://login.example/realms/a"), CLIENT, SECRET).toString()
                .contains(SECRET), "the secret is never shown");
    }

    @Test
    void theServeOptionNamesClinicIssuerClientAndAnOwnerOnlySecretFile() throws Exception {
        Path secret = dataDir.resolve("oidc-secret");
        java.nio.file.Files.writeString(secret, SECRET + "\n");
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        OidcProvider p = OidcProvider.parse("clinic-a=https://login.example/realms/a," + CLIENT + "," + secret);
        assertEquals(new OidcProvider(A, URI.create("https://login.example/realms/a"), CLIENT, SECRET), p);
        assertEquals(URI.create("https://login.example/realms/a/.well-known/openid-configuration"), p.discovery());
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        IllegalArgumentException readable = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OidcProvider.parse("clinic-a=https://login.example/realms/a," + CLIENT + "," + secret));
        assertTrue(readable.getMessage().contains("chmod 600") && !readable.getMessage().contains(SECRET),
                readable.getMessage());
        IllegalArgumentException malformed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OidcProvider.parse("clinic-a=https://login.example/realms/a," + CLIENT));
        assertTrue(malformed.getMessage().contains("CLINIC=ISSUER_URL,CLIENT_ID,SECRET_FILE"), malformed.getMessage());
    }

    @Test
    void thePkceChallengeIsS256() {
        // RFC 7636 Appendix B: the fake provider checks the verifier with the same function.
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                OidcLogin.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
