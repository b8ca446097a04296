package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.reviews.AgeBand;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train triage-acuity --reviews FILE} on a small configuration: the reviewed cases of an export file
 * join the training data at the configured weight (the file's sha256 and the counts on the card), the model
 * changes, and a rerun with the same file writes the same bytes. Only the file is read: no database exists here.
 */
class TrainWithReviewsTest {

    @TempDir
    static Path dir;

    private static Path reviews;
    private static TrainingConfig config;
    private static TriageAcuityPipeline.Result first;
    private static TriageAcuityPipeline.Result again;
    private static TriageAcuityPipeline.Result without;

    /** Twelve reviewed cases from a virtual clinic: SpO2 measured (the KTAS data has none), one CDS override. */
    static List<ReviewedCase> cases() {
        List<ReviewedCase> out = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int level = 1 + i % 5;
            boolean cds = i == 11;
            VitalSigns vitals = VitalSigns.builder().heartRate(70 + 10 * (5 - level)).respiratoryRate(14 + 3 * (5 - level))
                    .systolicBp(125).diastolicBp(80).temperatureC(37.2).spo2(99 - 2 * (5 - level))
                    .supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
            ReviewAction action = i % 3 == 0 ? ReviewAction.CONFIRMED : ReviewAction.OVERRIDDEN;
            int service = action == ReviewAction.CONFIRMED ? level : Math.min(5, level + 1);
            out.add(new ReviewedCase(YearMonth.of(2026, 1 + i % 3), cds ? ReviewSource.CDS_HOOKS : ReviewSource.APP,
                    action, service, cds && action == ReviewAction.OVERRIDDEN ? OptionalInt.empty() : OptionalInt.of(level),
                    action == ReviewAction.OVERRIDDEN ? Optional.of(ReasonCode.MORE_URGENT_CLINICAL_JUDGEMENT) : Optional.empty(),
                    "news2", new TreeMap<>(Map.of("news2", "rcp-2017", "triage-acuity", "2")), false,
                    Optional.of(AgeBand.of(30 + 4 * i)), i % 2 == 0 ? Sex.FEMALE : Sex.MALE, vitals,
                    OptionalInt.of(2 * (5 - level)), Optional.of(false),
                    level <= 2 ? List.of("chest", "chest+pain", "pain") : List.of("cough"),
                    level <= 2 ? List.of("chest-pain") : List.of(),
                    level == 1 ? List.of("acute-coronary-syndrome") : List.of()));
        }
        return out;
    }

    @BeforeAll
    static void train() throws IOException {
        List<ReviewedCase> cases = cases();
        reviews = dir.resolve("reviews.jsonl");
        ReviewExportFile.write(reviews, new ReviewExportFile.Header(cases.size(), Instant.parse("2026-04-01T09:00:00Z"),
                "ds:test", LocalDate.parse("2026-01-01"), List.of("north"), List.of("news2=rcp-2017", "triage-acuity=2"),
                "triage-acuity@2"), cases);
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"folds": 2, "vocabulary": {"min-complaints": 3, "max-terms": 60},
                 "candidates": [
                   {"name": "logistic", "family": "logistic-regression-sgd", "epochs": 2},
                   {"name": "liblinear", "family": "liblinear"},
                   {"name": "ordinal", "family": "ordinal-logit", "l2": 1.0, "max-iterations": 100}]}""");
        config = TrainingConfig.load(file);
        first = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), dir.resolve("repo-a"), Optional.of(reviews),
                Progress.silent());
        again = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), dir.resolve("repo-b"), Optional.of(reviews),
                Progress.silent());
        without = TriageAcuityPipeline.run(config, Fixtures.projectRoot(), dir.resolve("repo-c"), Optional.empty(),
                Progress.silent());
    }

    @Test
    void theReviewedCasesJoinTheTrainingDataAndTheCardSaysWhichAndHow() {
        JsonNode card = first.card();
        JsonNode r = card.at("/data/reviews");
        assertAll(
                () -> assertEquals("reviews.jsonl", r.get("file").asText()),
                () -> assertEquals(Sha256.sha256(reviews), r.get("sha256").asText()),
                () -> assertEquals(12, r.get("cases_in_file").asInt()),
                () -> assertEquals(11, r.get("cases_used").asInt()),
                () -> assertEquals(1, r.get("cases_skipped_without_a_clinician_level").asInt(), "the CDS override names no level"),
                () -> assertEquals(2, r.get("weight").asInt(), "the documented default"),
                () -> assertEquals("triage-acuity@2", r.get("complaint_vocabulary_of").asText()),
                () -> assertEquals(2, card.at("/config/reviews/weight").asInt()),
                () -> assertTrue(card.at("/data/reviews/weight_rationale").asText().contains("twice")),
                // The KTAS site has no SpO2: the reviewed cases bring it, so the feature is no longer constant.
                () -> assertTrue(card.at("/features/names").toString().contains("\"vital:spo2\"")),
                () -> assertTrue(without.card().at("/data/reviews").isMissingNode()),
                () -> assertFalse(without.card().at("/features/names").toString().contains("\"vital:spo2\"")));
    }

    @Test
    void aRerunWithTheSameFileWritesTheSameBytesAndTheFileChangesTheModel() throws IOException {
        for (String file : new String[] {OnnxTriageModel.ARTIFACT, ModelRepository.CARD_FILE}) {
            assertArrayEquals(Files.readAllBytes(first.directory().resolve(file)),
                    Files.readAllBytes(again.directory().resolve(file)), file + " differs between reruns");
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(first.directory().resolve(OnnxTriageModel.ARTIFACT)),
                Files.readAllBytes(without.directory().resolve(OnnxTriageModel.ARTIFACT))), "the reviews changed nothing");
    }

    @Test
    void aTamperedOrMissingFileStopsTrainingNamingIt() throws IOException {
        Path tampered = dir.resolve("tampered.jsonl");
        Files.copy(reviews, tampered);
        Files.copy(ReviewExportFile.sha256File(reviews), ReviewExportFile.sha256File(tampered));
        Files.writeString(tampered, Files.readString(tampered).replace("\"service_level\":1", "\"service_level\":2"));
        TrainingException e = assertThrows(TrainingException.class, () -> TriageAcuityPipeline.run(config,
                Fixtures.projectRoot(), dir.resolve("repo-x"), Optional.of(tampered), Progress.silent()));
        assertTrue(e.getMessage().contains("tampered.jsonl") && e.getMessage().contains("changed"), e.getMessage());
        TrainingException missing = assertThrows(TrainingException.class, () -> TriageAcuityPipeline.run(config,
                Fixtures.projectRoot(), dir.resolve("repo-y"), Optional.of(dir.resolve("none.jsonl")), Progress.silent()));
        assertTrue(missing.getMessage().contains("export reviews"), missing.getMessage());
    }
}
