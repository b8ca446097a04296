package health.vclinic.inference.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.reviews.AgeBand;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlag;
import health.vclinic.inference.redflags.RedFlagRules;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A case de-identified as the export keeps it (complaint as read and filtered by the vocabulary, red flags by
 * id, age banded) gives the model the same features as the patient's own encounter, age aside.
 */
class ReviewedInputTest {

    private static final RedFlagRules RULES = RedFlagRules.standard();
    private static final TriageEngine ENGINE = new TriageEngine(RULES);
    private static final ComplaintVocabulary VOCABULARY = ComplaintVocabulary.of(List.of("arm", "chest", "chest+pain",
            "pain", "sweaty"));
    private static final TriageFeatures FEATURES = TriageFeatures.create(VOCABULARY, RULES);

    @Test
    void theExportedReadingGivesTheFeaturesOfTheText() {
        VitalSigns vitals = VitalSigns.builder().heartRate(104).respiratoryRate(22).systolicBp(142).diastolicBp(88)
                .temperatureC(36.9).spo2(95).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        // 67.5 is the middle of its band (65-69), so even age comes out the same here.
        Encounter patient = new Encounter("e", new Patient(OptionalDouble.of(67.5), Sex.MALE, Optional.empty()), vitals,
                new Interview("Crushing chest pain down my left arm, sweaty, my friend Quixotrelline drove me; no fever",
                        OptionalInt.of(8), OptionalDouble.empty(), List.of(), List.of(), Map.of("injury", "no")));
        RuleFindings findings = ENGINE.findings(patient);
        TriageFeatures.ComplaintReading read = FEATURES.read(patient.interview().chiefComplaint());
        List<String> kept = read.terms().stream().filter(VOCABULARY.terms()::contains).sorted().toList();
        ReviewedCase c = new ReviewedCase(YearMonth.of(2026, 3), ReviewSource.APP, ReviewAction.CONFIRMED, 2,
                OptionalInt.of(2), Optional.empty(), "red-flag:acute-coronary-syndrome", new TreeMap<>(), false,
                Optional.of(AgeBand.of(67)), Sex.MALE, vitals, OptionalInt.of(8), Optional.of(false), kept,
                read.concepts().stream().sorted().toList(), findings.redFlags().stream().map(RedFlag::code).toList());

        ReviewedInput in = ReviewedInput.of(c, ENGINE, "r-1");

        assertTrue(kept.stream().noneMatch(t -> t.contains("quixotrelline")), kept.toString());
        assertEquals("", in.encounter().interview().chiefComplaint(), "no complaint text travels");
        assertArrayEquals(FEATURES.extract(patient, findings), FEATURES.extract(in.encounter(), in.findings(), in.complaint()));
        assertTrue(in.findings().redFlags().stream().allMatch(f -> f.evidence().isEmpty()), "the words stayed behind");
    }

    @Test
    void aRuleTheEngineDoesNotDefineIsRefusedNamingIt() {
        ReviewedCase c = new ReviewedCase(YearMonth.of(2026, 3), ReviewSource.APP, ReviewAction.CONFIRMED, 3,
                OptionalInt.of(3), Optional.empty(), "news2", new TreeMap<>(), false, Optional.empty(), Sex.UNKNOWN,
                VitalSigns.NONE, OptionalInt.empty(), Optional.empty(), List.of(), List.of(), List.of("no-such-rule"));
        InferenceException e = assertThrows(InferenceException.class, () -> ReviewedInput.of(c, ENGINE, "r-2"));
        assertTrue(e.getMessage().contains("no-such-rule"), e.getMessage());
    }
}
