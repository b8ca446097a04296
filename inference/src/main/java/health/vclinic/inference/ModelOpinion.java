package health.vclinic.inference;

import java.util.List;
import java.util.Objects;

/**
 * What a triage model says about a case: its level and, when calibrated, one probability per level
 * (index 0 is level 1).
 *
 * @param source the model and version, e.g. {@code model:triage-acuity@3}
 * @param reasons its explanation in plain words, most important first
 */
public record ModelOpinion(String source, TriageLevel level, List<Double> levelProbabilities, List<String> reasons) {
    public ModelOpinion {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(level, "level");
        levelProbabilities = List.copyOf(levelProbabilities);
        reasons = List.copyOf(reasons);
        if (!levelProbabilities.isEmpty() && levelProbabilities.size() != TriageLevel.values().length) {
            throw new IllegalArgumentException("one probability per triage level, or none");
        }
    }
}
