package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.datasets.ktas.KtasReader;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation of the shipped model on the real test site, written to a temporary directory. */
class TriageEvaluationTest {

    @TempDir
    static Path out;
    private static TriageEvaluation.Result result;
    private static final List<KtasVisit> TEST =
            KtasReader.read(KtasFiles.directory(root()).resolve(KtasFiles.TEST)).visits();

    static Path root() {
        return Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
    }

    @BeforeAll
    static void evaluate() {
        result = TriageEvaluation.run(root(), OptionalInt.empty(), out);
    }

    @Test
    void theNursesColumnIsTheDataItself() {
        ConfusionMatrix nurses = new ConfusionMatrix();
        TEST.forEach(v -> nurses.add(v.expertLevel(), v.nurseLevel()));
        JsonNode n = result.metrics().at("/predictors/nurses");
        assertAll(
                () -> assertEquals(579, n.get("visits").asInt()),
                () -> assertEquals(160, n.get("high_acuity_visits").asInt(), "expert level 1-2 on the test site: 12 + 148"),
                () -> assertEquals(nurses.criticalUnderTriage(), n.get("critical_under_triage").asLong()),
                () -> assertEquals(nurses.underTriage(), n.get("under_triage").asLong()),
                () -> assertEquals(nurses.quadraticWeightedKappa(), n.get("quadratic_weighted_kappa").asDouble(), 1e-6));
    }

    @Test
    void fusionCanOnlyRemoveUnderTriageTheModelHadAndTheReportHasEverySection() throws IOException {
        JsonNode model = result.metrics().at("/predictors/model");
        JsonNode fused = result.metrics().at("/predictors/fused");
        assertTrue(fused.get("critical_under_triage").asInt() <= model.get("critical_under_triage").asInt());
        assertTrue(fused.get("under_triage").asInt() <= model.get("under_triage").asInt());
        JsonNode auroc = fused.get("high_acuity_auroc");
        assertTrue(auroc.get("ci_low").asDouble() <= auroc.get("value").asDouble()
                && auroc.get("value").asDouble() <= auroc.get("ci_high").asDouble(), auroc.toString());
        JsonNode calibration = model.get("calibration");
        assertTrue(calibration.get("brier_multiclass").asDouble() > 0 && calibration.get("ece_high_acuity").asDouble() >= 0);
        assertEquals(3, result.metrics().at("/subgroups/age").size());
        assertEquals(2, result.metrics().at("/subgroups/sex").size());
        assertEquals(4, result.metrics().at("/goals").size());
        assertEquals(5, result.metrics().at("/prior_shift/estimated_test_priors").size());
        assertTrue(result.metrics().at("/predictors/fused_with_arrival").isObject());
        int served = Integer.parseInt(result.modelId().substring(result.modelId().indexOf('@') + 1));
        for (int v = 1; v < served; v++) {
            assertTrue(result.metrics().at("/predictors/version_" + v + "_fused").isObject(), "version " + v + " compared");
            assertTrue(result.metrics().at("/predictors/version_" + v + "_fused_with_arrival").isObject());
        }

        String html = Files.readString(result.directory().resolve(Report.REPORT_FILE));
        for (String section : List.of("Headline", "Confusion matrices", "Subgroups", "Explanations", "Model card",
                "Nurses", "Rules alone", "Model alone", "Model + rules", "<svg", "Limits", "towards more urgent",
                "Goals (issue 14)", "with arrival mode", "priors re-estimated", "Site shift")) {
            assertTrue(html.contains(section), "report.html lacks " + section);
        }
        assertFalse(html.contains("{{") || html.contains("{%"), "unrendered template syntax");
        JsonNode written = new ObjectMapper().readTree(result.directory().resolve(Report.METRICS_FILE).toFile());
        assertTrue(result.metrics().toString().equals(written.toString()), "metrics.json is the result's metrics");
    }

    @Test
    void refusesTestDataThatIsNotTheDataTheCardNames(@TempDir Path root) throws IOException {
        ResolvedModel shipped = ModelRepository.open(root().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .resolve("triage-acuity");
        Path dir = Files.createDirectories(root.resolve("models/repository/triage-acuity/1"));
        Files.copy(shipped.directory().getParent().resolve("model.json"), dir.getParent().resolve("model.json"));
        Files.copy(shipped.artifact("model.onnx"), dir.resolve("model.onnx"));
        ObjectNode card = (ObjectNode) shipped.card().json();
        ((ObjectNode) card.at("/config/data")).put("directory", KtasFiles.directory(root()).toString());
        ((ObjectNode) card.at("/data/test")).put("sha256", "0".repeat(64));
        Files.writeString(dir.resolve("model.json"), new ObjectMapper().writeValueAsString(card));

        var e = assertThrows(EvaluationException.class, () -> TriageEvaluation.run(root, OptionalInt.of(1)));
        assertTrue(e.getMessage().contains("0".repeat(64)), e.getMessage());
    }
}
