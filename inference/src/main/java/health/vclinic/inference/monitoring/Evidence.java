package health.vclinic.inference.monitoring;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What an alert rests on: the values, the stretch of the patient's data they come from, and for a
 * model the score and the threshold it crossed.
 *
 * @param measurements the values, in the detector's order
 * @param windowStart the earliest sample time the values draw on
 * @param windowEnd the latest sample time the values draw on (the triggering sample)
 * @param samples how many samples fell in that stretch
 * @param score a model's score, when a model decided
 * @param threshold the score's alert threshold, when a model decided
 */
public record Evidence(List<Measurement> measurements, Instant windowStart, Instant windowEnd, int samples,
                       OptionalDouble score, OptionalDouble threshold) {

    public Evidence {
        measurements = List.copyOf(measurements);
        Objects.requireNonNull(windowStart, "windowStart");
        Objects.requireNonNull(windowEnd, "windowEnd");
        Objects.requireNonNull(score, "score");
        Objects.requireNonNull(threshold, "threshold");
        if (windowEnd.isBefore(windowStart)) {
            throw new IllegalArgumentException("the window ends before it starts");
        }
        if (samples < 0) {
            throw new IllegalArgumentException("samples must not be negative");
        }
    }

    /** Evidence without a model score. */
    public static Evidence of(List<Measurement> measurements, Instant windowStart, Instant windowEnd, int samples) {
        return new Evidence(measurements, windowStart, windowEnd, samples, OptionalDouble.empty(), OptionalDouble.empty());
    }
}
