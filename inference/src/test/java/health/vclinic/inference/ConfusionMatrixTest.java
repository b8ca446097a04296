package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void perfectAgreementHasKappaOne() {
        ConfusionMatrix c = new ConfusionMatrix();
        for (int l = 1; l <= 5; l++) {
            c.add(l, l);
            c.add(l, l);
        }
        assertEquals(1.0, c.quadraticWeightedKappa(), 1e-12);
        assertEquals(1.0, c.accuracy());
        assertEquals(1.0, c.macroF1());
    }

    @Test
    void quadraticWeightedKappaMatchesAHandComputedExample() {
        // reference 1,2,3,4,5 ; decided 1,3,3,5,5. Weights (i-j)^2/16.
        // observed disagreement: (1 + 1) / 16 / 5 = 0.025
        // margins: reference one each; decided {1:1, 3:2, 5:2}; expected = sum_r sum_d w * 1/5 * m_d/5
        ConfusionMatrix c = new ConfusionMatrix();
        int[] decided = {1, 3, 3, 5, 5};
        for (int r = 1; r <= 5; r++) {
            c.add(r, decided[r - 1]);
        }
        double expected = 0;
        int[] margin = {1, 0, 2, 0, 2};
        for (int r = 0; r < 5; r++) {
            for (int d = 0; d < 5; d++) {
                expected += (r - d) * (r - d) / 16.0 * (1 / 5.0) * (margin[d] / 5.0);
            }
        }
        assertEquals(1 - 0.025 / expected, c.quadraticWeightedKappa(), 1e-12);
    }

    @Test
    void countsUnderOverAndCriticalUnderTriage() {
        ConfusionMatrix c = new ConfusionMatrix();
        c.add(1, 4); // critical under-triage
        c.add(2, 5); // critical under-triage
        c.add(2, 3); // under-triage, not critical
        c.add(3, 4); // under-triage
        c.add(4, 2); // over-triage
        c.add(5, 5);
        assertEquals(4, c.underTriage());
        assertEquals(4 / 6.0, c.underTriageRate(), 1e-12);
        assertEquals(1 / 6.0, c.overTriageRate(), 1e-12);
        assertEquals(2, c.criticalUnderTriage());
        assertEquals(3, c.highAcuity());
        assertEquals(2 / 3.0, c.criticalUnderTriageRate(), 1e-12);
    }

    @Test
    void meanCostUsesTheMatrix() {
        CostMatrix costs = CostMatrix.of(new double[][] {
                {0, 4, 8, 10, 12}, {1, 0, 4, 8, 10}, {2, 1, 0, 2, 4}, {3, 2, 1, 0, 2}, {4, 3, 2, 1, 0}});
        ConfusionMatrix c = new ConfusionMatrix();
        c.add(1, 4);
        c.add(4, 1);
        assertEquals((10 + 3) / 2.0, c.meanCost(costs), 1e-12);
    }
}
