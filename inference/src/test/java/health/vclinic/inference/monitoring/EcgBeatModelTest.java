package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import health.vclinic.datasets.monitoring.EcgBeat;
import health.vclinic.inference.InferenceException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real DJL/PyTorch path: a network built from {@link EcgBeatNet}, its parameters written by DJL,
 * loaded back through {@link EcgBeatModel}'s Criteria and served by Predictors with the translator.
 */
class EcgBeatModelTest {

    @TempDir
    static Path dir;

    private static EcgBeatModel model;

    @BeforeAll
    static void saveAndLoadAnUntrainedNetwork() throws IOException {
        Engine.getEngine("PyTorch").setRandomSeed(7);
        Block block = EcgBeatNet.build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch"); Model m = Model.newInstance(EcgBeatModel.MODEL_NAME, "PyTorch")) {
            block.initialize(manager, DataType.FLOAT32, EcgBeatNet.INPUT_SHAPE);
            m.setBlock(block);
            m.save(dir, EcgBeatModel.MODEL_NAME);
        }
        model = EcgBeatModel.load(dir, "ecg-beat@test", 2);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static float[] beat(long seed) {
        Random r = new Random(seed);
        float[] x = new float[EcgBeat.LENGTH];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (Math.sin(i / 9.0) * 2 + r.nextGaussian() * 0.3);
        }
        return x;
    }

    @Test
    void predictsAProbabilityForEachClass() {
        BeatPrediction p = model.classify(EcgBeat.of(beat(1), "ecg_beat"));
        float sum = 0;
        for (float v : p.probabilities()) {
            assertTrue(v >= 0 && v <= 1);
            sum += v;
        }
        assertEquals(1, sum, 1e-5);
        assertTrue(p.predictedClass() >= 1 && p.predictedClass() <= 5);
        assertEquals("ecg-beat@test", model.id());
    }

    @Test
    void batchesAgreeWithSingleBeats() {
        List<EcgBeat> beats = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            beats.add(EcgBeat.of(beat(i), "ecg_beat"));
        }
        List<BeatPrediction> batch = model.classify(beats);
        assertEquals(300, batch.size());
        for (int i : new int[] {0, 17, 255, 299}) {
            assertArrayEquals(model.classify(beats.get(i)).probabilities(), batch.get(i).probabilities(), 1e-5f);
        }
    }

    @Test
    void deviceGainAndOffsetDoNotChangeThePrediction() {
        float[] x = beat(3);
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            scaled[i] = 3.5f * x[i] + 40f;
        }
        assertArrayEquals(model.classify(EcgBeat.of(x, "ecg_beat")).probabilities(),
                model.classify(EcgBeat.of(scaled, "ecg_beat")).probabilities(), 1e-4f);
    }

    @Test
    void aMissingModelFailsWithTheDirectory(@TempDir Path empty) {
        var e = assertThrows(InferenceException.class, () -> EcgBeatModel.load(empty, "ecg-beat@0", 1));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }

    @Test
    void theDetectorCountsAbnormalBeats() {
        BeatClassifier alwaysAbnormal = new BeatClassifier() {
            @Override
            public String id() {
                return "fake@1";
            }

            @Override
            public BeatPrediction classify(EcgBeat beat) {
                return new BeatPrediction(new float[] {0.1f, 0.1f, 0.7f, 0.05f, 0.05f});
            }

            @Override
            public List<BeatPrediction> classify(List<EcgBeat> beats) {
                return beats.stream().map(this::classify).toList();
            }

            @Override
            public void close() {
            }
        };
        MonitoringConfig config = MonitoringConfig.defaults();
        EcgBeatDetector d = new EcgBeatDetector(alwaysAbnormal, config);
        EcgBeatDetector.State state = d.newState();
        PatientWindow w = config.newWindow();
        List<AlertSeverity> severities = new ArrayList<>();
        for (int s = 0; s < 8; s++) {
            var sample = Samples.withBeat("p", java.time.Duration.ofSeconds(s), beat(s));
            w.add(sample, true);
            severities.add(d.evaluate(new Evaluation(sample, w, config), state).map(Finding::severity).orElse(null));
        }
        assertEquals(java.util.Arrays.asList(null, null, AlertSeverity.LOW, AlertSeverity.LOW, AlertSeverity.LOW,
                AlertSeverity.MEDIUM, AlertSeverity.MEDIUM, AlertSeverity.MEDIUM), severities);
        var flat = Samples.withBeat("p", java.time.Duration.ofSeconds(20), new float[EcgBeat.LENGTH]);
        w.add(flat, true);
        Finding f = d.evaluate(new Evaluation(flat, w, config), state).orElseThrow();
        assertTrue(f.reason().startsWith("8 of the last 8 heartbeats abnormal (8 premature ventricular contraction)"), f.reason());
    }
}
