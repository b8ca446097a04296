package health.vclinic.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.inference.TriageEngine;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ModelRepositoryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What serve and assess run: the shipped model from models/repository, or the rules alone. */
class ServedEngineTest {

    @Test
    void servesTheHighestVersionOfTheShippedModelFusedWithTheRules() {
        List<String> said = new ArrayList<>();
        TriageEngine engine = ServedEngine.load(TestSupport.projectRoot(), said::add);
        int highest = ModelRepository.open(TestSupport.projectRoot().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .versions("triage-acuity").getLast();

        assertTrue(engine.model().isPresent());
        assertEquals("triage-acuity@" + highest, engine.model().get().id());
        assertTrue(said.getFirst().contains("triage-acuity@" + highest), said.toString());

        TriageAssessment a = new TriageEndpoint(engine).assess(TestSupport.example("demo-001"));
        assertEquals(5, a.getLevelProbabilitiesCount());
        assertEquals("triage-acuity@" + highest, a.getModelVersionsMap().get("triage-model"));
        assertTrue(a.getExplanationList().stream().anyMatch(l -> l.contains("towards more urgent")
                || l.contains("towards less urgent")), a.getExplanationList().toString());
        assertTrue(a.getLevel() <= 2, "a red flag (chest pain to the arm) keeps its floor");
    }

    @Test
    void withoutAModelTheServiceRunsOnTheRulesAloneAndSaysSo(@TempDir Path root) {
        List<String> said = new ArrayList<>();
        TriageEngine engine = ServedEngine.load(root, said::add);

        assertFalse(engine.model().isPresent());
        assertTrue(said.getFirst().contains("rules alone"), said.toString());
        assertEquals(0, new TriageEndpoint(engine).assess(TestSupport.example("demo-001")).getLevelProbabilitiesCount());
    }

    @Test
    void aTamperedModelStopsTheStartInsteadOfBeingSkipped(@TempDir Path root) throws IOException {
        Path shipped = TestSupport.projectRoot().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT).resolve("triage-acuity");
        Path copy = Files.createDirectories(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)).resolve("triage-acuity");
        try (Stream<Path> files = Files.walk(shipped)) {
            for (Path p : files.toList()) {
                Files.copy(p, copy.resolve(shipped.relativize(p).toString()));
            }
        }
        try (Stream<Path> onnx = Files.walk(copy)) {
            for (Path p : onnx.filter(f -> f.getFileName().toString().equals("model.onnx")).toList()) {
                Files.write(p, new byte[] {1, 2, 3});
            }
        }

        var e = assertThrows(ModelRepositoryException.class, () -> ServedEngine.load(root, s -> { }));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    }
}
