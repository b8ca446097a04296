package health.vclinic.inference.imaging;

/**
 * Turns the network's logit into a calibrated probability and a label.
 *
 * <p>Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017):
 * {@code p = sigmoid(logit / T)} with one {@code T > 0} fitted on the validation split by minimising
 * the negative log-likelihood; it changes confidence, never the ranking, so AUROC is unchanged. The
 * label is positive when {@code p >= threshold}, the operating point chosen on the validation split.
 *
 * @param temperature T, positive
 * @param threshold the probability at and above which the finding is reported, in (0, 1)
 */
public record CxrCalibration(double temperature, double threshold) {

    /** No scaling, threshold 0.5: what an uncalibrated network would report. */
    public static final CxrCalibration IDENTITY = new CxrCalibration(1, 0.5);

    public CxrCalibration {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("the temperature must be positive and finite");
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("the threshold must lie strictly between 0 and 1");
        }
    }

    /** The calibrated probability of the finding. */
    public double probability(double logit) {
        return sigmoid(logit / temperature);
    }

    /** Whether a calibrated probability is reported as the finding. */
    public boolean positive(double probability) {
        return probability >= threshold;
    }

    /** The logistic function, computed without overflow for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
