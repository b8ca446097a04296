package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.models.ModelRepository;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * A condition that holds is found on every sample, but its words are written only when an alert goes
 * out: the engine reads a finding's reason and evidence for RAISED and UPDATED, not while the open
 * alert stands. Formatting them on every sample was most of what the anomaly detector allocated.
 */
class DeferredFindingTest {

    /** Always finds, at a severity the test sets, and counts how often its words are written. */
    private static final class Counting implements Detector<Detector.NoState> {
        AlertSeverity severity = AlertSeverity.LOW;
        int reasons;
        int evidences;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public AlertKind kind() {
            return AlertKind.TREND;
        }

        @Override
        public NoState newState() {
            return NoState.INSTANCE;
        }

        @Override
        public Optional<Finding> evaluate(Evaluation e, NoState state) {
            AlertSeverity at = severity;
            long now = e.nowMillis();
            return Optional.of(Finding.deferred(at, at.name(), new Finding.Details() {
                @Override
                public String reason() {
                    reasons++;
                    return "found at " + at;
                }

                @Override
                public Evidence evidence() {
                    evidences++;
                    return Evidence.of(List.of(), Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), 1);
                }
            }));
        }
    }

    @Test
    void theWordsAreWrittenOnlyForTheAlertsThatGoOut() {
        Counting d = new Counting();
        MonitoringEngine engine = MonitoringEngine.create(MonitoringConfig.defaults(), List.of(d), () -> 0L);
        List<AlertEvent> sent = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            if (minute == 40) {
                d.severity = AlertSeverity.MEDIUM;
            }
            sent.addAll(engine.accept(Samples.sample("p", Duration.ofMinutes(minute), Samples.normal())).alerts());
        }
        assertEquals(List.of(AlertState.RAISED, AlertState.UPDATED), sent.stream().map(AlertEvent::state).toList());
        assertEquals("found at LOW", sent.get(0).reason());
        assertEquals("found at MEDIUM", sent.get(1).reason());
        assertEquals(Samples.at(Duration.ofMinutes(40)), sent.get(1).evidence().windowEnd(),
                "the evidence is that of the sample that changed the alert");
        assertEquals(2, d.reasons, "one reason per alert sent, not one per sample");
        assertEquals(2, d.evidences);
    }

    @Test
    void aDeferredFindingIsWrittenOnceAndEqualsTheSameFindingWrittenAtOnce() {
        int[] calls = {0};
        Instant t = Samples.T0;
        Evidence evidence = Evidence.of(List.of(Measurement.of("heart_rate", 120, "/min")), t, t, 1);
        Finding deferred = Finding.deferred(AlertSeverity.LOW, "heart_rate", new Finding.Details() {
            @Override
            public String reason() {
                calls[0]++;
                return "Vital sign deteriorating";
            }

            @Override
            public Evidence evidence() {
                return evidence;
            }
        });
        Finding eager = new Finding(AlertSeverity.LOW, "Vital sign deteriorating", evidence, "heart_rate");
        assertEquals(eager, deferred);
        assertEquals(eager.hashCode(), deferred.hashCode());
        deferred.reason();
        assertEquals(1, calls[0]);
    }

    /** The bench's workload (one sample a minute, alternating well and deteriorating hours). */
    private static VitalSample sample(String patient, long i) {
        long phase = i % 480;
        double x = phase >= 240 ? Math.min(1, (phase - 240) / 60.0) : 0;
        double wobble = ((i * 7919) % 11) - 5;
        return VitalSample.of(patient, "bench", Instant.parse("2025-01-01T00:00:00Z").plusSeconds(60 * i),
                VitalSigns.builder().heartRate(74 + wobble + 50 * x).respiratoryRate(15 + 11 * x).spo2(97 - 6 * x)
                        .systolicBp(124 - 30 * x).diastolicBp(78 - 15 * x).temperatureC(36.9 + 1.6 * x),
                Optional.empty(), OptionalDouble.of(0.95));
    }

    /**
     * With the shipped isolation forest, counted in bytes by the JVM, not timed. When the anomaly reason
     * and evidence were written on every sample an unusual patient sent, this was about 4.4 KB; now about
     * 0.6 KB (the bound leaves room for the JIT's day).
     */
    @Test
    void withTheAnomalyForestTheEngineAllocatesUnderOneAndAHalfKilobytesPerSample() {
        Path root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        MonitoringModels models = MonitoringModels.load(ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)), 1);
        assertTrue(models.forest().isPresent(), "the repository ships the anomaly forest");
        MonitoringConfig config = MonitoringConfig.defaults();
        List<Detector<?>> detectors = MonitoringEngine.standardDetectors(config, models.forest(), Optional.empty());
        List<VitalSample> samples = new ArrayList<>();
        for (int i = 0; i < 960; i++) {
            for (int p = 0; p < 16; p++) {
                samples.add(sample("p" + p, i));
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double perSample = Double.NaN;
        long anomalies = 0;
        for (int round = 0; round < 3; round++) {
            MonitoringEngine engine = MonitoringEngine.create(config, detectors, () -> 0L);
            long before = threads.getCurrentThreadAllocatedBytes();
            for (VitalSample s : samples) {
                anomalies += engine.accept(s).alerts().stream().filter(a -> a.kind() == AlertKind.ANOMALY).count();
            }
            perSample = (threads.getCurrentThreadAllocatedBytes() - before) / (double) samples.size();
        }
        System.out.printf("monitoring engine with the anomaly forest: %.0f bytes allocated per sample%n", perSample);
        assertTrue(anomalies > 0, "the workload is unusual at times: anomaly alerts are part of what is measured");
        assertTrue(perSample < 1536, perSample + " bytes per sample");
    }
}
