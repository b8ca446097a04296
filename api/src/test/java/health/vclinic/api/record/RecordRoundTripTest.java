package health.vclinic.api.record;

import health.vclinic.api.security.Role;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.http.HttpTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.OpenAlertsRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.record.v1.TimelinePage;
import health.vclinic.api.record.v1.TimelineRequest;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import health.vclinic.api.cli.SepsisReplay;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.inference.imaging.DynamicBatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clinical record through a real server and a real PostgreSQL (the embedded one, started once for
 * the class in a fresh data directory, so the migrations run from empty).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecordRoundTripTest {

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static MonitoringEndpoint monitoring;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        monitoring = MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                StreamLimits.defaults());
        ImagingEndpoint imaging = ImagingEndpoint.open(TestSupport.projectRoot().resolve("models/repository"),
                new DynamicBatcher.Config(4, java.time.Duration.ofMillis(2), 64),
                new ImageLimits(256 << 10, 2048L * 2048, 28));
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.of(imaging), Optional.of(monitoring),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
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

    private static TriageAssessment assess(String encounter, String patientRef) {
        return TriageServiceGrpc.newBlockingStub(channel).assess(TestSupport.example(encounter).toBuilder()
                .setPatientRef(patientRef).build());
    }

    private static RecordServiceGrpc.RecordServiceBlockingStub records() {
        return RecordServiceGrpc.newBlockingStub(channel);
    }

    @Test
    void migrationsRunFromAnEmptyDatabase() throws Exception {
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL"
                     + " ORDER BY installed_rank")) {
            assertTrue(rs.next());
            assertEquals("1", rs.getString(1));
            assertTrue(rs.getBoolean(2));
        }
    }

    @Test
    void anAssessmentIsAnsweredOnlyOnceRecordedAndReadsBackAsReceived() throws Exception {
        TriageRequest sent = TestSupport.example(TestSupport.exampleLines().isEmpty() ? "" : firstEncounter())
                .toBuilder().setPatientRef("pt-roundtrip").build();
        TriageAssessment answer = TriageServiceGrpc.newBlockingStub(channel).assess(sent);
        assertTrue(answer.getRecorded());
        UUID.fromString(answer.getRecordId());

        RecordedAssessment back = records().getAssessment(GetAssessmentRequest.newBuilder()
                .setRecordId(answer.getRecordId()).build());
        assertEquals(sent, back.getRequest());
        assertEquals(answer.toBuilder().clearRecorded().build(), back.getAssessment().toBuilder().clearRecorded().build());
        assertEquals("pt-roundtrip", back.getPatientRef());
        assertTrue(back.getLatencyMicros() > 0);

        HttpResponse<String> http = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/record/assessments/" + answer.getRecordId())).header("authorization", TestSecurity.backendHeader()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, http.statusCode());
        RecordedAssessment.Builder fromJson = RecordedAssessment.newBuilder();
        JsonFormat.parser().merge(http.body(), fromJson);
        assertEquals(back, fromJson.build());
    }

    @Test
    void unknownAndMalformedIdsAreClientErrors() {
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> records().getAssessment(
                GetAssessmentRequest.newBuilder().setRecordId(UUID.randomUUID().toString()).build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> records().getAssessment(
                GetAssessmentRequest.newBuilder().setRecordId("not-an-id").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().contains("record_id"));
    }

    @Test
    void aPatientRefWithASpaceIsRefusedNamingTheField() {
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                () -> assess(firstEncounter(), "John Smith"));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().contains("patient_ref"));
        assertFalse(bad.getStatus().getDescription().contains("Smith"));
    }

    @Test
    void theTimelineIsNewestFirstAndPagesWithoutRepeatsOrGaps() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add(assess(firstEncounter(), "pt-timeline").getRecordId());
        }
        assess(firstEncounter(), "pt-someone-else");
        // An alert event between them, straight into the store: the timeline mixes kinds.
        UUID alertId = UUID.randomUUID();
        record.store().insertAlertEvents(List.of(new RecordStore.AlertRow(alertId, ClinicId.DEFAULT,
                new PatientRef("pt-timeline"), Instant.now(), Alert.newBuilder().setAlertId("a-1")
                .setPatientRef("pt-timeline").setState(AlertState.RAISED).build())));
        sent.add(alertId.toString());

        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            TimelinePage page = records().getTimeline(TimelineRequest.newBuilder().setPatientRef("pt-timeline")
                    .setPageSize(3).setPageToken(token).build());
            assertTrue(page.getEntriesCount() <= 3);
            for (TimelineEntry e : page.getEntriesList()) {
                seen.add(e.hasAssessment() ? e.getAssessment().getRecordId() : e.getAlert().getEventId());
            }
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertEquals(3, pages);
        assertEquals(sent.reversed(), seen);
    }

    @Test
    void openAlertsAreThoseNotResolved() throws Exception {
        Instant t = Instant.now();
        record.store().insertAlertEvents(List.of(
                alert("open-1", AlertState.RAISED, t), alert("closed-1", AlertState.RAISED, t),
                alert("closed-1", AlertState.RESOLVED, t.plusSeconds(1))));
        List<String> open = records().listOpenAlerts(OpenAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                .map(a -> a.getAlert().getAlertId()).toList();
        assertTrue(open.contains("open-1"));
        assertFalse(open.contains("closed-1"));
    }

    @Test
    void exportHoldsThePatientsRecordAndErasureLeavesNothing() throws Exception {
        String id = assess(firstEncounter(), "pt-erase").getRecordId();
        record.store().insertAlertEvents(List.of(alert("erase-1", AlertState.RAISED, Instant.now())));
        PatientRef patient = new PatientRef("pt-erase");
        long before = record.store().rowsAbout(ClinicId.DEFAULT, patient);
        assertEquals(2, before);

        HttpResponse<String> export = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/record/patients/pt-erase/export")).header("authorization", TestSecurity.header(Role.ADMIN)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, export.statusCode());
        assertTrue(export.body().contains("\"resourceType\":\"Bundle\""));
        assertTrue(export.body().contains("pt-erase"));
        assertTrue(export.body().contains("\"resourceType\":\"RiskAssessment\",\"id\":\"" + id + "\""));
        assertTrue(export.body().contains("\"resourceType\":\"Flag\""));

        HttpResponse<String> erased = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/record/patients/pt-erase")).header("authorization", TestSecurity.header(Role.ADMIN)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, erased.statusCode());
        assertEquals("{\"rows_erased\":2}", erased.body());
        assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, patient));
        assertEquals(0, countWhereAnyColumnMentions("pt-erase"));
        assertThrows(StatusRuntimeException.class, () -> records().getAssessment(
                GetAssessmentRequest.newBuilder().setRecordId(id).build()));
        assertNotEquals(0, countRows("erasure"));
    }

    @Test
    void theRecordRefusesUpdatesInPlace() throws Exception {
        assess(firstEncounter(), "pt-append");
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThrows(java.sql.SQLException.class, () -> s.executeUpdate(
                    "UPDATE triage_assessment SET level = 5 WHERE patient_ref = '"
                            + record.cipher().keyedHash(ClinicId.DEFAULT, "pt-append") + "'"));
        }
    }

    @Test
    void monitoringAlertEventsAreKeptWithTheirEvidenceAndErasedFromTheEngineToo() throws Exception {
        SepsisStay septic = SepsisDataset.read(TestSupport.projectRoot().resolve(SepsisDataset.RELATIVE_PATH).normalize())
                .stream().filter(st -> st.patientId().equals("p000011")).findFirst().orElseThrow();
        List<Alert> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        SepsisReplay.replay(channel, List.of(septic), 0, SepsisReplay.DEFAULT_ADMISSION, sent::add,
                java.time.Duration.ofSeconds(30));
        assertFalse(sent.isEmpty());
        record.flushAlerts();

        List<Alert> kept = new ArrayList<>();
        String token = "";
        do {
            TimelinePage page = records().getTimeline(TimelineRequest.newBuilder().setPatientRef("p000011")
                    .setPageSize(100).setPageToken(token).build());
            page.getEntriesList().stream().filter(TimelineEntry::hasAlert).forEach(e -> kept.add(e.getAlert().getAlert()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertEquals(new java.util.HashSet<>(sent), new java.util.HashSet<>(kept));
        assertTrue(kept.stream().anyMatch(a -> a.getState() == AlertState.RAISED && a.getEvidence().getSamples() > 0));

        // Erasure through the server: the record and the monitoring engine's memory.
        HttpResponse<String> erased = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/record/patients/p000011")).header("authorization", TestSecurity.header(Role.ADMIN)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, erased.statusCode());
        assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef("p000011")));
        assertFalse(monitoring.forget(ClinicId.DEFAULT, "p000011"), "the engine no longer holds the patient");
    }

    @Test
    void anImageAnalysisIsKeptWithTheImageAndItsSaliencyMap() throws Exception {
        // A real chest film: a synthetic pattern is (rightly) not assessable and gets no saliency map.
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(java.nio.file.Files.readAllBytes(health.vclinic.models.ProjectRoot.path()
                .resolve("examples/chest-xray-pneumonia.png")));
        ImageAnalysis answer = ImagingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .analyze(AnalyzeRequest.newBuilder().setStudyId("s-1").setPatientRef("pt-image")
                        .setImage(com.google.protobuf.ByteString.copyFrom(png.toByteArray())).build());
        TimelinePage page = records().getTimeline(TimelineRequest.newBuilder().setPatientRef("pt-image").build());
        assertEquals(1, page.getEntriesCount());
        RecordedImageAnalysis kept = page.getEntries(0).getImageAnalysis();
        assertEquals(com.google.protobuf.ByteString.copyFrom(png.toByteArray()), kept.getImage());
        assertEquals(answer, kept.getAnalysis());
        assertTrue(kept.getAnalysis().getSaliency().getOverlayPng().size() > 0);
        assertEquals(answer.getModelVersion(), kept.getModelId());
    }

    private static RecordStore.AlertRow alert(String alertId, AlertState state, Instant at) {
        return new RecordStore.AlertRow(UUID.randomUUID(), ClinicId.DEFAULT, new PatientRef(
                alertId.startsWith("erase") ? "pt-erase" : "pt-alerts"), at,
                Alert.newBuilder().setAlertId(alertId).setState(state).build());
    }

    private static String firstEncounter() {
        return TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst()).getEncounterId();
    }

    private static long countRows(String table) throws Exception {
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of any table of the record whose text or bytes contain {@code needle}: the erasure must leave none. */
    private static long countWhereAnyColumnMentions(String needle) throws Exception {
        long n = 0;
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>(RecordStore.PATIENT_TABLES.stream().map(RecordStore.PatientTable::name).toList());
            tables.add("erasure");
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " t WHERE position('"
                        + needle + "' in t::text) > 0 OR position(convert_to('" + needle + "', 'UTF8') in "
                        + "convert_to(t::text, 'UTF8')) > 0")) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }
}
