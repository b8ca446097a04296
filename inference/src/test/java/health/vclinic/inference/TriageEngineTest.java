package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TriageEngineTest {

    private static final TriageEngine ENGINE = TriageEngine.standard();

    /** A full set of adult observations that all score 0 on NEWS2. */
    private static VitalSigns.Builder normal() {
        return VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122).diastolicBp(78)
                .temperatureC(36.8).spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT);
    }

    private static Patient adult() {
        return new Patient(OptionalDouble.of(40), Sex.FEMALE, Optional.empty());
    }

    private static Interview says(String complaint) {
        return new Interview(complaint, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of());
    }

    private static TriageResult assess(Patient p, VitalSigns v, Interview i) {
        return ENGINE.assess(new Encounter("e-1", p, v, i));
    }

    @Test
    void crushingChestPainIsEmergentWithTheRedFlagAndItsWords() {
        TriageResult r = assess(adult(), normal().build(), says("crushing chest pain since an hour"));
        assertTrue(r.level().level() <= TriageLevel.EMERGENT.level(), r.level().toString());
        assertEquals("red-flag:acute-coronary-syndrome", r.decision().decidedBy());
        assertEquals("acute-coronary-syndrome", r.redFlags().getFirst().code());
        assertTrue(r.redFlags().getFirst().evidence().contains("'crushing chest pain'"), r.redFlags().toString());
        assertTrue(r.needsClinicianReview());
        assertTrue(r.explanation().getFirst().startsWith("Level 2 (emergent)"), r.explanation().getFirst());
    }

    @Test
    void deniedChestPainFiresNothingAndAFullNormalSetIsSelfCare() {
        TriageResult r = assess(adult(), normal().build(), says("denies chest pain, wants advice on quitting smoking"));
        assertEquals(List.of(), r.redFlags());
        assertEquals(TriageLevel.NON_URGENT, r.level());
        assertEquals(Disposition.SELF_CARE, r.decision().disposition());
        assertEquals(TriageFusion.DEFAULT_SOURCE, r.decision().decidedBy());
        assertFalse(r.needsClinicianReview());
    }

    @Test
    void selfCareIsNeverAdvisedWithoutAFullSetOfObservations() {
        TriageResult r = assess(adult(), VitalSigns.NONE,
                says("sore throat for three days"));
        assertEquals(TriageLevel.LESS_URGENT, r.level());
        assertEquals("incomplete-data", r.decision().decidedBy());
        assertTrue(r.missing().containsAll(List.of("vitals.heart_rate", "vitals.spo2", "interview.pain_score")));

        VitalSigns noTemperature = VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122)
                .spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        assertEquals(TriageLevel.LESS_URGENT, assess(adult(), noTemperature, says("")).level());

        Patient ageUnknown = new Patient(OptionalDouble.empty(), Sex.UNKNOWN, Optional.empty());
        TriageResult unknownAge = assess(ageUnknown, normal().build(), says(""));
        assertEquals(TriageLevel.LESS_URGENT, unknownAge.level());
        assertTrue(unknownAge.needsClinicianReview(), "adult chart assumed for an unknown age");
    }

    /** Every observation of a full set but SpO2 and oxygen use, all scoring 0 on NEWS2. */
    private static VitalSigns.Builder noOximeter() {
        return VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122).diastolicBp(78)
                .temperatureC(36.8).consciousness(Consciousness.ALERT);
    }

    @Test
    void withoutAnOximeterSelfCareNeedsANormalRespiratoryRateAndNoBreathingOrChestComplaint() {
        TriageResult sprain = assess(adult(), noOximeter().build(), says("twisted ankle yesterday, can walk"));
        assertEquals(TriageLevel.NON_URGENT, sprain.level(), sprain.decision().floors().toString());
        assertTrue(sprain.missing().contains("vitals.spo2"), "SpO2 is still named as missing");

        TriageResult breathless = assess(adult(), noOximeter().build(), says("short of breath since this morning"));
        assertEquals("incomplete-data", floorSource(breathless, "incomplete-data"));
        TriageResult chest = assess(adult(), noOximeter().build(), says("chest tightness"));
        assertEquals("incomplete-data", floorSource(chest, "incomplete-data"));
        TriageResult denied = assess(adult(), noOximeter().build(), says("denies chest pain, no shortness of breath, sore knee"));
        assertEquals(TriageLevel.NON_URGENT, denied.level(), "a negated finding asks for no oximeter");

        VitalSigns noRate = VitalSigns.builder().heartRate(72).systolicBp(122).diastolicBp(78).temperatureC(36.8)
                .consciousness(Consciousness.ALERT).build();
        assertEquals("incomplete-data", floorSource(assess(adult(), noRate, says("sore knee")), "incomplete-data"));
        TriageResult fast = assess(adult(), noOximeter().respiratoryRate(22).build(), says("sore knee"));
        assertEquals("incomplete-data", floorSource(fast, "incomplete-data"), "a respiratory rate scoring 2 keeps the floor");
        TriageResult slow = assess(adult(), noOximeter().respiratoryRate(11).build(), says("sore knee"));
        assertEquals("incomplete-data", floorSource(slow, "incomplete-data"), "a respiratory rate scoring 1 keeps the floor");
        VitalSigns noTemperature = VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122)
                .consciousness(Consciousness.ALERT).build();
        assertEquals(TriageLevel.LESS_URGENT, assess(adult(), noTemperature, says("sore knee")).level(),
                "only SpO2 and oxygen use may be missing");
        Patient child = new Patient(OptionalDouble.of(8), Sex.FEMALE, Optional.empty());
        VitalSigns childNoOximeter = VitalSigns.builder().heartRate(90).respiratoryRate(20).systolicBp(105)
                .temperatureC(36.8).consciousness(Consciousness.ALERT).build();
        assertTrue(assess(child, childNoOximeter, says("sore knee")).decision().floors().stream()
                .anyMatch(f -> f.source().equals("incomplete-data")), "a child's full set includes SpO2");
    }

    private static String floorSource(TriageResult r, String source) {
        return r.decision().floors().stream().map(TriageFloor::source).filter(source::equals).findFirst().orElse("none");
    }

    /** CLINICAL.md mapping: 7+ EMERGENT, 5-6 URGENT, single 3 URGENT, 1-4 LESS_URGENT, 0 none. */
    @ParameterizedTest(name = "RR {0}, HR {1}, T {2} -> NEWS2 {3} -> level {4} by {5}")
    @CsvSource({
        "14, 72, 36.8, 0, 5, default",
        "14, 95, 36.8, 1, 4, news2",
        "22, 95, 38.5, 4, 4, news2",
        "22, 115, 38.5, 5, 3, news2",
        "22, 115, 39.5, 6, 3, news2",
        "25, 115, 39.5, 7, 2, news2",
        "25, 72, 36.8, 3, 3, news2:single-parameter",
        "25, 95, 36.8, 4, 3, news2:single-parameter",
    })
    void news2BandsSetTheFloorsOfTheDocumentedMapping(int rr, int hr, double t, int total, int level, String by) {
        TriageResult r = assess(adult(), normal().respiratoryRate(rr).heartRate(hr).temperatureC(t).build(), says(""));
        assertEquals(total, r.news2().total());
        assertEquals(level, r.level().level());
        assertEquals(by, r.decision().decidedBy());
    }

    @Test
    void unresponsiveIsResuscitationWhateverTheAge() {
        TriageResult adult = assess(adult(), normal().consciousness(Consciousness.UNRESPONSIVE).build(), says(""));
        assertEquals(TriageLevel.RESUSCITATION, adult.level());
        assertEquals(Disposition.EMERGENCY_SERVICES, adult.decision().disposition());
        Patient child = new Patient(OptionalDouble.of(4), Sex.MALE, Optional.empty());
        TriageResult c = assess(child, VitalSigns.builder().consciousness(Consciousness.UNRESPONSIVE).build(), says(""));
        assertEquals(TriageLevel.RESUSCITATION, c.level());
    }

    @ParameterizedTest(name = "pain {0} -> level {1}")
    @CsvSource({"0, 5", "3, 5", "4, 4", "7, 4", "8, 3", "10, 3"})
    void painSetsAFloorAtTheCtasKtasModifiers(int pain, int level) {
        Interview i = new Interview("", OptionalInt.of(pain), OptionalDouble.empty(), List.of(), List.of(), Map.of());
        assertEquals(level, assess(adult(), normal().build(), i).level().level());
    }

    @Test
    void phq9AtTheCutPointAsksForAConsultationAndItem9RoutesToAClinician() {
        Interview nine = new Interview("", OptionalInt.empty(), OptionalDouble.empty(),
                List.of(1, 1, 1, 1, 1, 1, 1, 2, 0), List.of(), Map.of());
        assertEquals(TriageLevel.NON_URGENT, assess(adult(), normal().build(), nine).level());
        Interview ten = new Interview("", OptionalInt.empty(), OptionalDouble.empty(),
                List.of(1, 1, 1, 1, 1, 1, 1, 3, 0), List.of(), Map.of());
        TriageResult r10 = assess(adult(), normal().build(), ten);
        assertEquals(TriageLevel.LESS_URGENT, r10.level());
        assertEquals("questionnaire:phq-9", r10.decision().decidedBy());
        Interview item9 = new Interview("", OptionalInt.empty(), OptionalDouble.empty(),
                List.of(0, 0, 0, 0, 0, 0, 0, 0, 1), List.of(), Map.of());
        TriageResult r = assess(adult(), normal().build(), item9);
        assertEquals(TriageLevel.URGENT, r.level());
        assertEquals("red-flag:suicidal-thoughts", r.decision().decidedBy());
        assertTrue(r.needsClinicianReview());
    }

    @Test
    void gad7AtTheCutPointAsksForAConsultation() {
        Interview ten = new Interview("", OptionalInt.empty(), OptionalDouble.empty(), List.of(),
                List.of(2, 2, 2, 1, 1, 1, 1), Map.of());
        assertEquals("questionnaire:gad-7", assess(adult(), normal().build(), ten).decision().decidedBy());
    }

    @Test
    void childrenAreAssessedOnPaediatricLimitsNotNews2() {
        Patient child = new Patient(OptionalDouble.of(3), Sex.MALE, Optional.empty());
        VitalSigns v = VitalSigns.builder().heartRate(165).respiratoryRate(28).systolicBp(90).temperatureC(38.2)
                .spo2(97).consciousness(Consciousness.ALERT).build();
        TriageResult r = assess(child, v, says("high temperature"));
        assertFalse(r.news2().applicable());
        assertTrue(r.paediatric().applicable());
        assertEquals(TriageLevel.URGENT, r.level());
        assertEquals("paediatric:heart_rate", r.decision().decidedBy());
    }

    @Test
    void everyResultIsAtLeastAsUrgentAsEachOfItsFloors() {
        Random random = new Random(7);
        String[] complaints = {"", "crushing chest pain", "no chest pain", "face drooping", "worst headache of my life",
            "sore throat", "vomiting blood", "had a seizure last year"};
        for (int i = 0; i < 2_000; i++) {
            VitalSigns.Builder b = VitalSigns.builder();
            if (random.nextBoolean()) {
                b.heartRate(30 + random.nextInt(150));
            }
            if (random.nextBoolean()) {
                b.respiratoryRate(5 + random.nextInt(30));
            }
            if (random.nextBoolean()) {
                b.systolicBp(80 + random.nextInt(150));
            }
            if (random.nextBoolean()) {
                b.spo2(80 + random.nextInt(21));
            }
            if (random.nextBoolean()) {
                b.temperatureC(34 + random.nextInt(70) / 10.0);
            }
            if (random.nextBoolean()) {
                b.consciousness(Consciousness.values()[random.nextInt(5)]);
            }
            if (random.nextBoolean()) {
                b.supplementalOxygen(random.nextBoolean());
            }
            Patient p = new Patient(random.nextInt(4) == 0 ? OptionalDouble.empty() : OptionalDouble.of(random.nextInt(90)),
                    Sex.UNKNOWN, Optional.empty());
            Interview in = new Interview(complaints[random.nextInt(complaints.length)],
                    random.nextBoolean() ? OptionalInt.of(random.nextInt(11)) : OptionalInt.empty(),
                    OptionalDouble.empty(), List.of(), List.of(), Map.of());
            TriageResult r = assess(p, b.build(), in);
            for (TriageFloor f : r.decision().floors()) {
                assertTrue(r.level().level() <= f.level().level(), "level " + r.level() + " below floor " + f);
            }
            assertTrue(r.decision().disposition().ordinal() <= r.level().disposition().ordinal());
        }
    }

    /** A model of our own kind, not a mock: a fixed-level model is a real {@link TriageModel}. */
    private record FixedModel(TriageLevel level) implements TriageModel {
        public String id() {
            return "fixed@1";
        }

        public ModelOpinion predict(Encounter encounter, RuleFindings findings) {
            List<Double> p = new java.util.ArrayList<>(List.of(0.0, 0.0, 0.0, 0.0, 0.0));
            p.set(level.level() - 1, 1.0);
            return new ModelOpinion("model:" + id(), level, p, List.of("fixed"));
        }
    }

    @Test
    void aModelInTheEngineCanRaiseButNeverLowerTheRulesLevel() {
        Encounter chestPain = new Encounter("e", adult(), normal().build(), says("crushing chest pain"));
        TriageEngine lenient = new TriageEngine(ENGINE.rules(), Optional.of(new FixedModel(TriageLevel.NON_URGENT)));
        TriageResult r = lenient.assess(chestPain);
        assertEquals(TriageLevel.EMERGENT, r.level(), "a model saying non-urgent must not lower a red flag");
        assertEquals("red-flag:acute-coronary-syndrome", r.decision().decidedBy());
        assertEquals(5, r.levelProbabilities().size());
        assertEquals("fixed@1", r.versions().get("triage-model"));

        Encounter benign = new Encounter("e", adult(), normal().build(), says("sore throat"));
        TriageEngine worried = new TriageEngine(ENGINE.rules(), Optional.of(new FixedModel(TriageLevel.URGENT)));
        TriageResult raised = worried.assess(benign);
        assertEquals(TriageLevel.URGENT, raised.level());
        assertEquals("model:fixed@1", raised.decision().decidedBy());
        assertTrue(raised.explanation().stream().anyMatch(l -> l.startsWith("Model model:fixed@1")), raised.explanation().toString());
    }
}
