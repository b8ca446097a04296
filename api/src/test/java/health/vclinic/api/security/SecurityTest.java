package health.vclinic.api.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.OpenAlertsRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.TimelineRequest;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gate and tenant isolation on a real server with the real PostgreSQL: every surface without a token
 * and with bad ones (expired, forged, {@code alg: none}, wrong audience), each role against each endpoint
 * (table-driven), and clinic A's data invisible to clinic B, on the record and on the monitoring stream.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SecurityTest {

    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static MonitoringEndpoint monitoring;
    private static VclinicServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        monitoring = MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                StreamLimits.defaults());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.of(monitoring), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
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

    private static String token(ClinicId clinic, Role role) {
        return TestSecurity.token(clinic, role);
    }

    private static HttpResponse<String> http(String method, String path, Optional<String> token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (!body.isEmpty()) {
            b.header("Content-Type", path.startsWith("/fhir") ? "application/fhir+json" : "application/json");
        }
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static TriageServiceGrpc.TriageServiceBlockingStub triage(Optional<String> token) {
        TriageServiceGrpc.TriageServiceBlockingStub stub = TriageServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        return token.map(t -> stub.withInterceptors(new BearerToken(t))).orElse(stub);
    }

    private static long assessmentRows() throws Exception {
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM triage_assessment")) {
            r.next();
            return r.getLong(1);
        }
    }

    // ---- tokens that must not open the door ----

    /** A token signed by {@code signer}'s key with these claims; the header names the service's key id. */
    private static String signed(com.nimbusds.jose.jwk.ECKey signer, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(TestSecurity.SECURITY.tokens().key().keyId()).type(new JOSEObjectType("at+jwt")).build(), claims);
        jwt.sign(new ECDSASigner(signer));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder claims(String audience) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(AccessTokens.ISSUER).audience(audience).subject("mallory")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString()).claim("clinic", A.value()).claim("role", "backend");
    }

    static List<String> badTokens() throws Exception {
        com.nimbusds.jose.jwk.ECKey ours = TestSecurity.SECURITY.tokens().key().key();
        String expired = new AccessTokens(TestSecurity.SECURITY.tokens().key(),
                Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC))
                .issue(A, Role.BACKEND, "late", Duration.ofMinutes(10), List.of());
        String otherKey = signed(IssuerKey.generate().key(), claims(AccessTokens.AUDIENCE).build());
        String none = new PlainJWT(new PlainHeader(), claims(AccessTokens.AUDIENCE).build()).serialize();
        String otherAudience = signed(ours, claims("https://another-service.example").build());
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .keyID(TestSecurity.SECURITY.tokens().key().keyId()).build(), claims(AccessTokens.AUDIENCE).build());
        hmac.sign(new MACSigner(ours.toPublicJWK().toJSONString().repeat(2).getBytes()));
        String tooLong = signed(ours, claims(AccessTokens.AUDIENCE)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofDays(30)))).build());
        String tampered = token(A, Role.BACKEND);
        String[] parts = tampered.split("\\.");
        String adminPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"backend\"", "\"admin\"").getBytes());
        return List.of(expired, otherKey, none, otherAudience, hmac.serialize(), tooLong,
                parts[0] + "." + adminPayload + "." + parts[2], "not-a-jwt", "");
    }

    @Test
    void noTokenAndEveryBadTokenAreUnauthenticatedOnGrpcAndNothingIsAssessed() throws Exception {
        long before = assessmentRows();
        List<Optional<String>> tokens = new ArrayList<>();
        tokens.add(Optional.empty());
        badTokens().stream().filter(t -> !t.isEmpty()).forEach(t -> tokens.add(Optional.of(t)));
        for (Optional<String> t : tokens) {
            Metadata trailers = new Metadata();
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> triage(t).withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(
                            new java.util.concurrent.atomic.AtomicReference<>(), new java.util.concurrent.atomic.AtomicReference<>()))
                            .assess(TestSupport.example("demo-001").toBuilder().setPatientRef("p-unauth").build()));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "token " + t);
            assertTrue(e.getTrailers() != null && e.getTrailers().get(GrpcGate.WWW_AUTHENTICATE) != null
                    && e.getTrailers().get(GrpcGate.WWW_AUTHENTICATE).startsWith("Bearer "), "a www-authenticate trailer");
        }
        assertEquals(before, assessmentRows(), "no refused call was assessed or recorded");
    }

    @Test
    void noTokenAndEveryBadTokenAre401WithAChallengeOnHttp() throws Exception {
        List<Optional<String>> tokens = new ArrayList<>();
        tokens.add(Optional.empty());
        badTokens().forEach(t -> tokens.add(Optional.of(t)));
        for (String path : List.of("/v1/triage:assess", "/v1/record/alerts:open", "/fhir/r4/$triage",
                "/cds-services/vclinic-triage")) {
            for (Optional<String> t : tokens) {
                HttpResponse<String> r = http(path.contains("alerts") ? "GET" : "POST", path, t,
                        path.contains("alerts") ? "" : "{}");
                assertEquals(401, r.statusCode(), path + " with " + t + ": " + r.body());
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer realm=\"vclinic\""),
                        path);
                assertFalse(r.body().contains("eyJ"), "a token is never echoed");
            }
        }
    }

    @Test
    void openRoutesNeedNoToken() throws Exception {
        for (String path : List.of("/health/live", "/health/ready", "/metrics", "/.well-known/jwks.json", "/app/login",
                "/app/static/app.css", "/app/static/app.js")) {
            assertEquals(200, http("GET", path, Optional.empty(), "").statusCode(), path);
        }
        assertEquals("SERVING", HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                .getStatus().name());
        assertFalse(http("GET", "/.well-known/jwks.json", Optional.empty(), "").body().contains("\"d\""),
                "the published key set holds no private part");
    }

    /** One row of the roles table: a route and the roles it admits. */
    private record Route(String method, String path, String body, List<Role> admitted) {
    }

    private static List<Route> routes() {
        String assess = TriageEndpoint.toJson(TriageAssessment.getDefaultInstance()).isEmpty() ? "" : TestSupport
                .exampleLines().get(0);
        return List.of(
                new Route("POST", "/v1/triage:assess", assess, List.of(Role.BACKEND)),
                new Route("GET", "/v1/record/alerts:open", "", List.of(Role.BACKEND, Role.CLINICIAN)),
                new Route("GET", "/v1/record/patients/p-roles/timeline", "", List.of(Role.BACKEND, Role.CLINICIAN)),
                new Route("GET", "/v1/record/assessments/" + UUID.randomUUID(), "", List.of(Role.BACKEND, Role.CLINICIAN)),
                new Route("GET", "/v1/record/patients/p-roles/export", "", List.of(Role.ADMIN)),
                new Route("DELETE", "/v1/record/patients/p-roles", "", List.of(Role.ADMIN)),
                new Route("POST", "/fhir/r4/$triage", "{}", List.of(Role.BACKEND)),
                new Route("POST", "/cds-services/vclinic-triage", "{}", List.of(Role.BACKEND)),
                new Route("GET", "/app/session", "", List.of(Role.CLINICIAN)),
                new Route("POST", "/app/logout", "", List.of(Role.CLINICIAN)),
                new Route("GET", "/app/", "", List.of(Role.CLINICIAN)),
                new Route("GET", "/app/assessments/" + UUID.randomUUID(), "", List.of(Role.CLINICIAN)),
                new Route("POST", "/app/assessments/" + UUID.randomUUID() + "/review", "", List.of(Role.CLINICIAN)),
                new Route("POST", "/cds-services/vclinic-triage/feedback", "{}", List.of(Role.BACKEND)),
                new Route("GET", "/v1/reviews/worklist", "", List.of(Role.CLINICIAN)),
                new Route("GET", "/v1/reviews", "", List.of(Role.CLINICIAN)),
                new Route("POST", "/v1/reviews", "{}", List.of(Role.CLINICIAN)),
                new Route("GET", "/v1/alerts/a-roles/actions", "", List.of(Role.CLINICIAN)),
                new Route("POST", "/v1/alerts/a-roles/actions", "{}", List.of(Role.CLINICIAN)),
                new Route("GET", "/v1/no-such-route", "", List.of()));
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void eachRoleReachesExactlyTheRoutesThePolicyGivesIt(Role role) throws Exception {
        for (Route route : routes()) {
            HttpResponse<String> r = http(route.method(), route.path(), Optional.of(token(A, role)), route.body());
            if (route.admitted().contains(role)) {
                assertTrue(r.statusCode() != 401 && r.statusCode() != 403, role + " " + route + " -> " + r.statusCode()
                        + " " + r.body());
            } else {
                assertEquals(403, r.statusCode(), role + " " + route + ": " + r.body());
                assertTrue(r.body().contains("PERMISSION_DENIED"), r.body());
            }
        }
        // gRPC: Assess is the backend's; the record's reads are the backend's and the clinician's.
        StatusRuntimeException denied = null;
        try {
            triage(Optional.of(token(A, role))).assess(TestSupport.example("demo-001"));
        } catch (StatusRuntimeException e) {
            denied = e;
        }
        assertEquals(role == Role.BACKEND, denied == null, role + " on Assess: " + denied);
        if (denied != null) {
            assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        }
        boolean readsRecord = role == Role.BACKEND || role == Role.CLINICIAN;
        try {
            RecordServiceGrpc.newBlockingStub(channel).withInterceptors(new BearerToken(token(A, role)))
                    .listOpenAlerts(OpenAlertsRequest.getDefaultInstance());
            assertTrue(readsRecord, role + " must not list open alerts");
        } catch (StatusRuntimeException e) {
            assertFalse(readsRecord, role + ": " + e.getStatus());
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        }
    }

    @Test
    void everyHttpRuleOfThePolicyIsPinnedByTheRolesTable() {
        // A new protected route must be added to this test's table, so that a test pins who may call it.
        List<String> notServedHere = List.of("/v1/imaging:analyze", "/fhir/r4/RiskAssessment", "/fhir/r4/RiskAssessment/*",
                "/fhir/r4/Flag", "/fhir/r4/AuditEvent");
        for (Policy.HttpRule rule : Policy.standard().httpRules()) {
            if (rule.access() instanceof Policy.Access.Open || notServedHere.contains(rule.pattern())) {
                continue;
            }
            assertTrue(routes().stream().anyMatch(r -> rule.matches(r.method(), r.path())), "untested rule " + rule);
        }
    }

    @Test
    void clinicBSeesNothingOfClinicAsRecord() throws Exception {
        TriageAssessment a = triage(Optional.of(token(A, Role.BACKEND)))
                .assess(TestSupport.example("demo-001").toBuilder().setPatientRef("shared-ref").build());
        assertFalse(a.getRecordId().isEmpty());
        // A reads its own assessment back; B, with the same id and the same patient reference, finds nothing.
        assertEquals(200, http("GET", "/v1/record/assessments/" + a.getRecordId(), Optional.of(token(A, Role.CLINICIAN)), "")
                .statusCode());
        HttpResponse<String> b = http("GET", "/v1/record/assessments/" + a.getRecordId(), Optional.of(token(B, Role.CLINICIAN)), "");
        assertEquals(404, b.statusCode(), b.body());
        RecordServiceGrpc.RecordServiceBlockingStub asB = RecordServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(token(B, Role.BACKEND)));
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> asB.getAssessment(GetAssessmentRequest.newBuilder().setRecordId(a.getRecordId()).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals(0, asB.getTimeline(TimelineRequest.newBuilder().setPatientRef("shared-ref").build()).getEntriesCount());
        RecordServiceGrpc.RecordServiceBlockingStub asA = RecordServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(token(A, Role.BACKEND)));
        assertTrue(asA.getTimeline(TimelineRequest.newBuilder().setPatientRef("shared-ref").build()).getEntriesCount() >= 1);
        // B's export of the same reference holds nothing of A's.
        HttpResponse<String> export = http("GET", "/v1/record/patients/shared-ref/export", Optional.of(token(B, Role.ADMIN)), "");
        assertFalse(export.body().contains(a.getRecordId()), export.body());
    }

    @Test
    void onTheMonitoringStreamTheSameReferenceInTwoClinicsIsTwoPatients() throws Exception {
        // Clinic A's patient deteriorates (SpO2 84, RR 28, HR 116: NEWS2 8) for 20 minutes of device time.
        Instant t0 = Instant.parse("2026-03-01T08:00:00Z");
        List<VitalSample> ill = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            ill.add(sample("shared-ref", t0.plusSeconds(60L * m), m < 10 ? 72 : 116,
                    m < 10 ? 15 : 28, m < 10 ? 97 : 84, 125, 36.8));
        }
        List<Alert> alertsOfA = stream(A, ill);
        assertTrue(alertsOfA.stream().anyMatch(al -> al.getSeverity().name().equals("HIGH")), "A's patient pages: " + alertsOfA);
        int patientsOfA = monitoring.engine(A).patients();
        // Clinic B sends one benign sample with the same reference: it learns nothing of A's patient.
        List<Alert> alertsOfB = stream(B, List.of(sample("shared-ref", t0.plusSeconds(60L * 31),
                70, 14, 98, 128, 36.7)));
        assertEquals(List.of(), alertsOfB, "B sees none of A's alerts");
        assertEquals(patientsOfA, monitoring.engine(A).patients(), "B's sample was not merged into A's patient");
        assertEquals(1, monitoring.engine(B).patients());
    }

    @Test
    void aClinicOverItsRequestQuotaIsRefusedNamingItAndAnotherClinicIsServed() throws Exception {
        AtomicLongClock frozen = new AtomicLongClock();
        Security tight = TestSecurity.SECURITY.withQuota(new RequestQuota(1, 3, frozen::now));
        try (VclinicServer small = VclinicServer.start(tight, TriageEndpoint.standard(), "127.0.0.1", 0)) {
            String body = TestSupport.exampleLines().get(0);
            List<Integer> codes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                codes.add(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.port() + "/v1/triage:assess"))
                        .header("Authorization", "Bearer " + token(A, Role.BACKEND)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertEquals(List.of(200, 200, 200, 429), codes, "a burst of 3, then the quota");
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + small.port()
                    + "/v1/triage:assess")).header("Authorization", "Bearer " + token(A, Role.BACKEND))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(refused.body().contains("RESOURCE_EXHAUSTED") && refused.body().contains("request quota"), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            ManagedChannel own = NettyChannelBuilder.forAddress("127.0.0.1", small.port()).usePlaintext().build();
            try {
                StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> TriageServiceGrpc.newBlockingStub(own).withInterceptors(new BearerToken(token(A, Role.BACKEND)))
                                .assess(TestSupport.example("demo-001")));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
                // Clinic B has its own bucket.
                TriageServiceGrpc.newBlockingStub(own).withInterceptors(new BearerToken(token(B, Role.BACKEND)))
                        .assess(TestSupport.example("demo-001"));
            } finally {
                own.shutdownNow();
            }
        }
    }

    /** A nanosecond clock that stands still, so the quota test never depends on how fast requests go. */
    private static final class AtomicLongClock {
        long now() {
            return 0;
        }
    }

    private static VitalSample sample(String patient, Instant at, double hr, double rr, double spo2, double sbp,
                                      double temperature) {
        return VitalSample.newBuilder().setPatientRef(patient).setDeviceId("watch").setTimestamp(MonitoringMapper
                .timestamp(at)).setHeartRate(hr).setRespiratoryRate(rr).setSpo2(spo2).setSystolicBp(sbp)
                .setDiastolicBp(80).setTemperatureC(temperature).setSignalQuality(0.95).build();
    }

    private static List<Alert> stream(ClinicId clinic, List<VitalSample> samples) {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<VitalSample> requests = MonitoringServiceGrpc.newStub(channel)
                .withInterceptors(new BearerToken(token(clinic, Role.BACKEND)))
                .monitor(new StreamObserver<>() {
                    @Override
                    public void onNext(Alert a) {
                        alerts.add(a);
                    }

                    @Override
                    public void onError(Throwable t) {
                        end.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        end.complete(Status.OK);
                    }
                });
        samples.forEach(requests::onNext);
        requests.onCompleted();
        assertEquals(Status.Code.OK, end.join().getCode());
        return List.copyOf(alerts);
    }
}
