package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import health.vclinic.inference.ConfusionMatrix;
import org.junit.jupiter.api.Test;

class OperatingPointTest {

    /**
     * Three visits: an expert level 2 the model ranks below the level 4 on "level 1-2", so it can only be
     * decided 2 by over-triaging the level 4; a level 4; a level 5.
     */
    private static final double[][] P = {
            {0.01, 0.03, 0.46, 0.4, 0.1},
            {0.01, 0.04, 0.25, 0.6, 0.1},
            {0.0, 0.02, 0.08, 0.3, 0.6}};
    private static final int[] EXPERT = {2, 4, 5};
    private static final int[] NO_FLOOR = {5, 5, 5};

    @Test
    void theChosenPointMeetsTheCriticalBoundEvenAtTheCostOfOverTriage() {
        OperatingPoint op = new OperatingPoint(P, EXPERT, NO_FLOOR);
        ConfusionMatrix c = op.leastOverTriage(0, op.bestMistriage(0)).orElseThrow().confusion();
        assertEquals(0, c.criticalUnderTriage());
        assertEquals(1, c.count(2, 3), "the level 2 is decided 3: under-triaged by one, not critically");
        assertEquals(0.0, c.overTriageRate(), "equal mistriage either way: the point without over-triage is chosen");
    }

    @Test
    void aFloorCountsInTheFusedAnswer() {
        int[] floors = {5, 3, 5};
        OperatingPoint op = new OperatingPoint(P, EXPERT, floors);
        ConfusionMatrix c = op.leastOverTriage(0, op.bestMistriage(0)).orElseThrow().confusion();
        assertEquals(1, c.count(4, 1) + c.count(4, 2) + c.count(4, 3), "the floor over-triages the level 4 whatever happens");
        assertEquals(1, c.count(2, 2), "so the level 2 may now be decided 2: the over-triage it costs is already paid");
    }

    @Test
    void theCriticalBoundKeepsTheOutOfSampleRateAtTheAllowedRate() {
        // (b + 1) / 87: 2 / 87 = 2.3% <= 2.5% < 3 / 87 = 3.4% <= 3.49% (the nurses' 3 of 86) < 4 / 87.
        assertEquals(1, TriageAcuityPipeline.criticalBound(0.025, 86));
        assertEquals(2, TriageAcuityPipeline.criticalBound(3.0 / 86, 86));
        assertEquals(19, TriageAcuityPipeline.criticalBound(0.1, 200), "(19 + 1) / 201 <= 0.1 < (20 + 1) / 201");
        assertEquals(0, TriageAcuityPipeline.criticalBound(0.001, 86), "0 when even one miss in 87 is too many");
        TrainingConfig.CriticalUnderTriage target = new TrainingConfig.CriticalUnderTriage(0.025, "the goal");
        assertEquals(0.025, TriageAcuityPipeline.allowedRate(target, 3, 86), 1e-12, "the goal is stricter than these nurses");
        assertEquals(1.0 / 86, TriageAcuityPipeline.allowedRate(target, 1, 86), 1e-12, "these nurses are stricter than the goal");
    }
}
