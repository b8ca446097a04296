package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.CostMatrix;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.features.TriageFeatures;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The small network: its gradient is the derivative of its loss, it learns an interaction no linear model can,
 * a refit gives the same bytes, and its hand-written ONNX graph reproduces its probabilities in ONNX Runtime.
 */
class SmallNetworkTest {

    @Test
    void theGradientIsTheDerivativeOfTheLoss() {
        SmallNetwork.Layout layout = new SmallNetwork.Layout(3, 4);
        SplittableRandom random = new SplittableRandom(7);
        double[][] z = new double[12][3];
        int[] levels = new int[12];
        double[] weights = new double[12];
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < 3; j++) {
                z[i][j] = random.nextGaussian();
            }
            levels[i] = 1 + i % 5;
            weights[i] = 0.5 + random.nextDouble();
        }
        double[] p = new double[layout.size()];
        for (int k = 0; k < p.length; k++) {
            p[k] = random.nextGaussian() * 0.5;
        }
        double[] g = new double[p.length];
        SmallNetwork.loss(layout, z, levels, weights, 0.3, p, g);
        double[] scratch = new double[p.length];
        for (int k = 0; k < p.length; k++) {
            double[] up = p.clone();
            double[] down = p.clone();
            up[k] += 1e-6;
            down[k] -= 1e-6;
            double numeric = (SmallNetwork.loss(layout, z, levels, weights, 0.3, up, scratch)
                    - SmallNetwork.loss(layout, z, levels, weights, 0.3, down, scratch)) / 2e-6;
            assertEquals(numeric, g[k], 1e-5 * Math.max(1, Math.abs(numeric)), "parameter " + k);
        }
    }

    @Test
    void itLearnsAnInteractionThatNoLinearModelCan() {
        // Level 1 when exactly one of the two inputs is positive, else level 5: a linear score cannot separate
        // the two (exclusive or); the ordinal model fitted to the same rows is the control.
        SplittableRandom random = new SplittableRandom(11);
        int n = 400;
        double[][] x = new double[n][2];
        int[] y = new int[n];
        double[] ones = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = random.nextDouble() * 2 - 1;
            x[i][1] = random.nextDouble() * 2 - 1;
            y[i] = (x[i][0] > 0) != (x[i][1] > 0) ? 1 : 5;
            ones[i] = 1;
        }
        SmallNetwork network = SmallNetwork.fit(x, y, ones, 8, 0.01, 500, 20190917);
        int right = 0;
        for (int i = 0; i < n; i++) {
            double[] p = network.probabilities(x[i]);
            right += (p[0] > p[4]) == (y[i] == 1) ? 1 : 0;
        }
        assertTrue(right >= 0.95 * n, right + " of " + n + " right");
        double[][] x5 = x;
        int[] y5 = y.clone();
        // Every level must occur for the ordinal model: relabel three rows, which costs it at most 3.
        y5[0] = 2;
        y5[1] = 3;
        y5[2] = 4;
        OrdinalLogit linear = OrdinalLogit.fit(x5, y5, 0.01, 500);
        int linearRight = 0;
        for (int i = 0; i < n; i++) {
            double[] p = linear.probabilities(x[i]);
            linearRight += (p[0] > p[4]) == (y[i] == 1) ? 1 : 0;
        }
        assertTrue(linearRight < 0.8 * n, "the control: a linear score gets " + linearRight + " of " + n);
    }

    @Test
    void fittedOnTheTrainingSiteItRunsInOnnxRuntimeAsFittedAndARefitGivesTheSameBytes() {
        Fixtures.KtasSites sites = Fixtures.KtasSites.read();
        double[][] rows = sites.x();
        int[] levels = sites.y();
        double[] ones = new double[levels.length];
        Arrays.fill(ones, 1);
        TriageTable table = sites.table();
        TrainingConfig config = sites.config();
        List<TriageTable.Case> test = sites.test();
        SmallNetwork model = SmallNetwork.fit(rows, levels, ones, 8, 1.0, 100, 20190917);
        assertArrayEquals(model.toOnnx(), SmallNetwork.fit(rows, levels, ones, 8, 1.0, 100, 20190917).toOnnx(),
                "the same data and seed give the same file");
        TriageModelSpec spec = new TriageModelSpec("input", "output", List.of(1, 2, 3, 4, 5), TriageFeatures.VERSION,
                table.used(), table.features().vocabulary(), 1, CostMatrix.of(config.costs().toArray()), false,
                Optional.empty());
        try (OnnxTriageModel served = OnnxTriageModel.load("triage-acuity@network", model.toOnnx(), spec,
                Fixtures.RULES)) {
            for (TriageTable.Case c : test) {
                double[] fitted = model.probabilities(table.row(c));
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                for (int l = 0; l < 5; l++) {
                    assertEquals(fitted[l], ort[l], 1e-5, c.visit().encounter().encounterId());
                }
            }
        }
    }
}
