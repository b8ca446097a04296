package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.ktas.KtasVisit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Fusion with the real ONNX model: the model may raise a level, never lower a rule's floor. */
class FusionWithServedModelTest {

    private static OnnxTriageModel model;
    private static TriageEngine fused;
    private static final TriageEngine RULES_ONLY = new TriageEngine(ServedModelFixture.RULES);

    @BeforeAll
    static void load() {
        model = ServedModelFixture.load();
        fused = new TriageEngine(ServedModelFixture.RULES, Optional.of(model));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void neverLowersAFloorOnTheTestSiteOrOnRedFlagCases() {
        List<Encounter> cases = new ArrayList<>();
        ServedModelFixture.testSite().visits().stream().map(KtasVisit::encounter).forEach(cases::add);
        cases.addAll(redFlagCases());
        int raised = 0;
        for (Encounter e : cases) {
            TriageResult withModel = fused.assess(e);
            TriageResult rules = RULES_ONLY.assess(e);
            ModelOpinion opinion = model.predict(e, RULES_ONLY.findings(e));
            for (TriageFloor floor : withModel.decision().floors()) {
                assertTrue(withModel.level().level() <= floor.level().level(),
                        e.encounterId() + ": level " + withModel.level() + " is below the floor " + floor);
            }
            assertEquals(TriageLevel.mostUrgent(rules.level(), opinion.level()), withModel.level(), e.encounterId());
            assertEquals(5, withModel.levelProbabilities().size());
            assertEquals(model.id(), withModel.versions().get("triage-model"));
            if (withModel.decision().decidedBy().equals(opinion.source())) {
                raised++;
                // With no floor at all (a full set of normal observations) the model's level stands, even level 5.
                assertTrue(opinion.level().moreUrgentThan(rules.level()) || rules.decision().floors().isEmpty(),
                        "the model decides only when more urgent than a floor, or when no floor applies");
            }
        }
        assertTrue(raised > 0, "on the test site the model raises some levels above the rules");
    }

    @Test
    void aRedFlagFloorHoldsEvenWhenTheModelThinksTheCaseIsMild() {
        // Normal vitals, young, walked in: the model leans non-urgent, the stroke rule says emergent.
        Encounter e = encounter("my face is drooping and my arm is weak", 30, Map.of("arrival_mode", "walking"));
        TriageResult r = fused.assess(e);

        assertTrue(r.level().level() <= TriageLevel.EMERGENT.level(), r.level().toString());
        assertTrue(r.decision().floors().stream().anyMatch(f -> f.source().equals("red-flag:stroke")));
    }

    private static List<Encounter> redFlagCases() {
        return List.of(
                encounter("crushing chest pain going down my left arm, sweaty", 58, Map.of()),
                encounter("worst headache of my life, came on suddenly", 44, Map.of()),
                encounter("vomiting blood", 62, Map.of("arrival_mode", "private_vehicle")),
                encounter("my throat is swelling and I can't breathe after a bee sting", 25, Map.of()),
                encounter("sprained ankle", 20, Map.of("injury", "yes")));
    }

    private static Encounter encounter(String complaint, double age, Map<String, String> answers) {
        VitalSigns normal = VitalSigns.builder().heartRate(78).respiratoryRate(14).systolicBp(124).diastolicBp(78)
                .temperatureC(36.8).spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        return new Encounter("case-" + complaint.hashCode(), new Patient(OptionalDouble.of(age), Sex.FEMALE, Optional.empty()),
                normal, new Interview(complaint, OptionalInt.of(2), OptionalDouble.empty(), List.of(), List.of(), answers));
    }
}
