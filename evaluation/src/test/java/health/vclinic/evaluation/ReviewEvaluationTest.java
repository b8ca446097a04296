package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertAll;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./vclinic evaluate triage-acuity --reviews FILE} on the shipped model: the reviews section. */
class ReviewEvaluationTest {

    @TempDir
    static Path out;
    private static Path file;
    private static TriageEvaluation.Result result;

    private static ReviewedCase reviewed(int month, ReviewSource source, ReviewAction action, int service,
                                         OptionalInt clinician, Optional<ReasonCode> reason, double spo2,
                                         List<String> terms, List<String> flags) {
        VitalSigns vitals = VitalSigns.builder().heartRate(96).respiratoryRate(20).systolicBp(130).diastolicBp(82)
                .temperatureC(37.8).spo2(spo2).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        return new ReviewedCase(YearMonth.of(2026, month), source, action, service, clinician, reason, "news2",
                new TreeMap<>(Map.of("news2", "rcp-2017")), false, Optional.of(AgeBand.of(67)), Sex.MALE, vitals,
                OptionalInt.of(6), Optional.of(false), terms, List.of(), flags);
    }

    @BeforeAll
    static void evaluate() {
        List<ReviewedCase> cases = List.of(
                reviewed(1, ReviewSource.APP, ReviewAction.CONFIRMED, 3, OptionalInt.of(3), Optional.empty(), 95,
                        List.of("cough"), List.of()),
                reviewed(1, ReviewSource.APP, ReviewAction.OVERRIDDEN, 3, OptionalInt.of(2),
                        Optional.of(ReasonCode.RED_FLAG_MISSED), 91, List.of("chest", "pain"),
                        List.of("acute-coronary-syndrome")),
                reviewed(2, ReviewSource.APP, ReviewAction.OVERRIDDEN, 2, OptionalInt.of(4),
                        Optional.of(ReasonCode.MEASUREMENT_ARTEFACT), 97, List.of("cough"), List.of()),
                reviewed(2, ReviewSource.CDS_HOOKS, ReviewAction.OVERRIDDEN, 3, OptionalInt.empty(),
                        Optional.of(ReasonCode.OTHER), 96, List.of(), List.of()),
                reviewed(2, ReviewSource.CDS_HOOKS, ReviewAction.CONFIRMED, 2, OptionalInt.of(2), Optional.empty(), 90,
                        List.of("chest"), List.of()));
        file = out.resolve("reviews.jsonl");
        ReviewExportFile.write(file, new ReviewExportFile.Header(cases.size(), Instant.parse("2026-03-01T00:00:00Z"),
                "ds:test", LocalDate.parse("2026-01-01"), List.of("north"), List.of("news2=rcp-2017"), "triage-acuity@2"),
                cases);
        result = TriageEvaluation.run(TriageEvaluationTest.root(), java.util.OptionalInt.empty(), out, Optional.of(file));
    }

    @Test
    void theReportHasAgreementOverTimeOverrideReasonsAndTheModelsFiguresOnTheReviewedCases() throws Exception {
        JsonNode r = result.metrics().get("reviews");
        assertAll(
                () -> assertEquals(5, r.get("cases").asInt()),
                () -> assertEquals(health.vclinic.models.Sha256.sha256(file), r.get("sha256").asText()),
                () -> assertFalse(r.get("in_this_models_training_data").asBoolean()),
                () -> assertEquals(1, r.at("/agreement_by_month/2026-01/confirmed").asInt()),
                () -> assertEquals(0.5, r.at("/agreement_by_month/2026-01/agreement").asDouble()),
                () -> assertEquals(1, r.at("/agreement_by_month/2026-01/made_more_urgent").asInt()),
                () -> assertEquals(1, r.at("/agreement_by_month/2026-02/made_less_urgent").asInt()),
                () -> assertEquals(1, r.at("/agreement_by_month/2026-02/overridden_without_a_level").asInt()),
                () -> assertEquals(1, r.at("/override_reasons/RED_FLAG_MISSED").asInt()),
                () -> assertEquals(1, r.at("/override_reasons/OTHER").asInt()),
                () -> assertEquals(0, r.at("/override_reasons/RED_FLAG_FIRED_WRONGLY").asInt()),
                () -> assertEquals(4, r.at("/figures_on_reviewed_cases/model/cases").asInt(), "the one without a level is left out"),
                () -> assertEquals(4, r.at("/figures_on_reviewed_cases/service/cases").asInt()),
                // The service: 2 of 4 exact (3 for 3, 2 for 2), 3 for a 2 under-triaged, 2 for a 4 over-triaged.
                () -> assertEquals(0.5, r.at("/figures_on_reviewed_cases/service/exact_agreement").asDouble()),
                () -> assertEquals(0.25, r.at("/figures_on_reviewed_cases/service/under_triage_rate").asDouble()),
                () -> assertTrue(r.at("/figures_on_reviewed_cases/model/exact_agreement").isNumber()));
        String html = Files.readString(result.directory().resolve(Report.REPORT_FILE));
        for (String s : List.of("Clinicians' reviews", "Agreement with clinicians over time", "Override reasons",
                "Red flag missed", "Figures on the reviewed cases", "2026-02")) {
            assertTrue(html.contains(s), "report.html lacks " + s);
        }
        assertTrue(result.metrics().at("/predictors/fused").isObject(), "the test-site evaluation is all there too");
    }

    @Test
    void aFileThatIsNotAnExportIsRefusedNamingIt() throws Exception {
        Path bad = Files.writeString(out.resolve("bad.jsonl"), "{\"format\":\"something-else\",\"format_version\":1}\n");
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> TriageEvaluation.run(TriageEvaluationTest.root(), java.util.OptionalInt.empty(), out, Optional.of(bad)));
        assertTrue(e.getMessage().contains("bad.jsonl") && e.getMessage().contains("vclinic-reviewed-cases"), e.getMessage());
    }
}
