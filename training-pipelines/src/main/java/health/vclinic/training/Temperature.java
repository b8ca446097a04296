package health.vclinic.training;

import health.vclinic.inference.metrics.GoldenSection;

/**
 * Temperature scaling (Guo et al., "On calibration of modern neural networks", ICML 2017): one number
 * T such that softmax(log p / T) minimises the negative log-likelihood of held-out labels. T > 1
 * softens over-confident probabilities, T < 1 sharpens timid ones; the ranking of levels never changes.
 */
final class Temperature {

    static final double MIN = 0.05;
    static final double MAX = 20;

    private Temperature() {
    }

    /**
     * Fits T by golden-section search ({@link GoldenSection}, 80 steps) on log T over [{@value #MIN}, {@value #MAX}].
     *
     * @param probabilities held-out probabilities, one row per case, level 1 first
     * @param levels the true level (1-5) of each case
     */
    static double fit(double[][] probabilities, int[] levels) {
        return Math.exp(GoldenSection.minimise(
                logT -> negativeLogLikelihood(probabilities, levels, Math.exp(logT)), Math.log(MIN), Math.log(MAX), 80));
    }

    /** softmax(log p / T), row by row. */
    static double[][] apply(double[][] probabilities, double temperature) {
        double[][] out = new double[probabilities.length][];
        for (int r = 0; r < probabilities.length; r++) {
            out[r] = apply(probabilities[r], temperature);
        }
        return out;
    }

    static double[] apply(double[] p, double temperature) {
        double[] z = new double[p.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < p.length; l++) {
            z[l] = Math.log(Math.max(p[l], Float.MIN_NORMAL)) / temperature;
            max = Math.max(max, z[l]);
        }
        double sum = 0;
        for (int l = 0; l < p.length; l++) {
            z[l] = Math.exp(z[l] - max);
            sum += z[l];
        }
        for (int l = 0; l < p.length; l++) {
            z[l] /= sum;
        }
        return z;
    }

    /** Mean negative log-likelihood of the true levels. */
    static double negativeLogLikelihood(double[][] probabilities, int[] levels, double temperature) {
        double sum = 0;
        for (int r = 0; r < probabilities.length; r++) {
            sum -= Math.log(Math.max(apply(probabilities[r], temperature)[levels[r] - 1], 1e-300));
        }
        return sum / probabilities.length;
    }
}
