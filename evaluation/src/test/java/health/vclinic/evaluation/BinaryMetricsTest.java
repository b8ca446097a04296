package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.metrics.Auroc;
import java.util.List;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void aurocCountsTiesAsOneHalf() {
        // Positive scores 3 and 2, negative 2 and 1: pairs 3>2, 3>1, 2=2 (one half), 2>1 -> 3.5 of 4.
        boolean[] positive = {true, true, false, false};
        double[] score = {3, 2, 2, 1};
        assertEquals(0.875, Auroc.of(positive, score), 1e-12);
        assertEquals(Double.NaN, Auroc.of(new boolean[] {true, true}, new double[] {1, 2}));
    }

    @Test
    void theRocCurveRunsFromTheOriginToOneOneAndItsAreaIsTheAuroc() {
        boolean[] positive = {true, false, true, false, true, false};
        double[] score = {0.9, 0.8, 0.7, 0.4, 0.4, 0.1};
        List<BinaryMetrics.RocPoint> roc = BinaryMetrics.roc(positive, score);
        assertEquals(new BinaryMetrics.RocPoint(0, 0), roc.getFirst());
        assertEquals(new BinaryMetrics.RocPoint(1, 1), roc.getLast());
        double area = 0;
        for (int i = 1; i < roc.size(); i++) {
            area += (roc.get(i).falsePositiveRate() - roc.get(i - 1).falsePositiveRate())
                    * (roc.get(i).truePositiveRate() + roc.get(i - 1).truePositiveRate()) / 2;
        }
        assertEquals(Auroc.of(positive, score), area, 1e-12);
    }

    @Test
    void bootstrapIntervalsAreSeededAndHoldThePointEstimate() {
        int n = 300;
        boolean[] positive = new boolean[n];
        double[] score = new double[n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            positive[i] = random.nextDouble() < 0.3;
            score[i] = random.nextGaussian() + (positive[i] ? 1 : 0);
        }
        BinaryMetrics.Interval a = BinaryMetrics.aurocIntervals(positive, List.of(score), 500, 11)[0];
        BinaryMetrics.Interval b = BinaryMetrics.aurocIntervals(positive, List.of(score), 500, 11)[0];
        double point = Auroc.of(positive, score);
        assertEquals(a, b);
        assertTrue(a.low() < point && point < a.high(), a + " around " + point);
        assertEquals(500, a.resamples());
    }

    @Test
    void brierAndCalibrationErrorMatchHandComputedValues() {
        double[][] uniform = {{0.2, 0.2, 0.2, 0.2, 0.2}};
        // (0.2 - 1)^2 + 4 * 0.2^2 = 0.64 + 0.16
        assertEquals(0.8, BinaryMetrics.brier(uniform, new int[] {3}), 1e-12);
        assertEquals(0.0, BinaryMetrics.brier(new double[][] {{0, 1, 0, 0, 0}}, new int[] {2}), 1e-12);

        boolean[] positive = {true, false, true, true};
        double[] p = {0.05, 0.05, 0.95, 0.95};
        List<BinaryMetrics.Bin> bins = BinaryMetrics.reliability(positive, p, 10);
        assertEquals(2, bins.size());
        // Bin 0: predicted 0.05, observed 0.5; bin 9: predicted 0.95, observed 1.0.
        assertEquals((2 * 0.45 + 2 * 0.05) / 4, BinaryMetrics.expectedCalibrationError(bins), 1e-12);
    }
}
