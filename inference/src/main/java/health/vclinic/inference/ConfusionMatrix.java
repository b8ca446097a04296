package health.vclinic.inference;

import health.vclinic.inference.metrics.CohenKappa;
import java.util.Arrays;

/**
 * Agreement between a reference triage level (the expert's) and a decided one, as counts per pair of
 * levels, with the measures triage studies report. Under-triage is deciding a less urgent level than
 * the reference (a higher number); critical under-triage is a reference level 1-2 decided as 4-5.
 *
 * <p>Mutable while counts are added; not thread safe.
 */
public final class ConfusionMatrix {

    private static final int LEVELS = TriageLevel.values().length;

    /** counts[reference - 1][decided - 1]. */
    private final long[][] counts = new long[LEVELS][LEVELS];

    public void add(TriageLevel reference, TriageLevel decided) {
        counts[reference.level() - 1][decided.level() - 1]++;
    }

    public void add(int reference, int decided) {
        add(TriageLevel.of(reference), TriageLevel.of(decided));
    }

    public long count(int reference, int decided) {
        return counts[reference - 1][decided - 1];
    }

    /** A copy of the counts, rows by reference level. */
    public long[][] counts() {
        return Arrays.stream(counts).map(long[]::clone).toArray(long[][]::new);
    }

    public long total() {
        return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }

    public double accuracy() {
        long agree = 0;
        for (int i = 0; i < LEVELS; i++) {
            agree += counts[i][i];
        }
        return ratio(agree, total());
    }

    /** Decided less urgent than the reference, as a fraction of all cases. */
    public double underTriageRate() {
        return ratio(underTriage(), total());
    }

    public long underTriage() {
        long n = 0;
        for (int r = 0; r < LEVELS; r++) {
            for (int d = r + 1; d < LEVELS; d++) {
                n += counts[r][d];
            }
        }
        return n;
    }

    /** Decided more urgent than the reference, as a fraction of all cases. */
    public double overTriageRate() {
        long n = 0;
        for (int r = 0; r < LEVELS; r++) {
            for (int d = 0; d < r; d++) {
                n += counts[r][d];
            }
        }
        return ratio(n, total());
    }

    /** Reference level 1 or 2 decided as 4 or 5. */
    public long criticalUnderTriage() {
        long n = 0;
        for (int r = 0; r < 2; r++) {
            for (int d = 3; d < LEVELS; d++) {
                n += counts[r][d];
            }
        }
        return n;
    }

    /** Cases whose reference level is 1 or 2. */
    public long highAcuity() {
        return Arrays.stream(counts[0]).sum() + Arrays.stream(counts[1]).sum();
    }

    /** {@link #criticalUnderTriage()} as a fraction of {@link #highAcuity()}. */
    public double criticalUnderTriageRate() {
        return ratio(criticalUnderTriage(), highAcuity());
    }

    /**
     * Unweighted mean of the per-level F1 scores, over the levels that occur as reference or decision
     * (a level absent from both has no defined F1 and is left out).
     */
    public double macroF1() {
        double sum = 0;
        int levels = 0;
        for (int l = 0; l < LEVELS; l++) {
            long tp = counts[l][l];
            long reference = Arrays.stream(counts[l]).sum();
            long decided = 0;
            for (int r = 0; r < LEVELS; r++) {
                decided += counts[r][l];
            }
            if (reference + decided == 0) {
                continue;
            }
            sum += 2.0 * tp / (reference + decided);
            levels++;
        }
        return levels == 0 ? Double.NaN : sum / levels;
    }

    /**
     * Cohen's kappa with quadratic weights (Cohen, Psychological Bulletin 1968), the agreement measure
     * of the KTAS validation studies; see {@link CohenKappa}.
     */
    public double quadraticWeightedKappa() {
        return CohenKappa.quadraticWeighted(counts);
    }

    /** The mean cost per case under {@code costs}. */
    public double meanCost(CostMatrix costs) {
        double sum = 0;
        for (int r = 0; r < LEVELS; r++) {
            for (int d = 0; d < LEVELS; d++) {
                sum += counts[r][d] * costs.cost(TriageLevel.of(r + 1), TriageLevel.of(d + 1));
            }
        }
        return ratio(sum, total());
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
