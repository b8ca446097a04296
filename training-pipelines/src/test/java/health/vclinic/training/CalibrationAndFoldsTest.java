package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationAndFoldsTest {

    @Test
    void temperatureScalingRecoversTheTemperatureThatMadeProbabilitiesOverconfident() {
        // Labels drawn from softmax(z); the model reports softmax(2z): over-confident by T = 2.
        SplittableRandom random = new SplittableRandom(1);
        int n = 20_000;
        double[][] reported = new double[n][];
        int[] levels = new int[n];
        for (int i = 0; i < n; i++) {
            double[] z = new double[5];
            for (int l = 0; l < 5; l++) {
                z[l] = random.nextGaussian();
            }
            double[] truth = Temperature.apply(softmax(z), 1);
            levels[i] = sample(truth, random.nextDouble());
            double[] doubled = new double[5];
            for (int l = 0; l < 5; l++) {
                doubled[l] = 2 * z[l];
            }
            reported[i] = softmax(doubled);
        }
        assertEquals(2.0, Temperature.fit(reported, levels), 0.1);
    }

    @Test
    void foldsAreStratifiedAndSeeded() {
        int[] labels = new int[103];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 10 ? 0 : i < 40 ? 1 : 2;
        }
        int[] folds = StratifiedFolds.assign(labels, 5, 42);
        assertArrayEquals(folds, StratifiedFolds.assign(labels, 5, 42));
        for (int label = 0; label < 3; label++) {
            int[] perFold = new int[5];
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == label) {
                    perFold[folds[i]]++;
                }
            }
            int min = java.util.Arrays.stream(perFold).min().orElseThrow();
            int max = java.util.Arrays.stream(perFold).max().orElseThrow();
            assertTrue(max - min <= 1, "class " + label + " spread over folds: " + java.util.Arrays.toString(perFold));
        }
    }

    private static double[] softmax(double[] z) {
        double max = java.util.Arrays.stream(z).max().orElseThrow();
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int sample(double[] p, double u) {
        double c = 0;
        for (int l = 0; l < p.length; l++) {
            c += p[l];
            if (u < c) {
                return l + 1;
            }
        }
        return p.length;
    }
}
