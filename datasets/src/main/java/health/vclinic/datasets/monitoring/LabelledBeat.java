package health.vclinic.datasets.monitoring;

import java.util.Objects;

/**
 * An ECG5000 beat with its label.
 *
 * @param index the row in the data set (0 to 4999; 0 to 499 are the official training split)
 * @param beat the 140 points
 * @param ucrClass the UCR class 1 to 5 (1 normal; 2 R-on-T PVC; 3 PVC; 4 supraventricular ectopic;
 *     5 unclassified), or 0 where only the normal/abnormal label is published here (the test split)
 * @param abnormal true for UCR classes 2 to 5
 */
public record LabelledBeat(int index, EcgBeat beat, int ucrClass, boolean abnormal) {

    public LabelledBeat {
        Objects.requireNonNull(beat, "beat");
        if (ucrClass < 0 || ucrClass > 5) {
            throw new IllegalArgumentException("UCR classes are 1 to 5 (0 = unknown)");
        }
        if (ucrClass != 0 && abnormal != (ucrClass != 1)) {
            throw new IllegalArgumentException("class " + ucrClass + " contradicts abnormal=" + abnormal);
        }
    }
}
