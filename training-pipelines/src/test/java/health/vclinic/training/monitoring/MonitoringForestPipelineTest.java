package health.vclinic.training.monitoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.datasets.monitoring.SeededSplit;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.inference.monitoring.AnomalyForest;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.WindowFeatures;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forest pipeline on the real sepsis subset, in its tiny configuration (12 stays, 20 trees). */
class MonitoringForestPipelineTest {

    private static Path root;
    private static List<SepsisStay> stays;

    @BeforeAll
    static void read() {
        root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(ForestConfig.DEFAULT.dataDir(root))) {
            root = Path.of("..").toAbsolutePath().normalize();
        }
        stays = SepsisDataset.read(ForestConfig.DEFAULT.dataDir(root));
    }

    @Test
    void refittingGivesAByteIdenticalForestFromTrainingStaysWithoutSepsisOnly() {
        SeededSplit<SepsisStay> split = MonitoringForestPipeline.split(stays, 42, 0.5);
        var first = MonitoringForestPipeline.fit(split.train(), ForestConfig.tiny(), MonitoringConfig.defaults(), l -> { });
        var second = MonitoringForestPipeline.fit(split.train(), ForestConfig.tiny(), MonitoringConfig.defaults(), l -> { });
        assertArrayEquals(first.forestBytes(), second.forestBytes());
        assertEquals(12, first.stays().size());
        Set<String> test = new HashSet<>(split.test().stream().map(SepsisStay::patientId).toList());
        for (String id : first.stays()) {
            SepsisStay s = stays.stream().filter(x -> x.patientId().equals(id)).findFirst().orElseThrow();
            assertTrue(!s.septic() && !test.contains(id), id + " is septic or in the test part");
        }
        assertTrue(first.low() > 0.4 && first.low() <= first.medium() && first.medium() < 1);
        assertEquals(WindowFeatures.NAMES.size(), first.windows()[0].length);
    }

    @Test
    void publishesAVersionTheServiceLoads(@TempDir Path repository) {
        var result = MonitoringForestPipeline.run(root, ForestConfig.tiny(), repository, l -> { });
        ResolvedModel resolved = ModelRepository.open(repository).resolve(AnomalyForest.MODEL_NAME);
        JsonNode card = resolved.card().json();
        assertEquals(100, card.at("/split/training_stays").size());
        assertEquals(12, card.at("/split/stays_used").size());
        assertEquals(WindowFeatures.VERSION, card.get("feature_version").asText());
        AnomalyForest forest = AnomalyForest.load(resolved);
        assertEquals("monitoring-forest@1", forest.id());
        assertEquals(result.fitted().low(), forest.lowThreshold());
        double[] row = result.fitted().windows()[0];
        assertEquals(result.fitted().scores()[0], forest.score(row), 0);
        List<String> train = new ArrayList<>();
        card.at("/split/training_stays").forEach(n -> train.add(n.asText()));
        assertEquals(MonitoringForestPipeline.split(stays, 42, 0.5).train().stream().map(SepsisStay::patientId).toList(), train);
    }
}
