package health.vclinic.datasets.monitoring;

import health.vclinic.datasets.InvalidInputException;
import java.util.Arrays;

/**
 * One heartbeat as a wearable ECG sends it: a single beat, segmented around the R peak and resampled
 * to {@value #LENGTH} points, the format of the UCR ECG5000 beats (Dau et al., The UCR Time Series
 * Archive, 2019). Amplitudes are in the device's units; the beat model z-normalises each beat itself,
 * as the UCR archive does, so gain differences between devices do not matter.
 *
 * <p>Immutable: the samples are copied in and out.
 */
public final class EcgBeat {

    /** Points per beat (ECG5000). */
    public static final int LENGTH = 140;

    /** Largest accepted absolute amplitude: far beyond any real ECG in mV or in z-units. */
    public static final float MAX_ABS_AMPLITUDE = 1.0e4f;

    private final float[] samples;

    private EcgBeat(float[] samples) {
        this.samples = samples;
    }

    /**
     * @throws InvalidInputException naming {@code field} when the beat does not have {@value #LENGTH}
     *     finite points within {@link #MAX_ABS_AMPLITUDE}
     */
    public static EcgBeat of(float[] samples, String field) {
        if (samples.length != LENGTH) {
            throw new InvalidInputException(field, "must have exactly " + LENGTH
                    + " points (one beat resampled to the ECG5000 length), or none");
        }
        for (float v : samples) {
            if (!(Math.abs(v) <= MAX_ABS_AMPLITUDE)) {
                throw new InvalidInputException(field, "must hold finite amplitudes within +/-" + (int) MAX_ABS_AMPLITUDE);
            }
        }
        return new EcgBeat(samples.clone());
    }

    /** A copy of the points. */
    public float[] samples() {
        return samples.clone();
    }

    /** The point at {@code index}, 0 to {@value #LENGTH} - 1. */
    public float at(int index) {
        return samples[index];
    }

    /** Copies the points into {@code target} from {@code offset} (no allocation on the serving path). */
    public void copyTo(float[] target, int offset) {
        System.arraycopy(samples, 0, target, offset, LENGTH);
    }

    /** Population standard deviation of the points; about 0 for a flat line (electrode off). */
    public double std() {
        double sum = 0;
        double sumSq = 0;
        for (float v : samples) {
            sum += v;
            sumSq += (double) v * v;
        }
        double mean = sum / LENGTH;
        return Math.sqrt(Math.max(0, sumSq / LENGTH - mean * mean));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EcgBeat other && Arrays.equals(samples, other.samples);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return "EcgBeat[" + LENGTH + " points]";
    }
}
