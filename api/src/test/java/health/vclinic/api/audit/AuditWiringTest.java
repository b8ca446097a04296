package health.vclinic.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.cli.SepsisReplay;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.Security;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail as the server writes it, on a real server and the real PostgreSQL: each access to
 * patient data (create, read, query, export, erase) and each refusal is one entry naming the caller, the
 * clinic, the object and the request id, the patient only by its keyed hash; the chain verifies. A
 * clinician's break-glass export is audited as emergency access with its reason; monitoring alert events
 * are audited as what they do to the patient's Flag; refusals the trail samples away are counted in /metrics.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuditWiringTest {

    private static final ClinicId CLINIC = new ClinicId("audited-clinic");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static AuditLog audit;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static MonitoringEndpoint monitoring;

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        audit = AuditLog.open(record.database().dataSource(), dataDir.resolve("keys/audit.key"), line -> { });
        record.auditingTo(audit);
        // The sampling of unauthenticated refusals on a clock that stands still: its budget is a count, not a rate.
        Security security = TestSecurity.SECURITY.auditingDenials(new SecurityAudit(audit, () -> 0L).denials());
        monitoring = MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(), StreamLimits.defaults());
        server = VclinicServer.start(security, TriageEndpoint.standard(), Optional.empty(), Optional.of(monitoring),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
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

    private static List<StoredEntry> entries() {
        return entries(CLINIC);
    }

    private static List<StoredEntry> entries(ClinicId clinic) {
        return audit.search(AuditQuery.all().inClinic(clinic).page(AuditQuery.MAX_COUNT, java.util.OptionalLong.empty()))
                .entries().reversed();
    }

    private static HttpResponse<String> http(String method, String path, Role role) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("authorization", "Bearer " + TestSecurity.token(CLINIC, role))
                .header("x-request-id", "req-" + method.toLowerCase() + "-1")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyAccessToAPatientsDataIsOneEntryAndTheChainVerifies() throws Exception {
        PatientRef patient = new PatientRef("pt-audited");
        TriageAssessment a = TriageServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.BACKEND)))
                .assess(TestSupport.example("demo-001").toBuilder().setPatientRef(patient.value()).build());
        RecordServiceGrpc.newBlockingStub(channel).withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.CLINICIAN)))
                .getAssessment(GetAssessmentRequest.newBuilder().setRecordId(a.getRecordId()).build());
        assertEquals(200, http("GET", "/v1/record/patients/pt-audited/timeline", Role.CLINICIAN).statusCode());
        assertEquals(403, http("GET", "/v1/record/patients/pt-audited/export", Role.BACKEND).statusCode());
        assertEquals(200, http("GET", "/v1/record/patients/pt-audited/export", Role.ADMIN).statusCode());
        assertEquals(200, http("DELETE", "/v1/record/patients/pt-audited", Role.ADMIN).statusCode());

        List<StoredEntry> all = entries();
        String hash = audit.patientHash(patient);
        assertEquals(List.of(AuditAction.CREATE, AuditAction.READ, AuditAction.QUERY, AuditAction.DENIED,
                AuditAction.EXPORT, AuditAction.ERASE), all.stream().filter(e -> e.objectId().equals(a.getRecordId())
                || e.patientHash().equals(Optional.of(audit.patientHash(patient))) || e.action() == AuditAction.DENIED)
                .sorted(java.util.Comparator.comparingLong(StoredEntry::sequence)).map(StoredEntry::action).toList());
        StoredEntry created = all.stream().filter(e -> e.action() == AuditAction.CREATE).findFirst().orElseThrow();
        assertEquals(a.getRecordId(), created.objectId());
        assertEquals("backend", created.role());
        assertEquals(Optional.of(hash), created.patientHash(), "the patient by its keyed hash");
        StoredEntry denied = all.stream().filter(e -> e.action() == AuditAction.DENIED).findFirst().orElseThrow();
        assertEquals(AuditOutcome.DENIED, denied.outcome());
        StoredEntry erased = all.stream().filter(e -> e.action() == AuditAction.ERASE).findFirst().orElseThrow();
        assertEquals("req-delete-1", erased.requestId(), "the caller's x-request-id");
        assertEquals(Optional.of(hash), erased.patientHash());
        assertTrue(all.stream().noneMatch(e -> e.toString().contains("pt-audited")), "never the reference itself");
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    @Test
    void theClinicianReviewApiIsAuditedToo() throws Exception {
        assertEquals(200, http("GET", "/v1/reviews/worklist", Role.CLINICIAN).statusCode());
        assertTrue(entries().stream().anyMatch(e -> e.action() == AuditAction.QUERY && e.objectType().equals("Worklist")
                && e.role().equals("clinician") && e.outcome() == AuditOutcome.SUCCESS), "the worklist query is audited");
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    @Test
    void aReadOfAnotherClinicsObjectIsAuditedAsAFailure() {
        RecordServiceGrpc.RecordServiceBlockingStub other = RecordServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.CLINICIAN)));
        String missing = java.util.UUID.randomUUID().toString();
        org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> other.getAssessment(GetAssessmentRequest.newBuilder().setRecordId(missing).build()));
        assertTrue(entries().stream().anyMatch(e -> e.action() == AuditAction.READ && e.objectId().equals(missing)
                && e.outcome() == AuditOutcome.FAILURE));
    }

    // ---- break-glass ----

    private static final ClinicId GLASS = new ClinicId("glass-clinic");
    private static final String REASON = "Unconscious on arrival, no consent possible; transfer to the ED now";

    private static HttpResponse<String> export(ClinicId clinic, Role role, String patient, Optional<String> reason,
                                               String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/record/patients/" + patient + "/export"))
                .header("authorization", "Bearer " + TestSecurity.token(clinic, role)).header("x-request-id", requestId);
        reason.ifPresent(r -> b.header(health.vclinic.api.security.BreakGlass.HEADER, r));
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClinicianBreaksTheGlassToExportARecordOfItsClinicAndEachUseIsAuditedAsEmergencyAccess() throws Exception {
        List<String> logged = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().format(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(capture);
        try {
            breakTheGlass();
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(capture);
        }
        assertTrue(logged.stream().noneMatch(line -> line.contains("Unconscious") || line.contains("pt-glass")),
                "neither the reason nor the patient is logged: " + logged);
    }

    private void breakTheGlass() throws Exception {
        PatientRef patient = new PatientRef("pt-glass");
        TriageAssessment a = TriageServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(GLASS, Role.BACKEND)))
                .assess(TestSupport.example("demo-001").toBuilder().setPatientRef(patient.value()).build());

        HttpResponse<String> plain = export(GLASS, Role.CLINICIAN, "pt-glass", Optional.empty(), "req-glass-0");
        assertEquals(403, plain.statusCode(), plain.body());
        assertTrue(plain.body().contains("X-Break-Glass-Reason"), "says how to break the glass: " + plain.body());
        String tooLong = "too long ".repeat(45);
        for (String bad : List.of("   ", tooLong, "100%ZZ")) {
            HttpResponse<String> refused = export(GLASS, Role.CLINICIAN, "pt-glass", Optional.of(bad), "req-glass-bad");
            assertEquals(400, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"field\":\"X-Break-Glass-Reason\""), refused.body());
            assertFalse(refused.body().contains("too long too long") || refused.body().contains("ZZ"), "never echoed");
        }
        assertEquals(403, export(GLASS, Role.BACKEND, "pt-glass", Optional.of(REASON), "req-glass-backend").statusCode(),
                "only a clinician may break the glass");

        HttpResponse<String> opened = export(GLASS, Role.CLINICIAN, "pt-glass", Optional.of(REASON), "req-glass-1");
        assertEquals(200, opened.statusCode(), opened.body());
        assertTrue(opened.body().contains(a.getRecordId()), "the patient's complete record");
        HttpResponse<String> utf8 = export(GLASS, Role.CLINICIAN, "pt-glass",
                Optional.of("Bewusstlos %E2%80%93 Verlegung"), "req-glass-2");
        assertEquals(200, utf8.statusCode(), utf8.body());
        // The tenant boundary has no emergency exception: another clinic's clinician finds nothing of the patient.
        HttpResponse<String> foreign = export(CLINIC, Role.CLINICIAN, "pt-glass", Optional.of(REASON), "req-glass-3");
        assertEquals(200, foreign.statusCode());
        assertFalse(foreign.body().contains(a.getRecordId()), foreign.body());

        String hash = audit.patientHash(patient);
        List<StoredEntry> first = entries(GLASS).stream().filter(e -> e.requestId().equals("req-glass-1")).toList();
        assertEquals(List.of(AuditAction.BREAK_GLASS, AuditAction.EXPORT), first.stream().map(StoredEntry::action).toList());
        for (StoredEntry e : first) {
            assertEquals(Optional.of(REASON), e.reason());
            assertEquals("clinician", e.role());
            assertEquals(Optional.of(hash), e.patientHash());
            assertEquals(AuditOutcome.SUCCESS, e.outcome());
        }
        assertEquals(Optional.of("Bewusstlos \u2013 Verlegung"), entries(GLASS).stream()
                .filter(e -> e.requestId().equals("req-glass-2")).findFirst().orElseThrow().reason());
        assertTrue(entries(GLASS).stream().anyMatch(e -> e.action() == AuditAction.DENIED && e.role().equals("clinician")
                && e.objectId().equals("GET /v1/record/patients/*/export")), "the attempt without a reason is a denial");
        assertEquals(2, entries(CLINIC).stream().filter(e -> e.requestId().equals("req-glass-3")).count(),
                "the other clinic's attempt is audited in its own clinic");

        // The admins' view: BALP-shaped AuditEvents whose purpose of use is v3-ActReason BTG, with the reason.
        HttpResponse<String> events = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/fhir/r4/AuditEvent?subtype=BREAK_GLASS,EXPORT")).header("authorization", "Bearer "
                + TestSecurity.token(GLASS, Role.ADMIN)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, events.statusCode(), events.body());
        com.fasterxml.jackson.databind.JsonNode bundle = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(events.body());
        int emergency = 0;
        for (com.fasterxml.jackson.databind.JsonNode entry : bundle.get("entry")) {
            com.fasterxml.jackson.databind.JsonNode event = entry.get("resource");
            com.fasterxml.jackson.databind.JsonNode purpose = event.get("purposeOfEvent").get(0);
            assertEquals("http://terminology.hl7.org/CodeSystem/v3-ActReason", purpose.at("/coding/0/system").asText());
            assertEquals("BTG", purpose.at("/coding/0/code").asText());
            assertEquals("BTG", event.at("/agent/0/purposeOfUse/0/coding/0/code").asText());
            emergency += purpose.get("text").asText().equals(REASON) ? 1 : 0;
        }
        assertEquals(2, emergency, "the alert and the export of req-glass-1 carry the reason");
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    // ---- monitoring alerts ----

    @Test
    void eachMonitoringAlertEventIsAuditedAsACreateOrUpdateOfThePatientsFlagByTheStreamsCaller() throws Exception {
        ClinicId ward = new ClinicId("monitored-clinic");
        SepsisStay septic = SepsisDataset.read(TestSupport.projectRoot().resolve(SepsisDataset.RELATIVE_PATH).normalize())
                .stream().filter(st -> st.patientId().equals("p000011")).findFirst().orElseThrow();
        List<Alert> sent = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        ManagedChannel stream = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .intercept(new BearerToken(TestSecurity.token(ward, Role.BACKEND))).build();
        try {
            SepsisReplay.replay(stream, List.of(septic), 0, SepsisReplay.DEFAULT_ADMISSION, sent::add,
                    java.time.Duration.ofSeconds(30));
        } finally {
            stream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        record.flushAlerts();
        List<Alert> events = sent.stream().filter(x -> !x.getPatientRef().isEmpty()).toList();
        assertTrue(events.stream().anyMatch(x -> x.getState() == AlertState.RAISED), "the replay raised an alert");

        List<StoredEntry> flags = entries(ward).stream().filter(e -> e.objectType().equals("Flag")).toList();
        assertEquals(events.stream().map(x -> (x.getState() == AlertState.RAISED ? "CREATE " : "UPDATE ")
                        + x.getAlertId()).sorted().toList(),
                flags.stream().map(e -> e.action() + " " + e.objectId()).sorted().toList(),
                "one entry per alert event: RAISED creates the Flag, UPDATED and RESOLVED update it");
        String hash = audit.patientHash(new PatientRef("p000011"));
        for (StoredEntry e : flags) {
            assertEquals("test-backend", e.actorSubject(), "the stream's caller");
            assertEquals("backend", e.role());
            assertEquals(Optional.of(hash), e.patientHash());
        }
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    // ---- refusals not audited ----

    @Test
    void unauthenticatedRefusalsBeyondTheSampleAreCountedInMetrics() throws Exception {
        long before = sampled();
        long auditedBefore = entries(SecurityAudit.UNAUTHENTICATED).size();
        int calls = 2 * SecurityAudit.UNAUTHENTICATED_PER_SECOND + 5;
        for (int i = 0; i < calls; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/v1/record/alerts:open")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode());
        }
        long audited = entries(SecurityAudit.UNAUTHENTICATED).size() - auditedBefore;
        assertTrue(sampled() - before >= 5, "the burst of " + 2 * SecurityAudit.UNAUTHENTICATED_PER_SECOND
                + " is spent on a clock that stands still");
        assertEquals(calls, audited + sampled() - before, "every refusal is audited or counted");
    }

    private static long sampled() throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        String prefix = SecurityAudit.METRIC + "{reason=\"sampled\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in /metrics"));
    }
}
