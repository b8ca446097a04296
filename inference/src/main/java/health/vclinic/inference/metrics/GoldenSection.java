package health.vclinic.inference.metrics;

import java.util.function.DoubleUnaryOperator;

/**
 * Golden-section search for the minimum of a unimodal function on an interval (J. Kiefer,
 * "Sequential minimax search for a maximum", Proc. Amer. Math. Soc. 4:502-506, 1953): each step keeps
 * the sub-interval holding the lower of two interior points placed at the golden ratio, so one new
 * evaluation per step shrinks the interval by 0.618. No derivatives, a fixed number of steps, and
 * therefore the same answer on every machine, which is why calibration uses it.
 */
public final class GoldenSection {

    private static final double RATIO = (Math.sqrt(5) - 1) / 2;

    private GoldenSection() {
    }

    /**
     * @param f the function, unimodal on [lo, hi] (otherwise a local minimum is found)
     * @param lo lower end of the interval
     * @param hi upper end, above {@code lo}
     * @param steps narrowing steps; the interval ends 0.618^steps of its width
     * @return the middle of the final interval
     */
    public static double minimise(DoubleUnaryOperator f, double lo, double hi, int steps) {
        if (!(lo < hi) || steps < 1) {
            throw new IllegalArgumentException("golden-section search needs lo < hi and at least one step, got ["
                    + lo + ", " + hi + "], " + steps + " steps");
        }
        double a = hi - RATIO * (hi - lo);
        double b = lo + RATIO * (hi - lo);
        double fa = f.applyAsDouble(a);
        double fb = f.applyAsDouble(b);
        for (int i = 0; i < steps; i++) {
            if (fa <= fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - RATIO * (hi - lo);
                fa = f.applyAsDouble(a);
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + RATIO * (hi - lo);
                fb = f.applyAsDouble(b);
            }
        }
        return (lo + hi) / 2;
    }
}
