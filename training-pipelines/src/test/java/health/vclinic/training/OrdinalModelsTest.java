package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.CostMatrix;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.features.TriageFeatures;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The two ordinal families, fitted on the training site: their hand-written ONNX graphs must reproduce
 * their own probabilities in ONNX Runtime on the test site, and the cumulative-logit model's
 * explanations must be exact (contributions plus intercept equal the urgency score).
 */
class OrdinalModelsTest {

    private static final Fixtures.KtasSites SITES = Fixtures.KtasSites.read();
    private static final TrainingConfig CONFIG = SITES.config();
    private static final List<TriageTable.Case> TEST = SITES.test();
    private static final TriageTable TABLE = SITES.table();
    private static final double[][] X = SITES.x();
    private static final int[] Y = SITES.y();

    private static TriageModelSpec spec(boolean exact) {
        return new TriageModelSpec("input", "output", List.of(1, 2, 3, 4, 5), TriageFeatures.VERSION, TABLE.used(),
                TABLE.features().vocabulary(), 1, CostMatrix.of(CONFIG.costs().toArray()), exact, Optional.empty());
    }

    @Test
    void cumulativeLogitRunsInOnnxRuntimeAsFittedAndItsExplanationsAreExact() {
        OrdinalLogit model = OrdinalLogit.fit(X, Y, 1.0, 500);
        double[] cuts = model.cuts();
        for (int k = 1; k < cuts.length; k++) {
            assertTrue(cuts[k] > cuts[k - 1], "cut-points are ordered");
        }
        try (OnnxTriageModel served = OnnxTriageModel.load("triage-acuity@ordinal", model.toOnnx(), spec(true),
                Fixtures.RULES)) {
            for (TriageTable.Case c : TEST) {
                double[] fitted = model.probabilities(TABLE.row(c));
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                for (int l = 0; l < 5; l++) {
                    assertEquals(fitted[l], ort[l], 1e-5, c.visit().encounter().encounterId());
                }
                OnnxTriageModel.Explanation x = served.explain(c.visit().encounter(), c.findings());
                if (java.util.Arrays.stream(x.probabilities()).min().orElseThrow() < 1e-3) {
                    continue;
                }
                double sum = x.intercept() + x.contributions().stream().mapToDouble(OnnxTriageModel.Contribution::value).sum();
                // Exact in arithmetic; ONNX Runtime's float32 probabilities limit it, most where a level's
                // probability is tiny (a difference of cumulative probabilities near 1), so those are skipped.
                assertEquals(x.logit(), sum, 1e-3, "intercept + contributions = urgency score");
            }
        }
    }

    @Test
    void theChainRunsInOnnxRuntimeAsFittedWithMonotoneCumulativeProbabilities() {
        OrdinalChain model = OrdinalChain.fit(X, Y, 1.0, 500);
        try (OnnxTriageModel served = OnnxTriageModel.load("triage-acuity@chain", model.toOnnx(), spec(false),
                Fixtures.RULES)) {
            for (TriageTable.Case c : TEST) {
                double[] fitted = model.probabilities(TABLE.row(c));
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                double sum = 0;
                for (int l = 0; l < 5; l++) {
                    assertEquals(fitted[l], ort[l], 1e-5, c.visit().encounter().encounterId());
                    assertTrue(fitted[l] >= 0, "a probability is never negative");
                    sum += fitted[l];
                }
                assertEquals(1, sum, 1e-12);
            }
        }
    }

    @Test
    void fittingTwiceGivesIdenticalParameters() {
        assertEquals(java.util.Arrays.toString(OrdinalLogit.fit(X, Y, 3.0, 200).weights()),
                java.util.Arrays.toString(OrdinalLogit.fit(X, Y, 3.0, 200).weights()));
    }

    @Test
    void aStrongerPenaltyShrinksTheWeights() {
        double weak = norm(OrdinalLogit.fit(X, Y, 0.3, 500).weights());
        double strong = norm(OrdinalLogit.fit(X, Y, 30, 500).weights());
        assertTrue(strong < weak, strong + " < " + weak);
    }

    private static double norm(double[] w) {
        double s = 0;
        for (double v : w) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
