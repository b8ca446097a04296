package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.ModelOpinion;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on a small configuration, run three times. */
class TriageAcuityPipelineTest {

    @TempDir
    static Path first;
    @TempDir
    static Path second;

    private static TriageAcuityPipeline.Result a;
    private static TriageAcuityPipeline.Result b;
    private static TriageAcuityPipeline.Result again;

    @BeforeAll
    static void trainThreeTimes() {
        TrainingConfig config = Fixtures.smallConfig();
        a = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), first, Progress.silent());
        b = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), second, Progress.silent());
        again = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), first, Progress.silent());
    }

    @Test
    void retrainingWithTheSameInputsGivesByteIdenticalArtifacts() throws IOException {
        assertEquals(1, a.version());
        assertEquals(1, b.version());
        assertEquals(2, again.version(), "a rerun publishes the next version");
        for (String file : new String[] {OnnxTriageModel.ARTIFACT, ModelRepository.CARD_FILE}) {
            byte[] bytes = Files.readAllBytes(a.directory().resolve(file));
            assertArrayEquals(bytes, Files.readAllBytes(b.directory().resolve(file)), file + " differs between repositories");
            assertArrayEquals(bytes, Files.readAllBytes(again.directory().resolve(file)), file + " differs between versions");
        }
    }

    @Test
    void theCardRecordsEverythingNeededToReproduceAndServeTheModel() throws IOException {
        JsonNode card = a.card();
        String text = Files.readString(a.directory().resolve(ModelRepository.CARD_FILE));
        assertAll(
                () -> assertEquals("triage-acuity", card.get("task").asText()),
                () -> assertEquals("vclinic-triage-features/2", card.at("/features/version").asText()),
                () -> assertEquals(card.at("/features/count").asInt(), card.at("/features/names").size()),
                () -> assertTrue(card.at("/features/vocabulary").size() > 10),
                () -> assertTrue(card.at("/features/constant_on_training_site_excluded").toString().contains("vital:spo2")),
                () -> assertTrue(card.at("/features/excluded_by_config").toString().contains("missing:heart_rate")),
                () -> assertEquals(5, card.get("labels").size()),
                () -> assertEquals("cumulative-thresholds", card.at("/decision_rule/method").asText()),
                () -> assertEquals(4, card.at("/decision_rule/thresholds").size()),
                () -> assertTrue(card.at("/features/excluded_by_config").toString().contains("arrival:walking")),
                () -> assertTrue(card.at("/metrics/operating_point/cv_critical_under_triage").asInt()
                        <= card.at("/metrics/operating_point/critical_bound_visits").asInt()),
                () -> assertTrue(card.at("/metrics/floor_audit/floors/incomplete-data").isObject()),
                () -> assertEquals(10, card.at("/decision_rule/cost_matrix/0/3").asInt()),
                () -> assertEquals(4, card.at("/metrics/cross_validation").size()),
                () -> assertTrue(card.at("/metrics/cross_validation/logistic/eligible").asBoolean()),
                // Tribuo 4.3.2 exports multi-class LibLinear as softmax(decision values) but predicts with
                // LibLinear's one-vs-rest normalisation: the pipeline must notice and never serve it.
                () -> assertFalse(card.at("/metrics/cross_validation/liblinear/eligible").asBoolean()),
                () -> assertTrue(card.at("/metrics/cross_validation/liblinear/onnx_parity_max_abs_difference")
                        .asDouble() > 1e-3),
                () -> assertFalse(card.at("/model/candidate").asText().equals("liblinear")),
                () -> assertTrue(card.at("/metrics/onnx_parity_max_abs_difference_training_site").asDouble() <= 1e-5),
                () -> assertEquals(Sha256.sha256(KtasFiles.directory(Fixtures.projectRoot()).resolve(KtasFiles.TRAIN)),
                        card.at("/data/train/sha256").asText()),
                () -> assertEquals("fa92b9055f785f56c511d8e68659ae3c9e0180d779ed09ff2940cbcc0769a3c4",
                        card.at("/data/train/sha256").asText(), "the README's sha256"),
                () -> assertEquals("63aae17ec3b88ef8af729d730a4897c643cb801b238b5db72362e23394611383",
                        card.at("/data/test/sha256").asText()),
                () -> assertEquals(2, card.at("/config/folds").asInt()),
                () -> assertEquals(20190917, card.get("seed").asLong()),
                () -> assertFalse(card.at("/provenance/git/commit").asText().isBlank()),
                () -> assertEquals("4.3.2", card.at("/provenance/libraries/tribuo").asText()),
                () -> assertEquals("1.28.0", card.at("/provenance/libraries/onnxruntime").asText()),
                () -> assertTrue(card.get("tribuo_provenance").isArray() && !card.get("tribuo_provenance").isEmpty()),
                () -> assertFalse(Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}").matcher(text).find(),
                        "no timestamp anywhere in the card"));
    }

    @Test
    void thePublishedVersionIsServedFromTheRepository() {
        ResolvedModel resolved = ModelRepository.open(first).resolve("triage-acuity");
        assertEquals(2, resolved.version());
        KtasVisit visit = Fixtures.read(KtasFiles.TEST).visits().getFirst();
        try (OnnxTriageModel model = OnnxTriageModel.load(resolved, Fixtures.RULES)) {
            ModelOpinion opinion = model.predict(visit.encounter(), Fixtures.ENGINE.findings(visit.encounter()));
            assertEquals("model:triage-acuity@2", opinion.source());
            assertEquals(5, opinion.levelProbabilities().size());
            assertFalse(opinion.reasons().isEmpty());
        }
    }
}
