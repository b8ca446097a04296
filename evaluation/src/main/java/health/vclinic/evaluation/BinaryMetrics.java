package health.vclinic.evaluation;

import health.vclinic.inference.metrics.Auroc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Discrimination and calibration of a score for a binary outcome (here: the expert's level is 1-2).
 */
public final class BinaryMetrics {

    /** A point of a ROC curve. */
    public record RocPoint(double falsePositiveRate, double truePositiveRate) {
    }

    /**
     * One bin of a reliability diagram.
     *
     * @param meanPredicted the mean predicted probability of the cases in the bin
     * @param observed the fraction of them with the outcome
     */
    public record Bin(double low, double high, int count, double meanPredicted, double observed) {
    }

    /**
     * A percentile bootstrap interval.
     *
     * @param resamples the resamples that had both outcomes (the others have no AUROC)
     */
    public record Interval(double low, double high, int resamples) {
    }

    private BinaryMetrics() {
    }

    /**
     * Percentile bootstrap 95 % intervals of the AUROC of several scores on the same resamples (Efron
     * and Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13).
     *
     * @param scores one score array per predictor
     */
    public static Interval[] aurocIntervals(boolean[] positive, List<double[]> scores, int resamples, long seed) {
        int n = positive.length;
        SplittableRandom random = new SplittableRandom(seed);
        List<List<Double>> values = new ArrayList<>();
        scores.forEach(s -> values.add(new ArrayList<>(resamples)));
        boolean[] p = new boolean[n];
        double[][] s = new double[scores.size()][n];
        for (int b = 0; b < resamples; b++) {
            for (int i = 0; i < n; i++) {
                int pick = random.nextInt(n);
                p[i] = positive[pick];
                for (int k = 0; k < scores.size(); k++) {
                    s[k][i] = scores.get(k)[pick];
                }
            }
            for (int k = 0; k < scores.size(); k++) {
                double auc = Auroc.of(p, s[k]);
                if (!Double.isNaN(auc)) {
                    values.get(k).add(auc);
                }
            }
        }
        Interval[] intervals = new Interval[scores.size()];
        for (int k = 0; k < scores.size(); k++) {
            double[] sorted = values.get(k).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            intervals[k] = sorted.length == 0 ? new Interval(Double.NaN, Double.NaN, 0)
                    : new Interval(percentile(sorted, 0.025), percentile(sorted, 0.975), sorted.length);
        }
        return intervals;
    }

    /** The ROC curve: one point per distinct score threshold, from (0,0) to (1,1). */
    public static List<RocPoint> roc(boolean[] positive, double[] score) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> score[i]).reversed());
        long positives = 0;
        for (boolean b : positive) {
            if (b) {
                positives++;
            }
        }
        long negatives = positive.length - positives;
        List<RocPoint> points = new ArrayList<>();
        points.add(new RocPoint(0, 0));
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < order.length; i++) {
            if (positive[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            if (i + 1 == order.length || score[order[i + 1]] != score[order[i]]) {
                points.add(new RocPoint(negatives == 0 ? 0 : fp / (double) negatives,
                        positives == 0 ? 0 : tp / (double) positives));
            }
        }
        return points;
    }

    /** Reliability diagram bins: {@code bins} equal-width bins over [0, 1], empty bins left out. */
    public static List<Bin> reliability(boolean[] positive, double[] probability, int bins) {
        int[] count = new int[bins];
        double[] predicted = new double[bins];
        int[] observed = new int[bins];
        for (int i = 0; i < probability.length; i++) {
            int b = Math.min(bins - 1, (int) (probability[i] * bins));
            count[b]++;
            predicted[b] += probability[i];
            observed[b] += positive[i] ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                out.add(new Bin(b / (double) bins, (b + 1) / (double) bins, count[b], predicted[b] / count[b],
                        observed[b] / (double) count[b]));
            }
        }
        return out;
    }

    /**
     * Expected calibration error (Naeini et al., AAAI 2015): the count-weighted mean of |observed -
     * predicted| over the reliability bins.
     */
    public static double expectedCalibrationError(List<Bin> bins) {
        int total = bins.stream().mapToInt(Bin::count).sum();
        double sum = 0;
        for (Bin b : bins) {
            sum += b.count() * Math.abs(b.observed() - b.meanPredicted());
        }
        return total == 0 ? Double.NaN : sum / total;
    }

    /**
     * Multi-class Brier score (Brier, Monthly Weather Review 1950): the mean over cases of the squared
     * distance between the probability vector and the one-hot true level; 0 is perfect, 2 the worst.
     */
    static double brier(double[][] probabilities, int[] levels) {
        double sum = 0;
        for (int i = 0; i < levels.length; i++) {
            for (int l = 0; l < probabilities[i].length; l++) {
                double y = levels[i] == l + 1 ? 1 : 0;
                sum += (probabilities[i][l] - y) * (probabilities[i][l] - y);
            }
        }
        return sum / levels.length;
    }

    private static double percentile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
