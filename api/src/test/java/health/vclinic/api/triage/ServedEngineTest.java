package health.vclinic.api.triage;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
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
    void servesTheVersionTheRepositoryResolvesFusedWithTheRules() {
        List<String> said = new ArrayList<>();
        TriageEngine engine = ServedEngine.load(TestSupport.projectRoot(), said::add, false);
        // The pinned version when the model card pins one (it does: see its description), else the highest.
        int highest = ModelRepository.open(TestSupport.projectRoot().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .resolve("triage-acuity").version();

        assertTrue(engine.model().isPresent());
        assertEquals("triage-acuity@" + highest, engine.model().get().id());
        assertTrue(said.getFirst().contains("triage-acuity@" + highest), said.toString());

        TriageAssessment a = new TriageEndpoint(engine).assess(TestSecurity.caller(health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), TestSupport.example("demo-001"));
        assertEquals(5, a.getLevelProbabilitiesCount());
        assertEquals("triage-acuity@" + highest, a.getModelVersionsMap().get("triage-model"));
        assertTrue(a.getExplanationList().stream().anyMatch(l -> l.contains("towards more urgent")
                || l.contains("towards less urgent")), a.getExplanationList().toString());
        assertTrue(a.getLevel() <= 2, "a red flag (chest pain to the arm) keeps its floor");
    }

    @Test
    void withoutAModelTheStartIsRefusedWithTheFix(@TempDir Path root) {
        var e = assertThrows(ServedEngine.ModelUnavailableException.class, () -> ServedEngine.load(root, s -> { }, false));

        assertTrue(e.getMessage().contains("triage-acuity") && e.getMessage().contains("--allow-degraded"), e.getMessage());
    }

    @Test
    void degradedModeIsVisibleInEveryAnswer(@TempDir Path root) {
        List<String> said = new ArrayList<>();
        TriageEngine engine = ServedEngine.load(root, said::add, true);

        assertFalse(engine.model().isPresent());
        assertTrue(said.getFirst().startsWith("DEGRADED"), said.toString());
        assertEquals("triage-acuity", engine.degradedModels().getFirst().name());
        TriageAssessment a = new TriageEndpoint(engine).assess(TestSecurity.caller(health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), TestSupport.example("demo-001"));
        assertEquals(0, a.getLevelProbabilitiesCount());
        assertTrue(a.getDegraded());
        assertTrue(a.getNeedsClinicianReview());
        assertTrue(a.getReviewReasonsList().stream().anyMatch(r -> r.contains("triage-acuity")), a.getReviewReasonsList().toString());
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

        var e = assertThrows(ServedEngine.ModelUnavailableException.class, () -> ServedEngine.load(root, s -> { }, false));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertTrue(e.getCause() instanceof ModelRepositoryException, String.valueOf(e.getCause()));
    }
}
