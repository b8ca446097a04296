package health.vclinic.inference.metrics;

/**
 * A proportion with its Wilson score 95% interval (E. B. Wilson, "Probable inference, the law of
 * succession, and statistical inference", JASA 22:209-212, 1927): unlike the Wald interval it stays
 * inside [0, 1] and keeps its coverage at small counts and near 0 or 1, where clinical sensitivities
 * live.
 *
 * @param successes the cases with the property
 * @param n all cases; when 0 the proportion and both bounds are NaN
 * @param proportion successes / n
 * @param low lower bound of the 95% interval
 * @param high upper bound of the 95% interval
 */
public record WilsonInterval(long successes, long n, double proportion, double low, double high) {

    /** The two-sided 97.5% standard normal quantile, to the precision the reports print. */
    public static final double Z95 = 1.959964;

    public WilsonInterval {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("Wilson interval: need 0 <= successes <= n, got " + successes
                    + " of " + n);
        }
    }

    /** The 95% interval of {@code successes} out of {@code n}. */
    public static WilsonInterval of(long successes, long n) {
        return of(successes, n, Z95);
    }

    /**
     * The interval for the standard normal quantile {@code z}: 1.96 for a two-sided 95% interval, 1.645
     * for a one-sided 95% bound (then only {@code high} or {@code low} is used).
     */
    public static WilsonInterval of(long successes, long n, double z) {
        double p = n == 0 ? Double.NaN : (double) successes / n;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return new WilsonInterval(successes, n, p, centre - half, centre + half);
    }
}
