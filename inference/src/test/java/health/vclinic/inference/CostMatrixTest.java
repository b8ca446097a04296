package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CostMatrixTest {

    /** Under-triage twice as costly per level as over-triage; missing a level 1-2 as 4-5 costs 10. */
    private static final CostMatrix COSTS = CostMatrix.of(new double[][] {
            {0, 4, 8, 10, 12},
            {1, 0, 4, 8, 10},
            {2, 1, 0, 2, 4},
            {3, 2, 1, 0, 2},
            {4, 3, 2, 1, 0}});

    @Test
    void decidesTheCheaperLevelNotTheMostProbableOne() {
        // Level 4 is most probable, but a 25 % chance of an emergency makes level 2 the cheaper call:
        // expected cost of 2 = 0.75 * 2 = 1.5; of 3 = 0.25 * 4 + 0.75 * 1 = 1.75; of 4 = 0.25 * 8 = 2.0.
        double[] p = {0, 0.25, 0, 0.75, 0};

        assertArrayEquals(new double[] {2.5, 1.5, 1.75, 2.0, 4.0}, COSTS.expectedCosts(p), 1e-12);
        assertEquals(TriageLevel.EMERGENT, COSTS.decide(p));
    }

    @Test
    void withSymmetricCostsItIsTheMedianLevel() {
        double[][] distance = new double[5][5];
        for (int t = 0; t < 5; t++) {
            for (int d = 0; d < 5; d++) {
                distance[t][d] = Math.abs(t - d);
            }
        }
        assertEquals(TriageLevel.URGENT, CostMatrix.of(distance).decide(new double[] {0.3, 0, 0.25, 0, 0.45}));
    }

    @Test
    void aTieGoesToTheMoreUrgentLevel() {
        CostMatrix zeroOne = CostMatrix.of(new double[][] {
                {0, 1, 1, 1, 1}, {1, 0, 1, 1, 1}, {1, 1, 0, 1, 1}, {1, 1, 1, 0, 1}, {1, 1, 1, 1, 0}});
        assertEquals(TriageLevel.URGENT, zeroOne.decide(new double[] {0, 0, 0.5, 0.5, 0}));
    }

    @Test
    void refusesMatricesThatAreNotCosts() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CostMatrix.of(new double[4][5]))
                .getMessage().contains("5 rows"));
        double[][] diagonal = new double[5][5];
        diagonal[2][2] = 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CostMatrix.of(diagonal))
                .getMessage().contains("[3][3]"));
        double[][] negative = new double[5][5];
        negative[0][4] = -1;
        assertThrows(IllegalArgumentException.class, () -> CostMatrix.of(negative));
        double[][] nan = new double[5][5];
        nan[1][0] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> CostMatrix.of(nan));
    }

    @Test
    void costIsReadByTrueThenDecidedLevel() {
        assertEquals(10, COSTS.cost(TriageLevel.RESUSCITATION, TriageLevel.LESS_URGENT));
        assertEquals(3, COSTS.cost(TriageLevel.LESS_URGENT, TriageLevel.RESUSCITATION));
    }
}
