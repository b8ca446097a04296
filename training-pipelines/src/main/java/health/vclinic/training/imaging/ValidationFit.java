package health.vclinic.training.imaging;

import health.vclinic.inference.imaging.CxrCalibration;
import health.vclinic.inference.metrics.GoldenSection;
import java.util.Arrays;

/**
 * What training fits on the validation split once the network is chosen: the temperature and the
 * operating point (the AUROC for early stopping is {@link health.vclinic.inference.metrics.Auroc}). Pure functions of (scores, labels), so deterministic.
 */
final class ValidationFit {

    private ValidationFit() {
    }

    /**
     * The temperature T that minimises the mean negative log-likelihood of {@code sigmoid(logit / T)}
     * (Guo et al. 2017), by golden-section search over log T in [1/20, 20]. The likelihood is convex in
     * 1/T, so the search finds the global minimum.
     */
    static double temperature(double[] logits, int[] labels) {
        return Math.exp(GoldenSection.minimise(logT -> nll(logits, labels, Math.exp(logT)), Math.log(0.05),
                Math.log(20), 100));
    }

    /** Mean binary cross-entropy of {@code sigmoid(logit / t)}, computed stably. */
    static double nll(double[] logits, int[] labels, double t) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double u = logits[i] / t;
            // -log sigmoid(u) = softplus(-u); -log(1 - sigmoid(u)) = softplus(u)
            sum += labels[i] == 1 ? softplus(-u) : softplus(u);
        }
        return sum / logits.length;
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /**
     * The operating point that maximises Youden's J = sensitivity + specificity - 1 (Youden, Cancer
     * 3:32-35, 1950) on calibrated probabilities. J does not depend on prevalence, so the threshold
     * does not chase the validation split's 74% pneumonia rate. Candidate thresholds lie midway between
     * consecutive distinct probabilities; when several give the same J, the middle one is taken, away
     * from either edge of the plateau.
     */
    static double youdenThreshold(double[] probabilities, int[] labels) {
        double[] distinct = Arrays.stream(probabilities).distinct().sorted().toArray();
        if (distinct.length < 2) {
            return CxrCalibration.IDENTITY.threshold();
        }
        long positives = Arrays.stream(labels).filter(l -> l == 1).count();
        long negatives = labels.length - positives;
        double best = Double.NEGATIVE_INFINITY;
        java.util.List<Double> ties = new java.util.ArrayList<>();
        for (int i = 1; i < distinct.length; i++) {
            double threshold = (distinct[i - 1] + distinct[i]) / 2;
            long tp = 0;
            long fp = 0;
            for (int k = 0; k < probabilities.length; k++) {
                if (probabilities[k] >= threshold) {
                    if (labels[k] == 1) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            double j = (double) tp / positives - (double) fp / negatives;
            if (j > best + 1e-12) {
                best = j;
                ties.clear();
                ties.add(threshold);
            } else if (Math.abs(j - best) <= 1e-12) {
                ties.add(threshold);
            }
        }
        double chosen = ties.get(ties.size() / 2);
        return Math.min(0.999, Math.max(0.001, chosen));
    }
}
