package health.vclinic.inference.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The area under the ROC curve as the Mann-Whitney U statistic, ties counted one half (Hanley and
 * McNeil, "The meaning and use of the area under a receiver operating characteristic (ROC) curve",
 * Radiology 143:29-36, 1982): the probability that a random positive scores above a random negative.
 * Computed from average ranks in O(n log n); NaN scores rank above every number ({@link Double#compare}).
 */
public final class Auroc {

    private Auroc() {
    }

    /**
     * @param positive the outcome of each case
     * @param score the score of each case, higher meaning more likely positive
     * @return the AUROC, or NaN when either class is absent (the statistic is undefined then)
     * @throws IllegalArgumentException when the arrays differ in length
     */
    public static double of(boolean[] positive, double[] score) {
        if (positive.length != score.length) {
            throw new IllegalArgumentException(
                    "AUROC: " + positive.length + " outcomes but " + score.length + " scores");
        }
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** As {@link #of(boolean[], double[])} with labels 1 (positive) and anything else (negative). */
    public static double of(int[] labels, double[] score) {
        boolean[] positive = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            positive[i] = labels[i] == 1;
        }
        return of(positive, score);
    }
}
