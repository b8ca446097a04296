package health.vclinic.inference;

import java.util.Arrays;
import java.util.List;

/**
 * The cost of deciding one triage level when another was right, and the decision rule that follows
 * from it: choose the level with the minimum expected cost under the model's probabilities, not the
 * most probable level (Bayes decision rule; Elkan, "The foundations of cost-sensitive learning",
 * IJCAI 2001). Under-triage (deciding a less urgent level than the true one) is meant to cost more
 * than over-triage, and under-triage of levels 1-2 the most; the matrix says how much, and lives in
 * the training configuration and the model card.
 *
 * <p>Immutable and thread safe.
 */
public final class CostMatrix {

    private static final int LEVELS = TriageLevel.values().length;

    /** costs[true level - 1][decided level - 1]. */
    private final double[][] costs;

    private CostMatrix(double[][] costs) {
        this.costs = costs;
    }

    /**
     * @param costs five rows (the true level, 1 first) of five columns (the decided level, 1 first);
     *     finite, non-negative, zero on the diagonal
     * @throws IllegalArgumentException naming the first entry that breaks a rule
     */
    public static CostMatrix of(double[][] costs) {
        if (costs.length != LEVELS) {
            throw new IllegalArgumentException("a triage cost matrix has 5 rows (true level 1-5), not " + costs.length);
        }
        double[][] copy = new double[LEVELS][];
        for (int t = 0; t < LEVELS; t++) {
            if (costs[t].length != LEVELS) {
                throw new IllegalArgumentException("cost matrix row " + (t + 1) + " must have 5 columns (decided level 1-5)");
            }
            for (int d = 0; d < LEVELS; d++) {
                double c = costs[t][d];
                if (!(c >= 0) || Double.isInfinite(c)) {
                    throw new IllegalArgumentException("cost of deciding level " + (d + 1) + " for true level " + (t + 1)
                            + " must be a finite number >= 0");
                }
                if (t == d && c != 0) {
                    throw new IllegalArgumentException("deciding the true level costs nothing: entry [" + (t + 1) + "]["
                            + (d + 1) + "] must be 0");
                }
            }
            copy[t] = costs[t].clone();
        }
        return new CostMatrix(copy);
    }

    /** The matrix from nested lists (as read from JSON), rows by true level. */
    public static CostMatrix of(List<List<Double>> costs) {
        return of(costs.stream().map(r -> r.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new));
    }

    /** The cost of deciding {@code decided} when {@code truth} was right. */
    public double cost(TriageLevel truth, TriageLevel decided) {
        return costs[truth.level() - 1][decided.level() - 1];
    }

    /**
     * Expected cost of deciding each level: {@code sum over t of p[t] * cost[t][d]}.
     *
     * @param probabilities one per level, level 1 first
     */
    public double[] expectedCosts(double[] probabilities) {
        if (probabilities.length != LEVELS) {
            throw new IllegalArgumentException("one probability per triage level");
        }
        double[] expected = new double[LEVELS];
        for (int d = 0; d < LEVELS; d++) {
            for (int t = 0; t < LEVELS; t++) {
                expected[d] += probabilities[t] * costs[t][d];
            }
        }
        return expected;
    }

    /** The level of minimum expected cost; on a tie, the more urgent level. */
    public TriageLevel decide(double[] probabilities) {
        double[] expected = expectedCosts(probabilities);
        int best = 0;
        for (int d = 1; d < LEVELS; d++) {
            if (expected[d] < expected[best]) {
                best = d;
            }
        }
        return TriageLevel.of(best + 1);
    }

    /** A copy of the matrix, rows by true level. */
    public double[][] toArray() {
        return Arrays.stream(costs).map(double[]::clone).toArray(double[][]::new);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CostMatrix other && Arrays.deepEquals(costs, other.costs);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(costs);
    }

    @Override
    public String toString() {
        return "CostMatrix" + Arrays.deepToString(costs);
    }
}
