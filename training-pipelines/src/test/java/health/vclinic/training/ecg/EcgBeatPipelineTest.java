package health.vclinic.training.ecg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.datasets.monitoring.Ecg5000;
import health.vclinic.datasets.monitoring.LabelledBeat;
import health.vclinic.inference.monitoring.BeatPrediction;
import health.vclinic.inference.monitoring.EcgBeatModel;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import health.vclinic.training.TrainingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ECG beat pipeline on the real ECG5000 files, in its tiny configuration (100 beats, 2 epochs). */
class EcgBeatPipelineTest {

    private static Path root;
    private static Ecg5000 data;

    @BeforeAll
    static void read() {
        root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(EcgBeatConfig.DEFAULT.dataDir(root))) {
            root = Path.of("..").toAbsolutePath().normalize();
        }
        data = Ecg5000.read(EcgBeatConfig.DEFAULT.dataDir(root));
    }

    @Test
    void retrainingGivesByteIdenticalParameters() {
        List<LabelledBeat> beats = data.train().subList(0, 100);
        List<String> progress = new ArrayList<>();
        EcgBeatTrainer.Trained first = EcgBeatTrainer.train(beats, EcgBeatConfig.tiny(), progress::add);
        EcgBeatTrainer.Trained second = EcgBeatTrainer.train(beats, EcgBeatConfig.tiny(), line -> { });
        assertArrayEquals(first.params(), second.params());
        assertEquals(first.losses(), second.losses());
        EcgBeatConfig otherSeed = new EcgBeatConfig(EcgBeatConfig.tiny().data(), 8, 1, 2, 16, 0.003f, 0, 100);
        assertFalse(Arrays.equals(first.params(), EcgBeatTrainer.train(beats, otherSeed, line -> { }).params()),
                "the seed decides the model");
        assertEquals(List.of("epoch  1/2", "epoch  2/2"), progress.stream().map(l -> l.substring(0, 10)).toList());
        assertTrue(first.parameterCount() > 5_000 && first.parameterCount() < 20_000, "" + first.parameterCount());
    }

    @Test
    void foldsAreStratifiedAndSeeded() {
        int[] folds = EcgBeatTrainer.folds(data.train(), 5, 5000);
        assertArrayEquals(folds, EcgBeatTrainer.folds(data.train(), 5, 5000));
        for (int f = 0; f < 5; f++) {
            int fold = f;
            long normal = java.util.stream.IntStream.range(0, folds.length)
                    .filter(i -> folds[i] == fold && data.train().get(i).ucrClass() == 1).count();
            assertTrue(normal == 58 || normal == 59, "292 normal beats over 5 folds, fold " + f + ": " + normal);
        }
    }

    @Test
    void publishesAVersionTheServiceLoads(@TempDir Path repository) throws IOException {
        EcgBeatPipeline.Result result = EcgBeatPipeline.run(root, EcgBeatConfig.tiny(), repository, line -> { });
        assertEquals(1, result.version());
        ResolvedModel resolved = ModelRepository.open(repository).resolve(EcgBeatModel.MODEL_NAME);
        JsonNode card = resolved.card().json();
        assertEquals("ecg-cnn-1", card.get("architecture").asText());
        assertEquals(7, card.at("/training/config/seed").asInt());
        assertEquals(100, card.at("/data/training_beats").asInt());
        assertEquals(64, card.at("/data/sha256/ECG5000_TRAIN.txt").asText().length());
        assertEquals(2, card.at("/training/loss_per_epoch").size());
        try (EcgBeatModel model = EcgBeatModel.load(resolved, 1)) {
            assertEquals("ecg-beat@1", model.id());
            BeatPrediction p = model.classify(data.test().getFirst().beat());
            assertTrue(p.predictedClass() >= 1 && p.predictedClass() <= 5);
        }
        assertEquals(2, EcgBeatPipeline.run(root, EcgBeatConfig.tiny(), repository, line -> { }).version());
    }

    @Test
    void aConfigurationFileOverridesTheDefaultsAndRejectsUnknownKeys(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("c.json"), "{\"epochs\": 3, \"seed\": 9}");
        EcgBeatConfig c = EcgBeatConfig.load(file);
        assertEquals(3, c.epochs());
        assertEquals(9, c.seed());
        assertEquals(EcgBeatConfig.DEFAULT.folds(), c.folds());
        Path bad = Files.writeString(dir.resolve("b.json"), "{\"epoch\": 3}");
        var e = assertThrows(TrainingException.class, () -> EcgBeatConfig.load(bad));
        assertTrue(e.getMessage().contains("unknown key 'epoch'"), e.getMessage());
    }
}
