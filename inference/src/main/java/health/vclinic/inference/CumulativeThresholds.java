package health.vclinic.inference;

import java.util.List;

/**
 * A decision rule for ordered levels: decide the most urgent level {@code k} whose cumulative
 * probability {@code P(level <= k)} ("at least this urgent") reaches its threshold {@code t[k]}, else
 * level 5. Each threshold is a separate operating point on one of the four "at least this urgent"
 * questions of an ordinal model (McCullagh, "Regression models for ordinal data", JRSS B 1980); the
 * training pipeline chooses them to a safety constraint (critical under-triage no higher than the
 * nurses') and writes them on the model card.
 *
 * @param thresholds four values in (0, 1], for levels 1 to 4
 */
public record CumulativeThresholds(List<Double> thresholds) {

    public static final String METHOD = "cumulative-thresholds";

    public CumulativeThresholds {
        thresholds = List.copyOf(thresholds);
        if (thresholds.size() != TriageLevel.values().length - 1) {
            throw new IllegalArgumentException("cumulative thresholds: one for each of levels 1-4, not " + thresholds.size());
        }
        for (double t : thresholds) {
            if (!(t > 0 && t <= 1)) {
                throw new IllegalArgumentException("cumulative thresholds must lie in (0, 1], found " + t);
            }
        }
    }

    /**
     * The decided level.
     *
     * @param probabilities one per level, level 1 first
     */
    public TriageLevel decide(double[] probabilities) {
        if (probabilities.length != TriageLevel.values().length) {
            throw new IllegalArgumentException("one probability per triage level");
        }
        double cumulative = 0;
        for (int k = 0; k < thresholds.size(); k++) {
            cumulative += probabilities[k];
            if (cumulative >= thresholds.get(k)) {
                return TriageLevel.of(k + 1);
            }
        }
        return TriageLevel.NON_URGENT;
    }
}
