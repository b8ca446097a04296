package health.vclinic.training;

import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.inference.CumulativeThresholds;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the four thresholds of a {@link CumulativeThresholds} rule to a safety constraint, on
 * out-of-fold probabilities of the training site and on what the service answers: the most urgent of
 * the model's level and the rule floors (so over-triage the floors cause is counted, and the model is
 * not pushed to repeat what a floor already does).
 *
 * <p>The rule, fixed before the test site was read: (1) critical under-triage (expert level 1-2
 * decided 4-5) at most {@code criticalBound} visits (the pipeline sets it so that its out-of-sample rate, (bound + 1)
 * / (n + 1), is no higher than the nurses' rate on the same visits); (2)
 * mistriage (over- plus under-triage) within {@code tolerance} of the lowest mistriage any point
 * meeting (1) reaches, so over-triage is not bought with under-triage of levels 3 to 5; (3) among
 * those, the least over-triage; ties: more exact agreement, then the earlier point in the search. The
 * search is a grid (0.05 to 0.95 by 0.05 for each threshold) refined once around its best point
 * (by 0.01, plus or minus 0.04).
 */
final class OperatingPoint {

    /** A chosen point and its out-of-fold confusion matrix (fused with the floors). */
    record Chosen(CumulativeThresholds thresholds, ConfusionMatrix confusion) {
    }

    private record Tally(int critical, int over, int under, int exact) {
    }

    private final double[][] cumulative;
    private final int[] expert;
    private final int[] floor;

    /**
     * @param probabilities calibrated level probabilities per visit, level 1 first
     * @param floor the rules' level per visit (5 when no floor applies)
     */
    OperatingPoint(double[][] probabilities, int[] expert, int[] floor) {
        this.cumulative = new double[probabilities.length][4];
        for (int i = 0; i < probabilities.length; i++) {
            double c = 0;
            for (int k = 0; k < 4; k++) {
                c += probabilities[i][k];
                cumulative[i][k] = c;
            }
        }
        this.expert = expert.clone();
        this.floor = floor.clone();
    }

    /** The lowest mistriage (visits) any point with at most {@code criticalBound} critical under-triage reaches. */
    int bestMistriage(int criticalBound) {
        return search(criticalBound, Integer.MAX_VALUE, true, DEFAULT_CENTRE).map(t -> {
            Tally tally = tally(t);
            return tally.over() + tally.under();
        }).orElse(Integer.MAX_VALUE);
    }

    /**
     * The point of least over-triage with mistriage at most {@code maxMistriage}; empty when none. The
     * search also refines around the point of least mistriage, which may lie between grid points.
     */
    Optional<Chosen> leastOverTriage(int criticalBound, int maxMistriage) {
        double[] centre = search(criticalBound, Integer.MAX_VALUE, true, DEFAULT_CENTRE).orElse(DEFAULT_CENTRE);
        Optional<double[]> coarse = search(criticalBound, maxMistriage, false, DEFAULT_CENTRE);
        double[] near = grid(criticalBound, maxMistriage, false, centre, 0.01, 4, false);
        Optional<double[]> best = coarse;
        if (near != null && (coarse.isEmpty() || better(tally(near), tally(coarse.get()), false))) {
            best = Optional.of(near);
        }
        return best.map(t -> {
            ConfusionMatrix c = new ConfusionMatrix();
            for (int i = 0; i < expert.length; i++) {
                c.add(expert[i], decide(i, t));
            }
            return new Chosen(new CumulativeThresholds(List.of(t[0], t[1], t[2], t[3])), c);
        });
    }

    private static final double[] DEFAULT_CENTRE = {0.5, 0.5, 0.5, 0.5};

    private Optional<double[]> search(int criticalBound, int maxMistriage, boolean byMistriage, double[] start) {
        double[] best = grid(criticalBound, maxMistriage, byMistriage, start, 0.05, 9, true);
        if (best == null) {
            return Optional.empty();
        }
        double[] refined = grid(criticalBound, maxMistriage, byMistriage, best, 0.01, 4, false);
        return Optional.of(refined == null ? best : refined);
    }

    /** Every point centre +- radius steps (or the whole 0.05-0.95 grid), the best by the objective. */
    private double[] grid(int criticalBound, int maxMistriage, boolean byMistriage, double[] centre, double step,
                          int radius, boolean whole) {
        double[] best = null;
        Tally bestTally = null;
        int span = whole ? 19 : 2 * radius + 1;
        double[] t = new double[4];
        for (int a = 0; a < span; a++) {
            for (int b = 0; b < span; b++) {
                for (int c = 0; c < span; c++) {
                    for (int d = 0; d < span; d++) {
                        int[] idx = {a, b, c, d};
                        boolean valid = true;
                        for (int k = 0; k < 4; k++) {
                            t[k] = whole ? 0.05 * (idx[k] + 1) : centre[k] + step * (idx[k] - radius);
                            t[k] = Math.round(t[k] * 100) / 100.0;
                            valid &= t[k] > 0 && t[k] <= 1;
                        }
                        if (!valid) {
                            continue;
                        }
                        Tally tally = tally(t);
                        if (tally.critical() > criticalBound || tally.over() + tally.under() > maxMistriage) {
                            continue;
                        }
                        if (bestTally == null || better(tally, bestTally, byMistriage)) {
                            best = t.clone();
                            bestTally = tally;
                        }
                    }
                }
            }
        }
        return best;
    }

    private static boolean better(Tally a, Tally b, boolean byMistriage) {
        int primaryA = byMistriage ? a.over() + a.under() : a.over();
        int primaryB = byMistriage ? b.over() + b.under() : b.over();
        if (primaryA != primaryB) {
            return primaryA < primaryB;
        }
        return a.exact() > b.exact();
    }

    private Tally tally(double[] t) {
        int critical = 0;
        int over = 0;
        int under = 0;
        int exact = 0;
        for (int i = 0; i < expert.length; i++) {
            int level = decide(i, t);
            if (level < expert[i]) {
                over++;
            } else if (level > expert[i]) {
                under++;
                if (expert[i] <= 2 && level >= 4) {
                    critical++;
                }
            } else {
                exact++;
            }
        }
        return new Tally(critical, over, under, exact);
    }

    /** The fused level: the model's by the thresholds, raised to the rules' floor. */
    private int decide(int i, double[] t) {
        int model = 5;
        for (int k = 0; k < 4; k++) {
            if (cumulative[i][k] >= t[k]) {
                model = k + 1;
                break;
            }
        }
        return Math.min(model, floor[i]);
    }
}
