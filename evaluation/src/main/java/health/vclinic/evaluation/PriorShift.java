package health.vclinic.evaluation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Re-estimates the level prevalence of a new site from the model's probabilities alone, without its
 * labels, and adjusts the probabilities to it: the EM procedure of Saerens, Latinne and Decaestecker,
 * "Adjusting the outputs of a classifier to new a priori probabilities: a simple procedure", Neural
 * Computation 14 (2002). Each step reweights every visit's probabilities by new prior / training prior,
 * renormalises, and takes the mean as the next prior estimate. It assumes the levels' feature
 * distributions are the same at both sites (prior shift only) and calibrated probabilities.
 */
final class PriorShift {

    static final int MAX_ITERATIONS = 1000;
    static final double TOLERANCE = 1e-9;

    /**
     * @param priors the estimated prevalence at the new site, level 1 first
     * @param adjusted every visit's probabilities under those priors
     */
    record Result(double[] priors, double[][] adjusted, int iterations) {
        ObjectNode toJson(double[] trainingPriors) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("method", "EM re-estimation of level priors on the test site's model probabilities, without its"
                    + " labels (Saerens et al., Neural Computation 2002); decisions then use the card's rule unchanged");
            o.put("iterations", iterations);
            ArrayNode t = o.putArray("training_priors");
            ArrayNode e = o.putArray("estimated_test_priors");
            for (int l = 0; l < priors.length; l++) {
                t.add(round(trainingPriors[l]));
                e.add(round(priors[l]));
            }
            return o;
        }
    }

    private PriorShift() {
    }

    static Result estimate(double[][] probabilities, double[] trainingPriors) {
        int levels = trainingPriors.length;
        double[] priors = trainingPriors.clone();
        double[][] adjusted = new double[probabilities.length][levels];
        int iteration = 0;
        while (iteration < MAX_ITERATIONS) {
            iteration++;
            double[] next = new double[levels];
            reweight(probabilities, trainingPriors, priors, adjusted);
            for (double[] a : adjusted) {
                for (int l = 0; l < levels; l++) {
                    next[l] += a[l] / probabilities.length;
                }
            }
            double change = 0;
            for (int l = 0; l < levels; l++) {
                change = Math.max(change, Math.abs(next[l] - priors[l]));
            }
            priors = next;
            if (change < TOLERANCE) {
                break;
            }
        }
        reweight(probabilities, trainingPriors, priors, adjusted);
        return new Result(priors, adjusted, iteration);
    }

    /** Bayes' rule under new priors: p(y|x) * new(y) / old(y), renormalised, into {@code out}. */
    private static void reweight(double[][] probabilities, double[] old, double[] priors, double[][] out) {
        for (int i = 0; i < probabilities.length; i++) {
            double sum = 0;
            for (int l = 0; l < old.length; l++) {
                out[i][l] = probabilities[i][l] * priors[l] / old[l];
                sum += out[i][l];
            }
            for (int l = 0; l < old.length; l++) {
                out[i][l] /= sum;
            }
        }
    }

    private static double round(double v) {
        return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
    }
}
