package health.vclinic.inference.metrics;

/**
 * Cohen's weighted kappa with quadratic weights (J. Cohen, "Weighted kappa: nominal scale agreement
 * with provision for scaled disagreement or partial credit", Psychological Bulletin 70:213-220,
 * 1968): {@code 1 - sum(w * observed) / sum(w * expected)} with {@code w = (i - j)^2 / (k - 1)^2},
 * where expected is the product of the two raters' margins. The agreement measure of the triage-scale
 * validation studies: a disagreement of two levels costs four times one of one level.
 */
public final class CohenKappa {

    private CohenKappa() {
    }

    /**
     * @param counts a k-by-k table, rows one rater (the reference), columns the other; k at least 2
     * @return the kappa, or NaN when the table is empty or the expected disagreement is 0 (both
     *     raters used one and the same category throughout)
     * @throws IllegalArgumentException when the table is not square or has a negative count
     */
    public static double quadraticWeighted(long[][] counts) {
        int k = counts.length;
        if (k < 2) {
            throw new IllegalArgumentException("kappa: need at least 2 categories, got " + k);
        }
        long n = 0;
        double[] rowMargin = new double[k];
        double[] columnMargin = new double[k];
        for (int r = 0; r < k; r++) {
            if (counts[r].length != k) {
                throw new IllegalArgumentException("kappa: row " + r + " has " + counts[r].length
                        + " columns, the table needs " + k);
            }
            for (int c = 0; c < k; c++) {
                if (counts[r][c] < 0) {
                    throw new IllegalArgumentException("kappa: negative count at " + r + "," + c);
                }
                n += counts[r][c];
                rowMargin[r] += counts[r][c];
                columnMargin[c] += counts[r][c];
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        double observed = 0;
        double expected = 0;
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                double w = (r - c) * (r - c) / (double) ((k - 1) * (k - 1));
                observed += w * counts[r][c] / n;
                expected += w * rowMargin[r] * columnMargin[c] / ((double) n * n);
            }
        }
        return expected == 0 ? Double.NaN : 1 - observed / expected;
    }
}
