package health.vclinic.inference.news2;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A NEWS2 result. When a parameter was not measured the total counts only the measured ones, so it is
 * a lower bound of the true score: {@link #complete()} says which it is.
 *
 * @param applicable false for children under 16, for whom NEWS2 is not validated
 * @param parameters the scored parameters, in chart order
 * @param missing the parameters that were not measured, in chart order
 * @param notes caveats to show with the score (pregnancy, scale 2 with unknown oxygen, age)
 */
public record News2Score(
        boolean applicable,
        int total,
        News2Band band,
        SpO2Scale scale,
        List<ParameterScore> parameters,
        List<News2Parameter> missing,
        List<String> notes) {

    public News2Score {
        Objects.requireNonNull(band, "band");
        Objects.requireNonNull(scale, "scale");
        parameters = List.copyOf(parameters);
        missing = List.copyOf(missing);
        notes = List.copyOf(notes);
        if (total < 0 || total > 20) {
            throw new IllegalArgumentException("a NEWS2 total is 0 to 20");
        }
    }

    public boolean complete() {
        return missing.isEmpty();
    }

    /** True when any single parameter scores 3 (the chart's "red score"). */
    public boolean anySingleThree() {
        return parameters.stream().anyMatch(p -> p.points() == 3);
    }

    /** The points of one parameter, when it was measured. */
    public Optional<ParameterScore> parameter(News2Parameter parameter) {
        for (ParameterScore p : parameters) {
            if (p.parameter() == parameter) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
