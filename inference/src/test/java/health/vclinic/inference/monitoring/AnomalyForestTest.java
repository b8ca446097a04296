package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.InferenceException;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smile.anomaly.IsolationForest;
import smile.math.MathEx;

/** A real Smile forest over real window features of synthetic normal patients. */
class AnomalyForestTest {

    private static AnomalyForest forest;

    @BeforeAll
    static void fit() throws Exception {
        MonitoringConfig config = MonitoringConfig.defaults();
        List<double[]> rows = new ArrayList<>();
        Random r = new Random(11);
        for (int p = 0; p < 40; p++) {
            PatientWindow w = config.newWindow();
            for (int h = 0; h < 24; h++) {
                var s = Samples.sample("n" + p, Duration.ofHours(h), VitalSigns.builder().heartRate(75 + r.nextGaussian() * 8)
                        .respiratoryRate(16 + r.nextGaussian() * 2).systolicBp(122 + r.nextGaussian() * 10)
                        .spo2(Math.min(100, 97 + r.nextGaussian())).temperatureC(36.9 + r.nextGaussian() * 0.3));
                w.add(s, true);
                WindowFeatures.compute(w).ifPresent(rows::add);
            }
        }
        double[][] x = rows.toArray(double[][]::new);
        IsolationForest f = new ForkJoinPool(1).submit(() -> {
            MathEx.setSeed(5);
            return IsolationForest.fit(x, new IsolationForest.Options(50, 0, 0.7, 0));
        }).get();
        double[] median = new double[WindowFeatures.NAMES.size()];
        double[] scale = new double[median.length];
        for (int j = 0; j < median.length; j++) {
            int col = j;
            double[] v = rows.stream().mapToDouble(row -> row[col]).sorted().toArray();
            median[j] = v[v.length / 2];
            scale[j] = Math.max(1e-3, v[3 * v.length / 4] - v[v.length / 4]);
        }
        double[] scores = f.score(x);
        java.util.Arrays.sort(scores);
        double low = scores[(int) (0.99 * scores.length)];
        forest = new AnomalyForest(f, "monitoring-forest@test", config.resolution().toMillis(), low,
                Math.max(low, scores[scores.length - 1]), median, scale);
    }

    @Test
    void roundTripsThroughItsFileAndScoresTheSame(@TempDir Path dir) {
        Path file = dir.resolve(AnomalyForest.ARTIFACT);
        AnomalyForest.write(forest.forest(), file);
        IsolationForest back = AnomalyForest.read(file);
        double[] normal = {75, 0, 5, 16, 0, 1, 120, 0, 8, 97, 0, 1, 37, 0, 0.2, 0.62};
        double[] odd = {150, 60, 30, 40, 20, 8, 70, -50, 30, 80, -15, 6, 40.5, 3, 1, 2.1};
        assertEquals(forest.score(normal), back.score(normal), 0);
        assertTrue(back.score(odd) > back.score(normal));
        assertTrue(forest.score(odd) >= forest.lowThreshold(), "a crashing patient is unusual");
    }

    @Test
    void refusesAFileThatIsNotAForest(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("evil.ser");
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(new java.util.HashMap<String, String>());
        }
        var e = assertThrows(InferenceException.class, () -> AnomalyForest.read(file));
        assertTrue(e.getMessage().contains("cannot read the isolation forest"), e.getMessage());
    }

    @Test
    void theDetectorExplainsWhatIsUnusual() {
        MonitoringConfig config = MonitoringConfig.defaults();
        var detectors = MonitoringEngine.standardDetectors(config.toBuilder().anomalyHold(Duration.ZERO).build(),
                Optional.of(forest), Optional.empty());
        MonitoringEngine engine = MonitoringEngine.create(config, detectors, System::nanoTime);
        List<AlertEvent> alerts = new ArrayList<>();
        for (int h = 0; h < 8; h++) {
            alerts.addAll(engine.accept(Samples.sample("calm", Duration.ofHours(h), Samples.normal())).alerts());
        }
        assertFalse(alerts.stream().anyMatch(a -> a.kind() == AlertKind.ANOMALY), alerts.toString());
        for (int h = 0; h < 8; h++) {
            var vitals = h < 4 ? Samples.normal() : VitalSigns.builder().heartRate(150).respiratoryRate(34).systolicBp(78)
                    .spo2(84).temperatureC(39.8);
            alerts.addAll(engine.accept(Samples.sample("crash", Duration.ofHours(h), vitals)).alerts());
        }
        AlertEvent anomaly = alerts.stream().filter(a -> a.kind() == AlertKind.ANOMALY).findFirst().orElseThrow();
        assertEquals("isolation-forest", anomaly.detector());
        assertEquals("monitoring-forest@test", anomaly.modelVersion());
        assertTrue(anomaly.evidence().score().isPresent() && anomaly.evidence().threshold().isPresent());
        assertTrue(anomaly.reason().contains("most unusual"), anomaly.reason());
        assertEquals(3, anomaly.evidence().measurements().size());
    }
}
