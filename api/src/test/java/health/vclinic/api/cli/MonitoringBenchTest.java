package health.vclinic.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vclinic bench --monitoring} runs its phases against a real server and produces figures: every
 * stream of every phase completes (a failed stream fails the bench instead of lowering its rate), and
 * the open loop times alerts. What the figures are is not asserted; they are the bench's to report.
 *
 * <p>Each stream has its own connection here. Streams multiplexed on one connection meet a race in
 * Helidon 4.5.0's connection flow control: the server keeps its WINDOW_UPDATE of 0 off the wire
 * ({@code WindowUpdateGuard}), and the credit the race can lose is not this test's subject.
 */
class MonitoringBenchTest {

    @Test
    void moreConnectionsThanStreamsIsAUsageErrorNamingTheOption() {
        assertUsageError("--connections must be 1 to 4 (--streams); was 5",
                "bench", "--monitoring", "--streams", "4", "--connections", "5");
    }

    @Test
    void aClinicPastItsCapIsAUsageErrorNamingTheOption() {
        assertUsageError("--clinic-patients must be 0 to 19000; was 19001", "bench", "--monitoring", "--clinic-patients", "19001");
    }

    @Test
    void theRecordWithATargetIsAUsageError() {
        assertUsageError("--record needs the embedded server", "bench", "--monitoring", "--record", "--target", "127.0.0.1:1");
    }

    /** The command exits 2 (a usage error) and says {@code said} on standard error. */
    private static void assertUsageError(String said, String... args) {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true), args);
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(said), err.toString());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shortRunTimesAlertsOnEveryPhase() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        MonitoringBench.Figures f;
        try (VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.of(MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                        StreamLimits.defaults())), "127.0.0.1", 0)) {
            f = MonitoringBench.run("127.0.0.1", server.port(), TestSecurity.backend(), "test server",
                    new MonitoringBench.Settings(4, 4, 1, 1, 0.25), new PrintStream(text, true, StandardCharsets.UTF_8));
        }
        String out = text.toString(StandardCharsets.UTF_8);
        assertTrue(f.maxRate() > 0 && f.openRate() > 0 && f.engineRate() > 0, out);
        assertTrue(f.latencyMicros().getTotalCount() > 0, "the open loop timed no alert:\n" + out);
        assertTrue(out.contains("alert latency at") && out.contains("collections while alerts were timed"), out);
        assertTrue(f.clinic().isEmpty() && !out.contains("clinic load"), "no clinic phase unless asked:\n" + out);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void withTheRecordEveryAlertEventIsKeptAndTheTrendWriterSaysWhatItKept(@TempDir Path dataDir) throws Exception {
        // The bench sends a sample per minute of device time, so each sample is a trend window of its own and a
        // row: far past what the trend's writer is built for (a window sums a minute of a patient's samples), it
        // keeps what it can and counts the rest lost, and the stream never waits for it. Alert events are kept.
        // A clinic of 300 patients sending every second runs beside probe patients whose alerts are timed.
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ClinicalRecord record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()),
                health.vclinic.api.TestKeys.master(dataDir), dataDir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        MonitoringBench.Figures f = MonitoringBench.embedded(MonitoringEndpoint.create(MonitoringConfig.defaults(),
                MonitoringModels.none(), StreamLimits.defaults()), Optional.of(record),
                new MonitoringBench.Settings(4, 4, 1, 1, 0.25, 300), new PrintStream(text, true, StandardCharsets.UTF_8));
        String out = text.toString(StandardCharsets.UTF_8);
        assertTrue(f.latencyMicros().getTotalCount() > 0, "the open loop timed no alert:\n" + out);
        MonitoringBench.ClinicLoad clinic = f.clinic().orElseThrow();
        assertTrue(clinic.probes().latencyMicros().getTotalCount() > 0, "the clinic phase timed no alert:\n" + out);
        assertEquals(0, clinic.clinicAlerts(), "the clinic's patients are well:\n" + out);
        assertTrue(clinic.clinicRate() > 0.9 * 300 && clinic.clinicRate() < 1.1 * 300,
                "each of the clinic's patients sends a sample a second:\n" + out);
        assertTrue(out.contains("clinic load: 300 patients sending every second"), out);
        assertTrue(clinic.trendLost().isPresent() && clinic.trendLost().getAsLong() >= 0,
                "the record's losses in the phase, from the server's /metrics:\n" + out);
        assertTrue(out.contains("trend samples the clinical record lost in the clinic phase: "
                + clinic.trendLost().getAsLong()), out);
        Matcher kept = Pattern.compile("clinical record: (\\d+) samples kept in trend windows \\((\\d+) lost\\),"
                + " (\\d+) alert events kept \\((\\d+) lost\\)").matcher(out);
        assertTrue(kept.find(), out);
        assertTrue(Long.parseLong(kept.group(1)) > 0, out);
        assertTrue(Long.parseLong(kept.group(3)) > 0, out);
        assertEquals("0", kept.group(4), "no alert event lost: " + out);
    }
}
