package health.vclinic.training;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.TriageLevel;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

    private static TrainingConfig parse(String json) {
        return TrainingConfig.parse(json.getBytes(UTF_8), "test.json");
    }

    @Test
    void theShippedDefaultsAreValidAndPenaliseUnderTriageMore() {
        TrainingConfig c = TrainingConfig.defaults();

        assertEquals(5, c.folds());
        assertTrue(c.candidates().size() >= 4);
        for (TriageLevel truth : TriageLevel.values()) {
            for (TriageLevel decided : TriageLevel.values()) {
                int steps = decided.level() - truth.level();
                if (steps > 0) {
                    TriageLevel over = TriageLevel.of(Math.max(1, truth.level() - steps));
                    if (over.level() == truth.level() - steps) {
                        assertTrue(c.costs().cost(truth, decided) > c.costs().cost(truth, over),
                                "under-triage " + truth + "->" + decided + " must cost more than over-triage as far");
                    }
                }
            }
        }
    }

    @Test
    void aPartialFileTakesEveryOtherKeyFromTheDefaults() {
        TrainingConfig c = parse("{\"folds\": 3, \"vocabulary\": {\"max-terms\": 10}}");

        assertEquals(3, c.folds());
        assertEquals(10, c.vocabulary().maxTerms());
        assertEquals(TrainingConfig.defaults().vocabulary().minComplaints(), c.vocabulary().minComplaints());
        assertEquals(TrainingConfig.defaults().candidates(), c.candidates());
        assertEquals(TrainingConfig.defaults().toJson().get("cost-matrix"), c.toJson().get("cost-matrix"));
    }

    @Test
    void candidatesTakeFamilyDefaultsForSettingsLeftOut() {
        TrainingConfig c = parse("{\"candidates\": [{\"name\": \"x\", \"family\": \"factorization-machine\", \"epochs\": 3}]}");

        assertEquals(3, c.candidates().getFirst().intSetting("epochs"));
        assertEquals(4, c.candidates().getFirst().intSetting("factors"));
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(assertThrows(TrainingException.class, () -> parse("{\"fold\": 3}")).getMessage().contains("fold"));
        assertTrue(assertThrows(TrainingException.class, () -> parse(
                "{\"candidates\": [{\"name\": \"x\", \"family\": \"logistic-regression-sgd\", \"l2\": 1}]}"))
                .getMessage().contains("'l2'"));
        assertTrue(assertThrows(TrainingException.class, () -> parse(
                "{\"candidates\": [{\"name\": \"x\", \"family\": \"random-forest\"}]}"))
                .getMessage().contains("random-forest"));
        assertTrue(assertThrows(TrainingException.class, () -> parse(
                "{\"candidates\": [{\"name\": \"e\", \"family\": \"ensemble\", \"members\": [\"a\", \"b\"]}]}"))
                .getMessage().contains("member 'a'"));
        assertTrue(assertThrows(TrainingException.class, () -> parse("{\"folds\": 1}")).getMessage().contains("folds"));
        assertTrue(assertThrows(TrainingException.class, () -> parse(
                "{\"cost-matrix\": {\"values\": [[1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0],"
                        + " [0, 0, 0, 0, 0]]}}")).getMessage().contains("[1][1]"));
    }
}
