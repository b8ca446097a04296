package health.vclinic.evaluation.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SeededSplit;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.evaluation.EvaluationException;
import health.vclinic.inference.monitoring.AnomalyForest;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole monitoring evaluation on the committed models and the real data: it reproduces the
 * committed report's numbers exactly, and refuses a forest whose card does not match its split.
 */
class MonitoringEvaluationTest {

    private static Path root;

    @BeforeAll
    static void root() {
        root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))) {
            root = Path.of("..").toAbsolutePath().normalize();
        }
    }

    @Test
    void reproducesTheCommittedReport(@TempDir Path out) throws IOException {
        MonitoringEvaluation.Result result = MonitoringEvaluation.run(root, out);
        Path committed = root.resolve(MonitoringEvaluation.REPORTS).resolve(MonitoringReport.METRICS_FILE);
        assertEquals(Files.readString(committed), Files.readString(result.directory().resolve(MonitoringReport.METRICS_FILE)),
                "the committed reports/monitoring/metrics.json is what the committed models give; rerun"
                        + " ./vclinic evaluate monitoring after retraining");
        JsonNode m = result.metrics();
        assertEquals(100, m.at("/sepsis/test_stays").asInt());
        assertTrue(m.at("/ecg/test/auroc/value").asDouble() > 0.99, "ECG AUROC");
        assertTrue(m.at("/ecg/test/accuracy/value").asDouble() >= 0.98, "ECG accuracy at the 1-NN anchor");
        assertEquals(0.9802, m.at("/ecg/test/nearest_neighbour_accuracy").asDouble(), 1e-4, "the README's 1-NN figure");
        JsonNode ours = m.at("/sepsis/methods/vclinic");
        JsonNode news2 = m.at("/sepsis/methods/news2_5");
        assertTrue(ours.get("pages_per_patient_day").asDouble() < news2.get("pages_per_patient_day").asDouble() / 2,
                "persistence and hysteresis at least halve the pages of raw NEWS2 >= 5");
        assertTrue(Files.size(result.directory().resolve(MonitoringReport.REPORT_FILE)) > 10_000);
    }

    @Test
    void refusesAForestWhoseCardListsOtherTrainingStays() {
        ResolvedModel forest = ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .resolve(AnomalyForest.MODEL_NAME);
        List<SepsisStay> stays = SepsisDataset.read(root.resolve(SepsisDataset.RELATIVE_PATH).normalize());
        ObjectNode card = (ObjectNode) forest.card().json();
        SeededSplit<SepsisStay> split = SeededSplit.stratified(stays, SepsisStay::patientId, SepsisStay::septic,
                card.at("/split/train_fraction").asDouble(), card.at("/split/seed").asLong());
        MonitoringEvaluation.checkSplit(forest, card, split);

        ArrayNode used = (ArrayNode) card.at("/split/stays_used");
        used.add(split.test().getFirst().patientId());
        var e = assertThrows(EvaluationException.class, () -> MonitoringEvaluation.checkSplit(forest, card, split));
        assertTrue(e.getMessage().contains("was trained on the test stay"), e.getMessage());

        ObjectNode other = (ObjectNode) new ObjectMapper().valueToTree(forest.card().json());
        SeededSplit<SepsisStay> otherSplit = SeededSplit.stratified(stays, SepsisStay::patientId, SepsisStay::septic, 0.5, 7);
        var e2 = assertThrows(EvaluationException.class, () -> MonitoringEvaluation.checkSplit(forest, other, otherSplit));
        assertTrue(e2.getMessage().contains("may have seen test stays"), e2.getMessage());
    }
}
