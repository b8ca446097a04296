package health.vclinic.inference.monitoring;

import java.util.Arrays;

/**
 * The beat model's output for one heartbeat: a probability for each ECG5000 class.
 *
 * @param probabilities five probabilities summing to 1, for UCR classes 1 (normal), 2 (R-on-T
 *     premature ventricular contraction), 3 (premature ventricular contraction), 4 (supraventricular
 *     premature or ectopic beat) and 5 (unclassified beat)
 */
public record BeatPrediction(float[] probabilities) {

    /** Number of classes. */
    public static final int CLASSES = 5;
    /** Plain names of the UCR classes, index 0 = class 1. */
    public static final String[] CLASS_NAMES = {"normal", "R-on-T premature ventricular contraction",
            "premature ventricular contraction", "supraventricular ectopic beat", "unclassified beat"};

    public BeatPrediction {
        if (probabilities.length != CLASSES) {
            throw new IllegalArgumentException("a beat prediction has " + CLASSES + " probabilities");
        }
        probabilities = probabilities.clone();
    }

    @Override
    public float[] probabilities() {
        return probabilities.clone();
    }

    /** The most probable UCR class, 1 to 5. */
    public int predictedClass() {
        int best = 0;
        for (int i = 1; i < CLASSES; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best + 1;
    }

    /** Probability that the beat is not normal (classes 2 to 5): 1 - P(class 1). */
    public double abnormalProbability() {
        return 1.0 - probabilities[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BeatPrediction p && Arrays.equals(probabilities, p.probabilities);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(probabilities);
    }

    @Override
    public String toString() {
        return "BeatPrediction" + Arrays.toString(probabilities);
    }
}
