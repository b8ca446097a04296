package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PriorShiftTest {

    /**
     * A calibrated two-level classifier on a one-dimensional Gaussian feature (levels at -1 and +1, unit
     * variance) trained where both levels are equally common; at the new site level 1 is 80% of visits.
     * EM on the posteriors alone must recover the new prevalence.
     */
    @Test
    void recoversAShiftedPrevalenceFromCalibratedPosteriorsAlone() {
        Random random = new Random(2002);
        double[] training = {0.5, 0.5};
        List<double[]> posteriors = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            boolean first = random.nextDouble() < 0.8;
            double x = (first ? -1 : 1) + random.nextGaussian();
            double a = Math.exp(-0.5 * (x + 1) * (x + 1));
            double b = Math.exp(-0.5 * (x - 1) * (x - 1));
            posteriors.add(new double[] {a / (a + b), b / (a + b)});
        }
        PriorShift.Result result = PriorShift.estimate(posteriors.toArray(double[][]::new), training);
        assertEquals(0.8, result.priors()[0], 0.02);
        assertEquals(1.0, result.priors()[0] + result.priors()[1], 1e-9);
    }

    @Test
    void leavesProbabilitiesAloneWhenThePrevalenceHasNotMoved() {
        double[][] p = {{0.9, 0.1}, {0.1, 0.9}};
        PriorShift.Result result = PriorShift.estimate(p, new double[] {0.5, 0.5});
        assertArrayEquals(new double[] {0.5, 0.5}, result.priors(), 1e-9);
        assertArrayEquals(p[0], result.adjusted()[0], 1e-9);
    }
}
