package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChartsTest {

    @Test
    void aDrawnRocCurveKeepsItsEndsCornersAndAreaWithFarFewerPoints() {
        int n = 600;
        boolean[] positive = new boolean[n];
        double[] score = new double[n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            positive[i] = random.nextDouble() < 0.3;
            score[i] = random.nextGaussian() + (positive[i] ? 1 : 0);
        }
        List<BinaryMetrics.RocPoint> full = BinaryMetrics.roc(positive, score);
        List<BinaryMetrics.RocPoint> drawn = Charts.drawn(full);
        assertEquals(full.getFirst(), drawn.getFirst());
        assertEquals(full.getLast(), drawn.getLast());
        assertTrue(full.containsAll(drawn), "only points of the curve are drawn");
        assertTrue(drawn.size() * 3 < full.size(), drawn.size() + " of " + full.size() + " points drawn");
        assertEquals(area(full), area(drawn), 0.01, "the drawn curve encloses the same area to 0.01");
    }

    @Test
    void aCurveOfAFewPointsIsDrawnWhole() {
        List<BinaryMetrics.RocPoint> few = List.of(new BinaryMetrics.RocPoint(0, 0), new BinaryMetrics.RocPoint(0.2, 0.6),
                new BinaryMetrics.RocPoint(1, 1));
        assertEquals(few, Charts.drawn(few));
    }

    private static double area(List<BinaryMetrics.RocPoint> roc) {
        double area = 0;
        for (int i = 1; i < roc.size(); i++) {
            area += (roc.get(i).falsePositiveRate() - roc.get(i - 1).falsePositiveRate())
                    * (roc.get(i).truePositiveRate() + roc.get(i - 1).truePositiveRate()) / 2;
        }
        return area;
    }
}
