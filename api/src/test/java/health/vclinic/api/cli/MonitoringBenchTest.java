package health.vclinic.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true),
                "bench", "--monitoring", "--streams", "4", "--connections", "5");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("--connections must be 1 to 4 (--streams); was 5"), err.toString());
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
    }
}
