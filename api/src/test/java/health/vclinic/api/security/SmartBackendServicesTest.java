package health.vclinic.api.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.cli.Main;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.helidon.webserver.WebServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMART Backend Services on a real server with the real PostgreSQL: the client credentials grant with
 * ES384 and RS384 client assertions, the token then used over HTTP and gRPC; every way an assertion or a
 * request must be refused (RFC 6749 §5.2 codes); scope intersection; discovery; the admin commands that
 * register clinics and clients while the server runs; and a client written in Python.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SmartBackendServicesTest {

    private static final ClinicId NORTH = new ClinicId("north");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static ClinicRegistry registry;
    private static ECKey ecKey;
    private static RSAKey rsaKey;
    private static String ecClient;
    private static String rsaClient;

    @BeforeAll
    static void start() throws Exception {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        registry = new ClinicRegistry(record.database().dataSource());
        registry.createClinic(NORTH, "North");
        ecKey = new ECKeyGenerator(Curve.P_384).keyID("ec-1").generate();
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ecClient = register(NORTH, ecKey, SmartScopes.SUPPORTED);
        rsaClient = register(NORTH, rsaKey, SmartScopes.SUPPORTED);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static String register(ClinicId clinic, JWK key, List<String> scopes) {
        return registry.registerClient(clinic, "test backend", new JWKSet(key.toPublicJWK()).toString(), scopes).id();
    }

    private static String tokenUrl() {
        return "http://127.0.0.1:" + server.port() + TokenEndpoint.PATH;
    }

    private static JWTClaimsSet.Builder claims(String clientId) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(tokenUrl())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(240)))
                .jwtID(UUID.randomUUID().toString());
    }

    private static String sign(JWK key, JWSAlgorithm alg, Consumer<JWSHeader.Builder> header, JWTClaimsSet claims)
            throws Exception {
        JWSHeader.Builder h = new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT);
        header.accept(h);
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        JWSSigner signer = key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String assertion(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        return sign(key, alg, h -> { }, claims);
    }

    private static Map<String, String> form(String assertion, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_assertion_type", TokenEndpoint.ASSERTION_TYPE);
        form.put("client_assertion", assertion);
        form.put("scope", scope);
        return form;
    }

    private static String encode(Map<String, String> form) {
        return form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static HttpResponse<String> post(int port, String contentType, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + TokenEndpoint.PATH))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(Map<String, String> form) throws Exception {
        return post(server.port(), "application/x-www-form-urlencoded", encode(form));
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static long assessmentsOf(ClinicId clinic) throws Exception {
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM triage_assessment WHERE clinic_id = '"
                     + clinic.value() + "'")) {
            r.next();
            return r.getLong(1);
        }
    }

    // ---- the grant ----

    @Test
    void es384AndRs384ClientsGetATokenThatAssessesOverHttpAndGrpcForTheirClinic() throws Exception {
        record Case(JWK key, JWSAlgorithm alg, String client) {
        }
        for (Case c : List.of(new Case(ecKey, JWSAlgorithm.ES384, ecClient),
                new Case(rsaKey, JWSAlgorithm.RS384, rsaClient))) {
            long before = assessmentsOf(NORTH);
            HttpResponse<String> r = post(form(assertion(c.key(), c.alg(), claims(c.client()).build()),
                    "system/triage.write system/record.read"));
            assertEquals(200, r.statusCode(), c.alg() + ": " + r.body());
            assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));
            JsonNode answer = json(r);
            assertEquals("bearer", answer.get("token_type").asText());
            assertEquals(300, answer.get("expires_in").asInt());
            assertEquals("system/triage.write system/record.read", answer.get("scope").asText());
            String token = answer.get("access_token").asText();
            Caller caller = TestSecurity.SECURITY.tokens().verify(token);
            assertEquals(NORTH, caller.clinic());
            assertEquals(Role.BACKEND, caller.role());
            assertEquals(c.client(), caller.subject());

            HttpResponse<String> assessed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/v1/triage:assess")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString(TestSupport.exampleLines().getFirst())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, assessed.statusCode(), assessed.body());
            assertTrue(json(assessed).get("level").asInt() >= 1, assessed.body());
            int level = TriageServiceGrpc.newBlockingStub(channel).withInterceptors(new BearerToken(token))
                    .withDeadlineAfter(20, TimeUnit.SECONDS).assess(TestSupport.example("demo-001")).getLevel();
            assertTrue(level >= 1 && level <= 5);
            assertEquals(before + 2, assessmentsOf(NORTH), "both assessments are the client's clinic's");
        }
    }

    private static String tokenFor(String client, JWK key, String scope) throws Exception {
        HttpResponse<String> r = post(form(assertion(key, JWSAlgorithm.ES384, claims(client).build()), scope));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(scope, json(r).get("scope").asText());
        return json(r).get("access_token").asText();
    }

    private static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(20)).method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenReachesOnlyTheRoutesItsScopesCover() throws Exception {
        String client = register(NORTH, ecKey, List.of(SmartScopes.RISK_ASSESSMENT_READ, SmartScopes.TRIAGE_WRITE));
        String reader = tokenFor(client, ecKey, SmartScopes.RISK_ASSESSMENT_READ);
        String assessment = TestSupport.exampleLines().getFirst();
        long before = assessmentsOf(NORTH);

        assertEquals(200, call("GET", "/fhir/r4/RiskAssessment?patient=pt-scoped", reader, "").statusCode());
        HttpResponse<String> assess = call("POST", "/v1/triage:assess", reader, assessment);
        assertEquals(403, assess.statusCode(), assess.body());
        assertEquals("Bearer realm=\"vclinic\", error=\"insufficient_scope\", scope=\"system/triage.write\"",
                assess.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(assess.body().contains("system/triage.write"), "names the scope it needs: " + assess.body());
        assertEquals(403, call("POST", "/fhir/r4/$triage", reader, "{}").statusCode());
        assertEquals(403, call("POST", "/cds-services/vclinic-triage", reader, "{}").statusCode());
        assertEquals(403, call("GET", "/v1/record/alerts:open", reader, "").statusCode(), "not the whole record");
        assertEquals(403, call("GET", "/fhir/r4/Flag?patient=pt-scoped", reader, "").statusCode(), "not Flags");
        StatusRuntimeException grpc = assertThrows(StatusRuntimeException.class, () -> TriageServiceGrpc
                .newBlockingStub(channel).withInterceptors(new BearerToken(reader)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .assess(TestSupport.example("demo-001")));
        assertEquals(Status.Code.PERMISSION_DENIED, grpc.getStatus().getCode());
        assertTrue(grpc.getStatus().getDescription().contains("system/triage.write"), grpc.getStatus().getDescription());
        assertEquals(before, assessmentsOf(NORTH), "nothing was assessed");

        // A write scope assesses and does not read; an operator's token (no scope claim) has the role's rights.
        String writer = tokenFor(client, ecKey, SmartScopes.TRIAGE_WRITE);
        assertEquals(200, call("POST", "/v1/triage:assess", writer, assessment).statusCode());
        assertEquals(403, call("GET", "/fhir/r4/RiskAssessment?patient=pt-scoped", writer, "").statusCode());
        String operator = TestSecurity.token(NORTH, Role.BACKEND);
        assertEquals(Optional.empty(), TestSecurity.SECURITY.tokens().verify(operator).scopes());
        assertEquals(200, call("POST", "/v1/triage:assess", operator, assessment).statusCode());
        assertEquals(200, call("GET", "/fhir/r4/RiskAssessment?patient=pt-scoped", operator, "").statusCode());
        assertEquals(before + 2, assessmentsOf(NORTH));
    }

    @Test
    void aReplayedAssertionIsRefusedAsInvalidClient() throws Exception {
        String once = assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).build());
        assertEquals(200, post(form(once, "system/triage.write")).statusCode());
        HttpResponse<String> again = post(form(once, "system/triage.write"));
        assertEquals(401, again.statusCode(), again.body());
        assertEquals("invalid_client", json(again).get("error").asText());
        assertTrue(json(again).get("error_description").asText().contains("jti"), again.body());
    }

    // ---- refusals ----

    /** One refused request: what it is, the form (or body) sent, the status and RFC 6749 error expected. */
    private record Refused(String what, String contentType, String body, int status, String error,
                           Optional<String> assertion) {
    }

    private static Refused refused(String what, Map<String, String> form, int status, String error) {
        return new Refused(what, "application/x-www-form-urlencoded", encode(form), status, error,
                Optional.ofNullable(form.get("client_assertion")));
    }

    private static Refused client(String what, String assertion) {
        return refused(what, form(assertion, "system/triage.write"), 401, "invalid_client");
    }

    private static List<Refused> refusals() throws Exception {
        Instant now = Instant.now();
        ECKey impostor = new ECKeyGenerator(Curve.P_384).keyID("ec-1").generate();
        List<Refused> out = new ArrayList<>();
        String unknown = UUID.randomUUID().toString();
        out.add(client("unknown client", assertion(ecKey, JWSAlgorithm.ES384, claims(unknown).build())));
        out.add(client("the kid of a registered key, signed by another",
                assertion(impostor, JWSAlgorithm.ES384, claims(ecClient).build())));
        out.add(client("a kid not registered", sign(ecKey, JWSAlgorithm.ES384, h -> h.keyID("ec-2"),
                claims(ecClient).build())));
        out.add(client("no kid", sign(ecKey, JWSAlgorithm.ES384, h -> h.keyID(null), claims(ecClient).build())));
        out.add(client("lives 10 minutes", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient)
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10)))).build())));
        out.add(client("exp 4 minutes after an iat 2 minutes ahead", assertion(ecKey, JWSAlgorithm.ES384,
                claims(ecClient).issueTime(Date.from(now.plus(Duration.ofMinutes(2))))
                        .expirationTime(Date.from(now.plus(Duration.ofMinutes(4)))).build())));
        out.add(client("expired", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient)
                .issueTime(Date.from(now.minus(Duration.ofMinutes(5))))
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(2)))).build())));
        out.add(client("no exp", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).expirationTime(null).build())));
        out.add(client("no jti", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).jwtID(null).build())));
        out.add(client("another audience", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient)
                .audience("https://ehr.example.org/oauth2/token").build())));
        out.add(client("the server's base URL as audience", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient)
                .audience("http://127.0.0.1:" + server.port()).build())));
        out.add(client("iss is not sub", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).subject(rsaClient)
                .build())));
        out.add(client("no iss", assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).issuer(null).build())));
        out.add(client("alg none", new PlainJWT(new PlainHeader(), claims(ecClient).build()).serialize()));
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("ec-1").build(),
                claims(ecClient).build());
        hmac.sign(new MACSigner(ecKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        out.add(client("HS256 with the public key as secret", hmac.serialize()));
        out.add(client("ES256 named on a P-384 key", sign(new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate(),
                JWSAlgorithm.ES256, h -> { }, claims(ecClient).build())));
        out.add(client("RS384 named on an EC key", sign(rsaKey, JWSAlgorithm.RS384, h -> h.keyID("ec-1"),
                claims(ecClient).build())));
        out.add(client("a jku to fetch keys from", sign(ecKey, JWSAlgorithm.ES384,
                h -> h.jwkURL(URI.create("https://attacker.example/jwks.json")), claims(ecClient).build())));
        out.add(client("typ at+jwt", sign(ecKey, JWSAlgorithm.ES384, h -> h.type(new JOSEObjectType("at+jwt")),
                claims(ecClient).build())));
        out.add(client("not a JWT", "not.a.jwt"));
        String good = assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).build());
        Map<String, String> otherId = form(good, "system/triage.write");
        otherId.put("client_id", rsaClient);
        out.add(refused("a client_id other than iss", otherId, 401, "invalid_client"));
        Map<String, String> grant = form(good, "system/triage.write");
        grant.put("grant_type", "authorization_code");
        out.add(refused("grant_type authorization_code", grant, 400, "unsupported_grant_type"));
        Map<String, String> type = form(good, "system/triage.write");
        type.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer");
        out.add(refused("a SAML assertion type", type, 400, "invalid_request"));
        for (String field : List.of("grant_type", "client_assertion_type", "client_assertion", "scope")) {
            Map<String, String> missing = form(good, "system/triage.write");
            missing.remove(field);
            out.add(refused("no " + field, missing, 400, "invalid_request"));
        }
        out.add(new Refused("a JSON body", "application/json", JSON.writeValueAsString(form(good,
                "system/triage.write")), 400, "invalid_request", Optional.of(good)));
        out.add(new Refused("grant_type twice", "application/x-www-form-urlencoded", encode(form(good,
                "system/triage.write")) + "&grant_type=client_credentials", 400, "invalid_request", Optional.of(good)));
        out.add(refused("a patient scope", form(good, "patient/*.read"), 400, "invalid_scope"));
        return out;
    }

    @Test
    void everyBadRequestIsRefusedWithItsRfc6749ErrorNamingTheProblemWithoutEchoingTheAssertion() throws Exception {
        for (Refused r : refusals()) {
            HttpResponse<String> res = post(server.port(), r.contentType(), r.body());
            assertEquals(r.status(), res.statusCode(), r.what() + ": " + res.body());
            JsonNode body = json(res);
            assertEquals(r.error(), body.get("error").asText(), r.what() + ": " + res.body());
            assertFalse(body.get("error_description").asText().isBlank(), r.what());
            assertEquals("no-store", res.headers().firstValue("cache-control").orElse(""), r.what());
            r.assertion().filter(a -> a.length() > 20).ifPresent(a -> {
                String signature = a.substring(a.lastIndexOf('.') + 1);
                assertFalse(res.body().contains(a) || (!signature.isEmpty() && res.body().contains(signature)),
                        r.what() + ": the answer echoes the assertion");
            });
        }
        HttpResponse<String> missing = post(form(assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).build()),
                "system/triage.write").entrySet().stream().filter(e -> !e.getKey().equals("scope"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertTrue(json(missing).get("error_description").asText().contains("scope"), "names the missing field");
    }

    @Test
    void aDisabledClientOrClinicGetsNoToken() throws Exception {
        ClinicId west = new ClinicId("west-" + UUID.randomUUID().toString().substring(0, 8));
        registry.createClinic(west, "West");
        String first = register(west, ecKey, SmartScopes.SUPPORTED);
        String second = register(west, rsaKey, SmartScopes.SUPPORTED);
        assertEquals(200, post(form(assertion(ecKey, JWSAlgorithm.ES384, claims(first).build()),
                "system/triage.write")).statusCode());
        assertTrue(registry.disableClient(first));
        HttpResponse<String> r = post(form(assertion(ecKey, JWSAlgorithm.ES384, claims(first).build()),
                "system/triage.write"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("invalid_client", json(r).get("error").asText());
        assertEquals(200, post(form(assertion(rsaKey, JWSAlgorithm.RS384, claims(second).build()),
                "system/triage.write")).statusCode(), "the clinic's other client still gets tokens");
        assertTrue(registry.disableClinic(west));
        r = post(form(assertion(rsaKey, JWSAlgorithm.RS384, claims(second).build()), "system/triage.write"));
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("invalid_client", json(r).get("error").asText());
    }

    @Test
    void theGrantedScopesAreTheIntersectionOfTheRequestAndTheRegistration() throws Exception {
        String narrow = register(NORTH, ecKey, List.of("system/triage.write", "system/record.read"));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("system/triage.write system/imaging.write", "system/triage.write");
        expected.put("system/*.read", "system/record.read");
        expected.put("system/*.*", "system/triage.write system/record.read");
        expected.put("system/record.read  system/unknown.read", "system/record.read");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            HttpResponse<String> r = post(form(assertion(ecKey, JWSAlgorithm.ES384, claims(narrow).build()), e.getKey()));
            assertEquals(200, r.statusCode(), e.getKey() + ": " + r.body());
            assertEquals(e.getValue(), json(r).get("scope").asText(), e.getKey());
        }
        HttpResponse<String> none = post(form(assertion(ecKey, JWSAlgorithm.ES384, claims(narrow).build()),
                "system/imaging.write system/monitoring.write"));
        assertEquals(400, none.statusCode(), none.body());
        assertEquals("invalid_scope", json(none).get("error").asText());
    }

    @Test
    void discoveryNamesTheTokenEndpointAndWhatItTakesWithoutAToken() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + TokenEndpoint.DISCOVERY)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode config = json(r);
        assertEquals(tokenUrl(), config.get("token_endpoint").asText());
        assertEquals("[\"private_key_jwt\"]", config.get("token_endpoint_auth_methods_supported").toString());
        assertEquals("[\"RS384\",\"ES384\",\"RS256\",\"ES256\"]",
                config.get("token_endpoint_auth_signing_alg_values_supported").toString());
        assertEquals("[\"client_credentials\"]", config.get("grant_types_supported").toString());
        assertEquals(JSON.writeValueAsString(SmartScopes.SUPPORTED), config.get("scopes_supported").toString());
        assertEquals("[\"client-confidential-asymmetric\"]", config.get("capabilities").toString());
        assertEquals("http://127.0.0.1:" + server.port() + "/.well-known/jwks.json", config.get("jwks_uri").asText());
    }

    @Test
    void withAPublicUrlOnlyItsTokenEndpointIsTheAudienceAndFailedAuthenticationsAreReported() throws Exception {
        List<Denials.Outcome> denied = new CopyOnWriteArrayList<>();
        TokenEndpoint endpoint = new TokenEndpoint(TestSecurity.SECURITY.tokens(), registry,
                Optional.of(URI.create("https://vclinic.example.org/")), (caller, target, outcome) -> denied.add(outcome),
                Clock.systemUTC());
        WebServer alone = WebServer.builder().host("127.0.0.1").port(0).routing(endpoint::routes).build().start();
        try {
            String configured = "https://vclinic.example.org" + TokenEndpoint.PATH;
            HttpResponse<String> loopback = post(alone.port(), "application/x-www-form-urlencoded", encode(form(
                    assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).audience("http://127.0.0.1:" + alone.port()
                            + TokenEndpoint.PATH).build()), "system/triage.write")));
            assertEquals(401, loopback.statusCode(), loopback.body());
            assertTrue(loopback.body().contains(configured), "names the audience to use: " + loopback.body());
            assertEquals(List.of(Denials.Outcome.UNAUTHENTICATED), denied);
            HttpResponse<String> ok = post(alone.port(), "application/x-www-form-urlencoded", encode(form(
                    assertion(ecKey, JWSAlgorithm.ES384, claims(ecClient).audience(configured).build()),
                    "system/triage.write")));
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> config = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + alone.port()
                    + TokenEndpoint.DISCOVERY)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(configured, json(config).get("token_endpoint").asText());
        } finally {
            alone.stop();
        }
    }

    // ---- the admin commands ----

    private record Run(int code, String out, String err) {
    }

    private static Run vclinic(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString().strip(), err.toString().strip());
    }

    private static Path write(String name, String text) throws Exception {
        Path file = Files.createTempDirectory(dataDir, "keys").resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void adminCommandsRegisterAClinicAndAClientWhileTheServerRunsOnTheSameDataDirectory() throws Exception {
        String name = "South Clinic " + UUID.randomUUID().toString().substring(0, 8);
        Run clinic = vclinic("admin", "clinic", "create", name, "--data-dir", dataDir.toString());
        assertEquals(0, clinic.code(), clinic.err());
        String clinicId = clinic.out();
        assertTrue(clinicId.matches("south-clinic-[0-9a-f]{8}"), clinicId);
        Run again = vclinic("admin", "clinic", "create", name, "--data-dir", dataDir.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists"), again.err());

        ECKey key = new ECKeyGenerator(Curve.P_384).keyIDFromThumbprint(true).generate();
        Path jwks = write("south.jwks.json", new JWKSet(key.toPublicJWK()).toString());
        Run client = vclinic("admin", "client", "create", "--clinic", clinicId, "--jwks", jwks.toString(),
                "--scopes", "system/triage.write system/record.read", "--data-dir", dataDir.toString());
        assertEquals(0, client.code(), client.err());
        String clientId = client.out();
        HttpResponse<String> r = post(form(assertion(key, JWSAlgorithm.ES384, claims(clientId).build()),
                "system/*.*"));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("system/triage.write system/record.read", json(r).get("scope").asText());
        assertEquals(new ClinicId(clinicId), TestSecurity.SECURITY.tokens().verify(json(r).get("access_token")
                .asText()).clinic());

        Path secret = write("private.jwks.json", new JWKSet(key).toString(false));
        Run leaked = vclinic("admin", "client", "create", "--clinic", clinicId, "--jwks", secret.toString(),
                "--data-dir", dataDir.toString());
        assertEquals(2, leaked.code());
        assertTrue(leaked.err().contains("private"), leaked.err());
        assertFalse(leaked.err().contains(key.getD().toString()), "the private key is not echoed");
        Run nowhere = vclinic("admin", "client", "create", "--clinic", "no-such-clinic", "--jwks", jwks.toString(),
                "--data-dir", dataDir.toString());
        assertEquals(2, nowhere.code());
        assertTrue(nowhere.err().contains("no clinic"), nowhere.err());

        Run disabled = vclinic("admin", "client", "disable", clientId, "--data-dir", dataDir.toString());
        assertEquals(0, disabled.code(), disabled.err());
        assertEquals(401, post(form(assertion(key, JWSAlgorithm.ES384, claims(clientId).build()),
                "system/triage.write")).statusCode());
    }

    // ---- a client in another language ----

    private static boolean pythonWithCryptography() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import cryptography").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Run python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3",
                TestSupport.projectRoot().resolve("examples/smart-backend-client.py").toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dataDir, "python", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the Python client finishes");
        return new Run(p.exitValue(), out.strip(), Files.readString(err).strip());
    }

    private static String pem(JWK key) throws Exception {
        byte[] der = (key instanceof ECKey ec ? ec.toPrivateKey() : ((RSAKey) key).toPrivateKey()).getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void thePythonExampleGetsATokenWithEs384AndRs384AndHasARequestAssessed() throws Exception {
        if (!pythonWithCryptography()) {
            if (System.getenv("VCLINIC_REQUIRE_PYTHON_CLIENT") != null) {
                throw new AssertionError("VCLINIC_REQUIRE_PYTHON_CLIENT is set but python3 cannot import cryptography");
            }
            Assumptions.abort("python3 with the cryptography package is not here: the Python SMART client is not"
                    + " tested in this run (.ci/run installs python3-cryptography)");
        }
        String server = "http://127.0.0.1:" + SmartBackendServicesTest.server.port();
        for (JWK key : List.of(new ECKeyGenerator(Curve.P_384).generate(), new RSAKeyGenerator(2048).generate())) {
            Path pem = write("backend.pem", pem(key));
            Run jwks = python("jwks", "--key", pem.toString());
            assertEquals(0, jwks.code(), jwks.err());
            Run created = vclinic("admin", "client", "create", "--clinic", "default", "--jwks",
                    write("backend.jwks.json", jwks.out()).toString(), "--data-dir", dataDir.toString());
            assertEquals(0, created.code(), created.err());
            Run assessed = python("assess", "--server", server, "--client-id", created.out(), "--key", pem.toString(),
                    "--example", "demo-001");
            assertEquals(0, assessed.code(), key.getKeyType() + ": " + assessed.err());
            JsonNode answer = JSON.readTree(assessed.out());
            assertTrue(answer.get("level").asInt() >= 1 && answer.get("level").asInt() <= 5, assessed.out());
            assertTrue(answer.get("recorded").asBoolean(), "kept in the default clinic's record: " + assessed.out());
        }
    }
}
