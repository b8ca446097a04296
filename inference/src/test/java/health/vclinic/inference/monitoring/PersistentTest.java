package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class PersistentTest {

    /** A detector whose condition the test switches on and off. */
    private static final class Switch extends StatelessTestDetector {
        boolean on;

        Switch() {
            super("switch");
        }

        @Override
        public Optional<Finding> evaluate(Evaluation e, NoState state) {
            Instant now = e.now();
            return on ? Optional.of(new Finding(AlertSeverity.LOW, "on", Evidence.of(List.of(), now, now, 1), "on"))
                    : Optional.empty();
        }
    }

    @Test
    void raisesOnlyAfterTheHoldAndClearsOnlyAfterTheClearTime() {
        Switch inner = new Switch();
        Persistent<Detector.NoState> d = Persistent.of(inner, Duration.ofMinutes(30), Duration.ofHours(1));
        Persistent.State<Detector.NoState> state = d.newState();
        PatientWindow w = new PatientWindow(300_000, 8 * 3_600_000, 3_600_000);
        MonitoringConfig config = MonitoringConfig.defaults();
        int[] minute = {0};
        BooleanSupplier at = () -> {
            var s = Samples.sample("p", Duration.ofMinutes(minute[0]), VitalSigns.builder().heartRate(80));
            w.add(s, true);
            return d.evaluate(new Evaluation(s, w, config), state).isPresent();
        };
        inner.on = true;
        assertFalse(at.getAsBoolean(), "0 min: just started");
        minute[0] = 20;
        assertFalse(at.getAsBoolean(), "20 min: not held long enough");
        minute[0] = 30;
        assertTrue(at.getAsBoolean(), "30 min: held");
        inner.on = false;
        minute[0] = 40;
        assertTrue(at.getAsBoolean(), "off for 0 min: still open");
        minute[0] = 80;
        assertTrue(at.getAsBoolean(), "off for 40 min: still open");
        inner.on = true;
        minute[0] = 85;
        assertTrue(at.getAsBoolean(), "back on: stays open, the clear timer restarts");
        inner.on = false;
        minute[0] = 90;
        assertTrue(at.getAsBoolean());
        minute[0] = 150;
        assertFalse(at.getAsBoolean(), "off for 60 min: cleared");
        inner.on = true;
        minute[0] = 160;
        assertFalse(at.getAsBoolean(), "a new episode needs its own hold");
    }

    @Test
    void aFlickerShorterThanTheHoldNeverAlerts() {
        Switch inner = new Switch();
        Persistent<Detector.NoState> d = Persistent.of(inner, Duration.ofMinutes(30), Duration.ofHours(1));
        Persistent.State<Detector.NoState> state = d.newState();
        PatientWindow w = new PatientWindow(300_000, 8 * 3_600_000, 3_600_000);
        for (int m = 0; m < 600; m += 10) {
            inner.on = (m / 10) % 2 == 0;
            var s = Samples.sample("p", Duration.ofMinutes(m), VitalSigns.builder().heartRate(80));
            w.add(s, true);
            assertFalse(d.evaluate(new Evaluation(s, w, MonitoringConfig.defaults()), state).isPresent(), "minute " + m);
        }
        assertEquals("1 h", Persistent.words(3_600_000));
        assertEquals("90 min", Persistent.words(90 * 60_000)) ;
    }
}
