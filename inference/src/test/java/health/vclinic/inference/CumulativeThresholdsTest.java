package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CumulativeThresholdsTest {

    private static final CumulativeThresholds RULE = new CumulativeThresholds(List.of(0.3, 0.4, 0.5, 0.9));

    @Test
    void decidesTheMostUrgentLevelWhoseCumulativeProbabilityReachesItsThreshold() {
        assertEquals(TriageLevel.RESUSCITATION, RULE.decide(new double[] {0.3, 0, 0, 0, 0.7}), "exactly at 0.3");
        assertEquals(TriageLevel.EMERGENT, RULE.decide(new double[] {0.2, 0.2, 0.2, 0.2, 0.2}), "0.2 + 0.2 reaches 0.4");
        assertEquals(TriageLevel.URGENT, RULE.decide(new double[] {0.1, 0.1, 0.3, 0.3, 0.2}));
        assertEquals(TriageLevel.LESS_URGENT, RULE.decide(new double[] {0, 0.1, 0.1, 0.75, 0.05}));
        assertEquals(TriageLevel.NON_URGENT, RULE.decide(new double[] {0, 0, 0.1, 0.7, 0.2}), "0.8 < 0.9");
    }

    @Test
    void refusesThresholdsThatAreNotFourProbabilities() {
        assertThrows(IllegalArgumentException.class, () -> new CumulativeThresholds(List.of(0.3, 0.4, 0.5)));
        assertThrows(IllegalArgumentException.class, () -> new CumulativeThresholds(List.of(0.0, 0.4, 0.5, 0.9)));
        assertThrows(IllegalArgumentException.class, () -> new CumulativeThresholds(List.of(0.3, 0.4, 0.5, 1.1)));
        assertThrows(IllegalArgumentException.class, () -> RULE.decide(new double[] {1}));
    }
}
