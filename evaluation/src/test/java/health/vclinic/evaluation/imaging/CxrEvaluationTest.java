package health.vclinic.evaluation.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation of the committed cxr-pneumonia model on the real test split, written to a temporary folder. */
class CxrEvaluationTest {

    private static Path root() {
        Path root = Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
        return Files.isDirectory(root.resolve("models/repository")) ? root : Path.of("..").toAbsolutePath().normalize();
    }

    @Test
    void reportsOnTheWholeTestSplitAndIsReproducible(@TempDir Path out) throws IOException {
        CxrEvaluation.Result first = CxrEvaluation.run(root(), OptionalInt.empty(), out.resolve("a"));
        JsonNode m = first.metrics();
        assertEquals(624, m.at("/data/images").asInt());
        assertEquals(390, m.at("/data/pneumonia").asInt());
        JsonNode confusion = m.at("/at_threshold/confusion");
        assertEquals(624, confusion.get("true_positive").asInt() + confusion.get("false_positive").asInt()
                + confusion.get("true_negative").asInt() + confusion.get("false_negative").asInt());
        double auroc = m.at("/auroc/value").asDouble();
        assertTrue(m.at("/auroc/ci_low").asDouble() < auroc && auroc < m.at("/auroc/ci_high").asDouble());
        assertEquals(4, m.get("benchmarks").size());
        assertEquals(CxrEvaluation.EXAMPLES, m.at("/saliency_examples/true_positive_indices").size());
        String html = Files.readString(first.directory().resolve(CxrReport.REPORT_FILE));
        for (String section : new String[] {"Against the published MedMNIST v2 results", "confusion matrix",
                "Discrimination and calibration", "True positives", "False positives", "data:image/png;base64,"}) {
            assertTrue(html.contains(section), section);
        }
        assertEquals(2, html.split("<svg", -1).length - 1, "the ROC curve and the reliability diagram");
        CxrEvaluation.Result second = CxrEvaluation.run(root(), OptionalInt.empty(), out.resolve("b"));
        assertArrayEquals(Files.readAllBytes(first.directory().resolve(CxrReport.METRICS_FILE)),
                Files.readAllBytes(second.directory().resolve(CxrReport.METRICS_FILE)));
        assertEquals(html, Files.readString(second.directory().resolve(CxrReport.REPORT_FILE)));
    }
}
