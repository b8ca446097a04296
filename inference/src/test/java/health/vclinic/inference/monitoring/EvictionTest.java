package health.vclinic.inference.monitoring;

import static health.vclinic.inference.monitoring.Samples.high;
import static health.vclinic.inference.monitoring.Samples.normal;
import static health.vclinic.inference.monitoring.Samples.sample;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Idle eviction on both clocks: the server's (only new samples count) and the devices' (per stream). */
class EvictionTest {

    private final AtomicLong wall = new AtomicLong();

    private MonitoringEngine engine() {
        MonitoringConfig config = MonitoringConfig.builder().news2Hold(Duration.ZERO).build();
        return MonitoringEngine.create(config, MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty()),
                wall::get);
    }

    @Test
    void reSendingOldReadingsDoesNotKeepAPatientAlive() {
        MonitoringEngine engine = engine();
        List<AlertEvent> told = new ArrayList<>();
        MonitoringEngine.AlertSink sink = told::add;
        for (int m = 0; m <= 10; m++) {
            engine.accept(sample("pt", Duration.ofMinutes(m), high()), sink);
        }
        // For 40 minutes of wall clock the device re-sends what it sent before, and older readings.
        for (int i = 0; i < 40; i++) {
            wall.addAndGet(Duration.ofMinutes(1).toNanos());
            engine.accept(sample("pt", Duration.ofMinutes(i % 11), high()), sink);
            engine.accept(sample("pt", Duration.ofMinutes(-5 - i), high()), sink);
        }
        List<AlertEvent> notices = engine.evictIdle();
        assertAll(
                () -> assertEquals(1, notices.size(), notices.toString()),
                () -> assertEquals(AlertState.RESOLVED, notices.getFirst().state()),
                () -> assertTrue(notices.getFirst().reason().startsWith("Resolved unreviewed: monitoring stopped, no samples"
                        + " for 30 min"), notices.getFirst().reason()),
                () -> assertEquals(notices, told),
                () -> assertEquals(0, engine.patients()));
    }

    @Test
    void aSilentPatientsAlertResolvesOnTheStreamsDeviceClock() {
        MonitoringEngine engine = engine();
        List<AlertEvent> told = new ArrayList<>();
        MonitoringEngine.AlertSink stream = told::add;
        engine.accept(sample("silent", Duration.ZERO, high()), stream);
        assertEquals(1, engine.stats().raised());
        // The wall clock never moves (a replay); another patient on the same stream goes on for an hour.
        int resolvedAtMinute = -1;
        for (int m = 1; m <= 60 && resolvedAtMinute < 0; m++) {
            engine.accept(sample("busy", Duration.ofMinutes(m), normal()), stream);
            if (!told.isEmpty()) {
                resolvedAtMinute = m;
            }
        }
        assertEquals(1, told.size(), told.toString());
        AlertEvent resolution = told.getFirst();
        assertAll(
                () -> assertEquals("silent", resolution.patientRef()),
                () -> assertEquals(AlertState.RESOLVED, resolution.state()),
                () -> assertEquals(Samples.at(Duration.ZERO), resolution.sampleTime(), "the last reading it rests on"),
                () -> assertTrue(resolution.reason().startsWith("Resolved unreviewed: monitoring stopped")),
                () -> assertEquals(1, engine.patients()));
        // Silent for more than 30 min of device time, seen within a sweep (one minute of device time) of it.
        assertEquals(31, resolvedAtMinute);
    }

    @Test
    void aDeviceWhoseClockRunsAheadDoesNotEvictTheOthersOnItsStream() {
        MonitoringEngine engine = engine();
        List<AlertEvent> told = new ArrayList<>();
        MonitoringEngine.AlertSink stream = told::add;
        // Live: readings at the server's time (the engine's wall clock stands still here, as the test's does).
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        engine.accept(at("ill", now, high()), stream);
        assertEquals(1, engine.stats().raised());
        // Another device on the same stream with its clock set 75 years ahead, then the first one goes on.
        engine.accept(at("wild", now.plus(Duration.ofDays(75 * 365)), normal()), stream);
        engine.accept(at("ill", now.plusSeconds(60), high()), stream);
        assertAll(
                () -> assertEquals(List.of(), told, "nobody was evicted, so nothing was resolved"),
                () -> assertEquals(2, engine.patients()),
                () -> assertEquals(0, engine.stats().evicted()));
    }

    private static health.vclinic.datasets.monitoring.VitalSample at(String patient, java.time.Instant t,
                                                                     health.vclinic.datasets.VitalSigns.Builder v) {
        return health.vclinic.datasets.monitoring.VitalSample.of(patient, "watch-1", t, v, Optional.empty(),
                java.util.OptionalDouble.of(0.95));
    }

    @Test
    void aPatientWhoseReadingsLagTheStreamStaysWhileTheyAdvance() {
        MonitoringEngine engine = engine();
        List<AlertEvent> told = new ArrayList<>();
        MonitoringEngine.AlertSink stream = told::add;
        for (int m = 0; m <= 120; m++) {
            engine.accept(sample("live", Duration.ofMinutes(m), normal()), stream);
            // A phone uploading readings buffered an hour ago, one a minute: behind, but new for this patient.
            engine.accept(sample("buffered", Duration.ofMinutes(m - 60), high()), stream);
        }
        assertEquals(2, engine.patients());
        assertEquals(0, engine.stats().evicted());
    }

    @Test
    void batchCallersWithoutAStreamAreNotEvictedOnEachOthersClock() {
        MonitoringEngine engine = engine();
        engine.accept(sample("a", Duration.ZERO, normal()));
        engine.accept(sample("b", Duration.ofHours(5), normal()));
        engine.accept(sample("a", Duration.ofMinutes(1), normal()));
        assertEquals(0, engine.stats().evicted());
    }
}
