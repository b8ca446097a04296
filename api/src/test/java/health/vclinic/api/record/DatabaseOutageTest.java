package health.vclinic.api.record;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.http.HttpTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real PostgreSQL stopped under load: every assessment answered before, during and after the outage
 * is in the database once it returns, under the id its answer carried. Deterministic: the outage is a
 * stopped server, not a race; the answers sent while it is stopped are checked one by one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DatabaseOutageTest {

    @TempDir
    Path dir;

    @Test
    void noAcceptedAssessmentIsLostWhenTheDatabaseStopsMidLoad() throws Exception {
        int port = freePort();
        Path pgData = dir.resolve("pg");
        EmbeddedPostgres pg = start(pgData, port);
        ClinicalRecord record = recordOn(port);
        VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
        TriageServiceGrpc.TriageServiceBlockingStub stub = TriageServiceGrpc.newBlockingStub(channel);
        TriageRequest request = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst()).toBuilder()
                .setPatientRef("pt-outage").build();

        Set<String> answered = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            load.add(Thread.ofPlatform().start(() -> {
                while (loading.get()) {
                    try {
                        // A deadline, so that a lost answer fails the test instead of hanging it.
                        answered.add(stub.withDeadlineAfter(30, TimeUnit.SECONDS).assess(request).getRecordId());
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            }));
        }
        try {
            awaitAtLeast(answered, 100);

            pg.close();
            // The writer finds the database gone at its next commit (answers until then are journaled and
            // written later like the rest); from then on every answer is still given, with an id, and says it
            // is not yet recorded.
            while (record.assessments().backlog() == 0) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 20; i++) {
                TriageAssessment a = stub.withDeadlineAfter(30, TimeUnit.SECONDS).assess(request);
                assertFalse(a.getRecorded());
                answered.add(a.getRecordId());
            }
            assertTrue(record.assessments().backlog() > 0);
            assertTrue(get(server, "/health/ready").matches("(?s).*\"record_backlog\":[1-9].*"));
            assertTrue(get(server, "/metrics").matches("(?s).*\nvclinic_record_backlog [1-9].*"));

            pg = start(pgData, port);
            while (record.assessments().backlog() > 0) {
                Thread.sleep(50);
            }
            int before = answered.size();
            awaitAtLeast(answered, before + 100);
        } finally {
            loading.set(false);
            for (Thread t : load) {
                t.join();
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
            pg.close();
        }
        assertEquals(List.of(), failures);
        assertTrue(record.assessments().prometheus().contains("vclinic_record_assessments_total{outcome=\"lost\"} 0"));

        // Every id ever answered is in the database (reopened, after everything was closed).
        EmbeddedPostgres check = start(pgData, port);
        try (Connection c = check.getPostgresDatabase().getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT count(*) FROM triage_assessment WHERE record_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("uuid", answered.stream().map(UUID::fromString).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertEquals(answered.size(), rs.getInt(1));
            }
        } finally {
            check.close();
        }
    }

    @Test
    void alertEventsRaisedWhileTheDatabaseIsDownAreWrittenWhenItReturns() throws Exception {
        int port = freePort();
        Path pgData = dir.resolve("pg-alerts");
        EmbeddedPostgres pg = start(pgData, port);
        ClinicalRecord record = recordOn(port);
        ClinicId clinic = new ClinicId("outage-alerts");
        List<String> ids = new ArrayList<>();
        try {
            record.alerts().record(clinic, alert("before-0"));
            record.flushAlerts();
            pg.close();
            for (int i = 0; i < 30; i++) {
                ids.add("during-" + i);
                record.alerts().record(clinic, alert("during-" + i));
            }
            // The writer finds the database gone and holds what it took; nothing is counted lost.
            Thread.sleep(AlertLog.RETRY_INTERVAL.toMillis() * 2);
            assertTrue(record.prometheus().contains("vclinic_record_alert_events_total{outcome=\"lost\"} 0"),
                    record.prometheus());
            assertTrue(record.prometheus().matches("(?s).*\nvclinic_record_alert_events_backlog [1-9].*"),
                    record.prometheus());
            pg = start(pgData, port);
            record.flushAlerts();
            assertTrue(record.prometheus().contains("vclinic_record_alert_events_backlog 0"), record.prometheus());
            assertTrue(record.prometheus().contains("vclinic_record_alert_events_total{outcome=\"lost\"} 0"));
            try (Connection c = pg.getPostgresDatabase().getConnection();
                 PreparedStatement s = c.prepareStatement(
                         "SELECT count(*) FROM alert_event WHERE clinic_id = ? AND alert_id = ANY (?)")) {
                s.setString(1, clinic.value());
                s.setArray(2, c.createArrayOf("text", ids.toArray()));
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    assertEquals(ids.size(), rs.getInt(1));
                }
            }
        } finally {
            record.close();
            pg.close();
        }
    }

    @Test
    void trendWindowsMetWhileTheDatabaseIsDownAreWrittenWhenItReturns() throws Exception {
        int port = freePort();
        Path pgData = dir.resolve("pg-vitals");
        EmbeddedPostgres pg = start(pgData, port);
        ClinicalRecord record = recordOn(port);
        ClinicId clinic = new ClinicId("outage-vitals");
        java.time.Instant start = java.time.Instant.parse("2026-11-30T08:00:00Z");
        try {
            pg.close();
            // Ten minutes of one sample a minute, summarised and written while the database is stopped.
            for (int i = 0; i < 10; i++) {
                record.vitals().record(clinic, new health.vclinic.datasets.monitoring.VitalSample("pt-outage-vitals",
                        "watch-1", start.plusSeconds(60L * i), health.vclinic.datasets.VitalSigns.builder()
                        .heartRate(80 + i).build(), Optional.empty(), java.util.OptionalDouble.of(0.95)));
            }
            record.flushVitals();
            assertTrue(record.prometheus().contains("vclinic_record_vital_samples_total{outcome=\"lost\"} 0"),
                    record.prometheus());
            assertTrue(record.prometheus().matches("(?s).*\nvclinic_record_vital_windows_held 10\n.*"),
                    record.prometheus());
            pg = start(pgData, port);
            // Each flush is one write attempt; the pool may spend its first on connections the stop broke.
            for (int attempt = 0; attempt < 20 && !record.prometheus().contains("vclinic_record_vital_windows_held 0\n");
                 attempt++) {
                record.flushVitals();
            }
            assertTrue(record.prometheus().contains("vclinic_record_vital_windows_held 0"), record.prometheus());
            assertTrue(record.prometheus().contains("vclinic_record_vital_samples_total{outcome=\"committed\"} 10"),
                    record.prometheus());
            try (Connection c = pg.getPostgresDatabase().getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT count(*) FROM vital_window WHERE clinic_id = ?")) {
                s.setString(1, clinic.value());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    assertEquals(10, rs.getInt(1));
                }
            }
        } finally {
            record.close();
            pg.close();
        }
    }

    private static health.vclinic.api.monitoring.v1.Alert alert(String id) {
        java.time.Instant now = java.time.Instant.now();
        return health.vclinic.api.monitoring.v1.Alert.newBuilder().setAlertId(id).setPatientRef("pt-outage-alerts")
                .setState(health.vclinic.api.monitoring.v1.AlertState.RAISED)
                .setSeverity(health.vclinic.api.monitoring.v1.Severity.HIGH)
                .setKind(health.vclinic.api.monitoring.v1.AlertKind.NEWS2)
                .setSampleTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setReason("NEWS2 8").build();
    }

    /** The record over the PostgreSQL on {@code port}, as an external database (so it can be stopped). */
    private ClinicalRecord recordOn(int port) {
        return ClinicalRecord.open(Database.external("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
                ""), health.vclinic.api.TestKeys.master(dir), dir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
    }

    private static void awaitAtLeast(Set<String> answered, int n) throws InterruptedException {
        while (answered.size() < n) {
            Thread.sleep(10);
        }
    }

    private static EmbeddedPostgres start(Path pgData, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("synchronous_commit", "on").start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String get(VclinicServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).header("authorization", TestSecurity.backendHeader()).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
