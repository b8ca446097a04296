package health.vclinic.training;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithm 7.4) with a
 * backtracking Armijo line search, from a given start: deterministic, so a fit is a pure function of
 * its data and a rerun gives identical bits.
 */
final class Lbfgs {

    private static final int HISTORY = 10;

    /** A differentiable function: returns its value at {@code p} and writes its gradient. */
    interface Objective {
        double value(double[] p, double[] gradient);
    }

    private Lbfgs() {
    }

    static double[] minimise(Objective objective, double[] start, int maxIterations) {
        int d = start.length;
        double[] p = start.clone();
        double[] g = new double[d];
        double value = objective.value(p, g);
        Deque<double[]> sHistory = new ArrayDeque<>();
        Deque<double[]> yHistory = new ArrayDeque<>();
        double[] next = new double[d];
        double[] nextG = new double[d];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[] direction = direction(g, sHistory, yHistory);
            double slope = dot(direction, g);
            if (slope >= 0) {
                direction = negate(g);
                slope = dot(direction, g);
                sHistory.clear();
                yHistory.clear();
            }
            double step = 1;
            double nextValue;
            int halvings = 0;
            while (true) {
                for (int j = 0; j < d; j++) {
                    next[j] = p[j] + step * direction[j];
                }
                nextValue = objective.value(next, nextG);
                if (Double.isFinite(nextValue) && nextValue <= value + 1e-4 * step * slope) {
                    break;
                }
                step *= 0.5;
                if (++halvings > 60) {
                    return p;
                }
            }
            double[] s = new double[d];
            double[] y = new double[d];
            for (int j = 0; j < d; j++) {
                s[j] = next[j] - p[j];
                y[j] = nextG[j] - g[j];
            }
            if (dot(s, y) > 1e-12) {
                sHistory.addFirst(s);
                yHistory.addFirst(y);
                if (sHistory.size() > HISTORY) {
                    sHistory.removeLast();
                    yHistory.removeLast();
                }
            }
            double improvement = value - nextValue;
            System.arraycopy(next, 0, p, 0, d);
            System.arraycopy(nextG, 0, g, 0, d);
            value = nextValue;
            if (improvement <= 1e-10 * Math.max(1, Math.abs(value)) || Math.sqrt(dot(g, g)) < 1e-6) {
                break;
            }
        }
        return p;
    }

    /** The L-BFGS two-loop recursion: an approximation of -H^-1 g. */
    private static double[] direction(double[] g, Deque<double[]> sHistory, Deque<double[]> yHistory) {
        double[] q = g.clone();
        int m = sHistory.size();
        double[] alpha = new double[m];
        double[][] s = sHistory.toArray(double[][]::new);
        double[][] y = yHistory.toArray(double[][]::new);
        for (int i = 0; i < m; i++) {
            alpha[i] = dot(s[i], q) / dot(y[i], s[i]);
            for (int j = 0; j < q.length; j++) {
                q[j] -= alpha[i] * y[i][j];
            }
        }
        if (m > 0) {
            double gamma = dot(s[0], y[0]) / dot(y[0], y[0]);
            for (int j = 0; j < q.length; j++) {
                q[j] *= gamma;
            }
        }
        for (int i = m - 1; i >= 0; i--) {
            double beta = dot(y[i], q) / dot(y[i], s[i]);
            for (int j = 0; j < q.length; j++) {
                q[j] += s[i][j] * (alpha[i] - beta);
            }
        }
        return negate(q);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] negate(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }

}
