package health.vclinic.inference.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each metric against an independent computation: Smile's AUC and a brute-force pair count for the
 * AUROC, published worked examples for the Wilson interval and the weighted kappa, a closed-form
 * minimum for golden-section search.
 */
class MetricsCrossCheckTest {

    /** Every (positive, negative) pair: 1 when the positive scores higher, 1/2 on a tie. */
    private static double pairwiseAuroc(boolean[] positive, double[] score) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < score.length; i++) {
            for (int j = 0; j < score.length; j++) {
                if (positive[i] && !positive[j]) {
                    pairs++;
                    wins += score[i] > score[j] ? 1 : score[i] == score[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    @Test
    void aurocAgreesWithSmileAndWithCountingEveryPair() {
        SplittableRandom random = new SplittableRandom(1982);
        for (int trial = 0; trial < 50; trial++) {
            int n = 20 + random.nextInt(300);
            boolean[] positive = new boolean[n];
            int[] truth = new int[n];
            double[] score = new double[n];
            for (int i = 0; i < n; i++) {
                positive[i] = random.nextDouble() < 0.3;
                truth[i] = positive[i] ? 1 : 0;
                // Coarse scores on odd trials, so that ties between classes are common.
                double s = random.nextDouble() + (positive[i] ? 0.3 : 0);
                score[i] = trial % 2 == 1 ? Math.round(s * 5) / 5.0 : s;
            }
            positive[0] = true;
            positive[1] = false;
            truth[0] = 1;
            truth[1] = 0;
            double ours = Auroc.of(positive, score);
            assertEquals(pairwiseAuroc(positive, score), ours, 1e-12, "trial " + trial);
            assertEquals(smile.validation.metric.AUC.of(truth, score), ours, 1e-9, "trial " + trial);
            assertEquals(ours, Auroc.of(truth, score));
        }
    }

    @Test
    void aurocOfKnownCases() {
        assertEquals(1.0, Auroc.of(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.2, 0.8, 0.9}));
        assertEquals(0.875, Auroc.of(new int[] {0, 1, 0, 1}, new double[] {0.1, 0.5, 0.5, 0.9}), "a tie counts one half");
        assertTrue(Double.isNaN(Auroc.of(new int[] {1, 1}, new double[] {0.1, 0.2})), "no negatives: undefined");
        assertThrows(IllegalArgumentException.class, () -> Auroc.of(new int[] {1}, new double[] {0.1, 0.2}));
    }

    @Test
    void wilsonIntervalMatchesPublishedValues() {
        // Newcombe, Statistics in Medicine 17:857-872 (1998), Table I, method 3: 81/263 -> 0.2553 to 0.3662,
        // 15/148 -> 0.0624 to 0.1605, 0/20 -> 0 to 0.1611, 1/29 -> 0.0061 to 0.1718.
        assertInterval(WilsonInterval.of(81, 263), 0.2553, 0.3662);
        assertInterval(WilsonInterval.of(15, 148), 0.0624, 0.1605);
        assertInterval(WilsonInterval.of(0, 20), 0.0, 0.1611);
        assertInterval(WilsonInterval.of(1, 29), 0.0061, 0.1718);
        WilsonInterval all = WilsonInterval.of(10, 10);
        assertEquals(1.0, all.proportion());
        assertEquals(0.7225, all.low(), 5e-5);
        assertTrue(Double.isNaN(WilsonInterval.of(0, 0).proportion()));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(3, 2));
    }

    private static void assertInterval(WilsonInterval w, double low, double high) {
        assertEquals(low, w.low(), 5e-5, "low of " + w.successes() + "/" + w.n());
        assertEquals(high, w.high(), 5e-5, "high of " + w.successes() + "/" + w.n());
    }

    @Test
    void quadraticKappaMatchesHandComputedExamples() {
        // Perfect agreement is 1 whatever the margins.
        assertEquals(1.0, CohenKappa.quadraticWeighted(new long[][] {{5, 0, 0}, {0, 3, 0}, {0, 0, 2}}), 1e-12);
        // By hand: 10 cases, rows {2,1,1}, {0,3,0}, {1,0,2}; weights (i-j)^2/4 = 0, 1/4, 1.
        // Observed weighted disagreement (1*1/4 + 1*1 + 1*1) / 10 = 0.225. Margins: rows 4,3,3, columns 3,4,3;
        // expected (1/4*4*4 + 1*4*3 + 1/4*3*3 + 1/4*3*3 + 1*3*3 + 1/4*3*4) / 100 = 0.325.
        // kappa = 1 - 0.225 / 0.325 = 4/13.
        assertEquals(4.0 / 13, CohenKappa.quadraticWeighted(new long[][] {{2, 1, 1}, {0, 3, 0}, {1, 0, 2}}), 1e-12);
        // Worse than chance is negative: the raters reverse each other.
        assertEquals(-1.0, CohenKappa.quadraticWeighted(new long[][] {{0, 5}, {5, 0}}), 1e-12);
        SplittableRandom random = new SplittableRandom(1968);
        for (int trial = 0; trial < 20; trial++) {
            long[][] table = new long[5][5];
            for (long[] row : table) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = random.nextInt(30);
                }
            }
            assertEquals(handKappa(table), CohenKappa.quadraticWeighted(table), 1e-12, "trial " + trial);
        }
        assertTrue(Double.isNaN(CohenKappa.quadraticWeighted(new long[2][2])), "an empty table");
        assertThrows(IllegalArgumentException.class, () -> CohenKappa.quadraticWeighted(new long[][] {{1, 2}}));
    }

    /** The definition written out directly with proportions, a second derivation to compare against. */
    private static double handKappa(long[][] t) {
        int k = t.length;
        double n = 0;
        for (long[] row : t) {
            for (long c : row) {
                n += c;
            }
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double row = 0;
                double column = 0;
                for (int m = 0; m < k; m++) {
                    row += t[i][m] / n;
                    column += t[m][j] / n;
                }
                double v = (i - j) * (i - j);
                num += v * t[i][j] / n;
                den += v * row * column;
            }
        }
        return 1 - num / den;
    }

    @Test
    void goldenSectionFindsAKnownMinimum() {
        // Near a smooth minimum f changes by O(dx^2), so comparing values in doubles locates x only to about
        // sqrt(machine epsilon), 1e-8: the tolerance is 1e-7, not the 0.618^80 width of the final interval.
        assertEquals(Math.log(3), GoldenSection.minimise(x -> Math.exp(x) - 3 * x, -5, 5, 80), 1e-7);
        assertEquals(2.0, GoldenSection.minimise(x -> (x - 2) * (x - 2), 0, 10, 100), 1e-7);
        assertEquals(0.0, GoldenSection.minimise(Math::abs, -1, 4, 80), 1e-9, "a kink is fine");
        assertThrows(IllegalArgumentException.class, () -> GoldenSection.minimise(x -> x, 1, 1, 10));
    }
}
