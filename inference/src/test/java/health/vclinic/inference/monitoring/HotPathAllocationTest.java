package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.models.ModelRepository;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The engine's allocation per sample on the bench's workload (one sample a minute, patients alternating
 * two well hours and two deteriorating ones), counted in bytes by the JVM, not timed: allocation is
 * what drives young-generation pauses and the alert latency tail. Before the acute path's tables and
 * the reuse of unchanged findings it was 1.2-1.5 KB; now about 0.6 KB.
 */
class HotPathAllocationTest {

    private static VitalSample sample(String patient, long i) {
        long phase = i % 240;
        double x = phase >= 120 ? Math.min(1, (phase - 120) / 60.0) : 0;
        double wobble = ((i * 7919) % 11) - 5;
        return VitalSample.of(patient, "bench", Instant.parse("2025-01-01T00:00:00Z").plusSeconds(60 * i),
                VitalSigns.builder().heartRate(74 + wobble + 50 * x).respiratoryRate(15 + 11 * x).spo2(97 - 6 * x)
                        .systolicBp(124 - 30 * x).diastolicBp(78 - 15 * x).temperatureC(36.9 + 1.6 * x),
                Optional.empty(), OptionalDouble.of(0.95));
    }

    /** The bench's workload: 32 patients, 8 hours of one sample a minute each. */
    private static List<VitalSample> workload() {
        List<VitalSample> samples = new ArrayList<>();
        for (int i = 0; i < 480; i++) {
            for (int p = 0; p < 32; p++) {
                samples.add(sample("p" + p, i));
            }
        }
        return samples;
    }

    /** What one run of a fresh engine over the workload cost, and how many of its alerts were counted. */
    private record Measured(double bytesPerSample, long alerts) {
    }

    /** The third of three runs (the JIT has settled), counting the alerts that {@code counted} accepts. */
    private static Measured measure(List<Detector<?>> detectors, List<VitalSample> samples, Predicate<AlertEvent> counted) {
        MonitoringConfig config = MonitoringConfig.defaults();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Measured measured = null;
        for (int round = 0; round < 3; round++) {
            MonitoringEngine engine = MonitoringEngine.create(config, detectors, () -> 0L);
            long alerts = 0;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (VitalSample s : samples) {
                List<AlertEvent> out = engine.accept(s).alerts();
                for (int i = 0; i < out.size(); i++) {
                    alerts += counted.test(out.get(i)) ? 1 : 0;
                }
            }
            measured = new Measured((threads.getCurrentThreadAllocatedBytes() - before) / (double) samples.size(), alerts);
        }
        return measured;
    }

    @Test
    void theStandardDetectorsAllocateUnderOneKilobytePerSample() {
        MonitoringConfig config = MonitoringConfig.defaults();
        List<Detector<?>> detectors = MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty());
        Measured m = measure(detectors, workload(), a -> true);
        System.out.printf("monitoring engine: %.0f bytes allocated per sample%n", m.bytesPerSample());
        assertTrue(m.alerts() > 0, "the workload deteriorates: alerts are part of what is measured");
        assertTrue(m.bytesPerSample() < 1024, m.bytesPerSample() + " bytes per sample");
    }

    /**
     * The same with the shipped isolation forest. When the anomaly reason and evidence were written on
     * every sample an unusual patient sent, not only for the alerts that went out, this was about 2 KB;
     * now about 0.4 KB.
     */
    @Test
    void withTheAnomalyForestTheEngineAllocatesUnderOneAndAHalfKilobytesPerSample() {
        Path root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        MonitoringModels models = MonitoringModels.load(ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)), 1);
        assertTrue(models.forest().isPresent(), "the repository ships the anomaly forest");
        MonitoringConfig config = MonitoringConfig.defaults();
        List<Detector<?>> detectors = MonitoringEngine.standardDetectors(config, models.forest(), Optional.empty());
        Measured m = measure(detectors, workload(), a -> a.kind() == AlertKind.ANOMALY);
        System.out.printf("monitoring engine with the anomaly forest: %.0f bytes allocated per sample%n", m.bytesPerSample());
        assertTrue(m.alerts() > 0, "the workload is unusual at times: anomaly alerts are part of what is measured");
        assertTrue(m.bytesPerSample() < 1536, m.bytesPerSample() + " bytes per sample");
    }
}
