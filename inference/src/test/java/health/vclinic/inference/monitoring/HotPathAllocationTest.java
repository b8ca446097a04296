package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
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

    @Test
    void theStandardDetectorsAllocateUnderOneKilobytePerSample() {
        MonitoringConfig config = MonitoringConfig.defaults();
        List<VitalSample> samples = new ArrayList<>();
        for (int i = 0; i < 480; i++) {
            for (int p = 0; p < 32; p++) {
                samples.add(sample("p" + p, i));
            }
        }
        List<Detector<?>> detectors = MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double perSample = Double.NaN;
        long alerts = 0;
        for (int round = 0; round < 3; round++) {
            MonitoringEngine engine = MonitoringEngine.create(config, detectors, () -> 0L);
            long before = threads.getCurrentThreadAllocatedBytes();
            for (VitalSample s : samples) {
                alerts += engine.accept(s).alerts().size();
            }
            perSample = (threads.getCurrentThreadAllocatedBytes() - before) / (double) samples.size();
        }
        System.out.printf("monitoring engine: %.0f bytes allocated per sample%n", perSample);
        assertTrue(alerts > 0, "the workload deteriorates: alerts are part of what is measured");
        assertTrue(perSample < 1024, perSample + " bytes per sample");
    }
}
