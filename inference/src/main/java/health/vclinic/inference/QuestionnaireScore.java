package health.vclinic.inference;

import java.util.List;
import java.util.Objects;

/**
 * A scored questionnaire.
 *
 * @param instrument "PHQ-9" or "GAD-7"
 * @param items the answers in item order (item 1 first)
 */
public record QuestionnaireScore(String instrument, List<Integer> items, int total, int maxTotal,
                                 Severity severity, String source) {
    public QuestionnaireScore {
        Objects.requireNonNull(instrument, "instrument");
        items = List.copyOf(items);
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(source, "source");
    }

    /** The answer to item {@code n}, counted from 1 as the published forms number them. */
    public int item(int n) {
        return items.get(n - 1);
    }
}
