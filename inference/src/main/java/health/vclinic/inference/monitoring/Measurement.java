package health.vclinic.inference.monitoring;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * One value an alert rests on, e.g. smoothed heart rate 118 /min scoring 2 NEWS2 points, or heart-rate
 * slope +4.1 /min per hour.
 *
 * @param name a stable identifier ({@code heart_rate}, {@code heart_rate_slope_per_h}, {@code news2_total})
 * @param value the value, finite
 * @param unit its unit ({@code /min}, {@code %}, empty when unitless)
 * @param points NEWS2 points for this value, when it was scored
 */
public record Measurement(String name, double value, String unit, OptionalInt points) {

    public Measurement {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(points, "points");
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite");
        }
    }

    public static Measurement of(String name, double value, String unit) {
        return new Measurement(name, value, unit, OptionalInt.empty());
    }
}
