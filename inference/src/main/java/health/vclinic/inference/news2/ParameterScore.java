package health.vclinic.inference.news2;

import java.util.Objects;

/**
 * Points given to one NEWS2 parameter.
 *
 * @param value the value as scored, after rounding to the chart's precision ("36.1", "on oxygen")
 * @param points 0 to 3
 */
public record ParameterScore(News2Parameter parameter, String value, int points) {
    public ParameterScore {
        Objects.requireNonNull(parameter, "parameter");
        Objects.requireNonNull(value, "value");
        if (points < 0 || points > 3) {
            throw new IllegalArgumentException("NEWS2 points are 0 to 3");
        }
    }
}
