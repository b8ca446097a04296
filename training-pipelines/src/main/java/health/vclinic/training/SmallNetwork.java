package health.vclinic.training;

import ai.onnx.proto.OnnxMl;
import java.util.SplittableRandom;

/**
 * A network with one hidden layer of {@code hidden} tanh units and a softmax over the five levels: the
 * smallest model here that learns interactions of its own choosing (a factorization machine learns only
 * pairwise products). Inputs are standardised by their mean and spread on the fitted rows; the
 * standardisation is folded into the first layer, so the exported graph reads the same rows as every other
 * candidate.
 *
 * <p>Fitted by maximum likelihood with an L2 penalty {@code l2} on both weight matrices (not on the biases)
 * by {@link Lbfgs}, full batch, from a start drawn by a {@link SplittableRandom} with the run's seed (Glorot's
 * uniform range for the first layer, zero for the second), and computed with {@link StrictMath}: a fit is a
 * pure function of its data and seed, so a rerun gives identical bits. The likelihood is not convex, so the
 * start matters; it is part of the configuration through the seed.
 *
 * <p>Exported to ONNX as MatMul, Add, Tanh, MatMul, Add, Softmax.
 */
final class SmallNetwork {

    private static final int LEVELS = OrdinalLogit.LEVELS;

    /** First layer on raw rows (standardisation folded in): w1[j][h], b1[h]. */
    private final double[][] w1;
    private final double[] b1;
    /** Second layer: w2[h][l], b2[l]. */
    private final double[][] w2;
    private final double[] b2;

    private SmallNetwork(double[][] w1, double[] b1, double[][] w2, double[] b2) {
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
    }

    /**
     * Fits the network to weighted rows (row i counts {@code weights[i]} times).
     *
     * @param levels the level of each row, 1-5
     */
    static SmallNetwork fit(double[][] x, int[] levels, double[] weights, int hidden, double l2, int maxIterations,
                            long seed) {
        if (hidden < 1) {
            throw new TrainingException("a small network needs at least one hidden unit, not " + hidden);
        }
        int n = x.length;
        int f = n == 0 ? 0 : x[0].length;
        double[] mean = new double[f];
        double[] spread = new double[f];
        standardisation(x, mean, spread);
        double[][] z = new double[n][f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                z[i][j] = (x[i][j] - mean[j]) / spread[j];
            }
        }
        Layout layout = new Layout(f, hidden);
        double[] start = new double[layout.size()];
        SplittableRandom random = new SplittableRandom(seed);
        double range = StrictMath.sqrt(6.0 / (f + hidden));
        for (int j = 0; j < f; j++) {
            for (int h = 0; h < hidden; h++) {
                start[layout.w1(j, h)] = (2 * random.nextDouble() - 1) * range;
            }
        }
        double[] p = Lbfgs.minimise((q, g) -> loss(layout, z, levels, weights, l2, q, g), start, maxIterations);
        // Fold the standardisation into the first layer: w . (x - m) / s + b = (w / s) . x + (b - sum w m / s).
        double[][] w1 = new double[f][hidden];
        double[] b1 = new double[hidden];
        for (int h = 0; h < hidden; h++) {
            double bias = p[layout.b1(h)];
            for (int j = 0; j < f; j++) {
                w1[j][h] = p[layout.w1(j, h)] / spread[j];
                bias -= p[layout.w1(j, h)] * mean[j] / spread[j];
            }
            b1[h] = bias;
        }
        double[][] w2 = new double[hidden][LEVELS];
        double[] b2 = new double[LEVELS];
        for (int l = 0; l < LEVELS; l++) {
            for (int h = 0; h < hidden; h++) {
                w2[h][l] = p[layout.w2(h, l)];
            }
            b2[l] = p[layout.b2(l)];
        }
        return new SmallNetwork(w1, b1, w2, b2);
    }

    /** Mean and standard deviation of each column; a constant column gets a spread of 1. */
    private static void standardisation(double[][] x, double[] mean, double[] spread) {
        int n = x.length;
        for (double[] row : x) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < mean.length; j++) {
                double d = row[j] - mean[j];
                spread[j] += d * d / n;
            }
        }
        for (int j = 0; j < spread.length; j++) {
            spread[j] = spread[j] > 1e-12 ? StrictMath.sqrt(spread[j]) : 1;
        }
    }

    /** Where each parameter lives in the flat vector L-BFGS moves. */
    record Layout(int features, int hidden) {
        int w1(int j, int h) {
            return j * hidden + h;
        }

        int b1(int h) {
            return features * hidden + h;
        }

        int w2(int h, int l) {
            return features * hidden + hidden + h * LEVELS + l;
        }

        int b2(int l) {
            return features * hidden + hidden + hidden * LEVELS + l;
        }

        int size() {
            return features * hidden + hidden + hidden * LEVELS + LEVELS;
        }
    }

    /** Penalised, weighted negative log-likelihood and its gradient, by back-propagation. */
    static double loss(Layout layout, double[][] z, int[] levels, double[] weights, double l2, double[] p,
                       double[] g) {
        int f = layout.features();
        int hidden = layout.hidden();
        java.util.Arrays.fill(g, 0);
        double total = 0;
        double[] a = new double[hidden];
        double[] out = new double[LEVELS];
        double[] delta = new double[LEVELS];
        for (int i = 0; i < z.length; i++) {
            double[] row = z[i];
            for (int h = 0; h < hidden; h++) {
                double s = p[layout.b1(h)];
                for (int j = 0; j < f; j++) {
                    s += p[layout.w1(j, h)] * row[j];
                }
                a[h] = StrictMath.tanh(s);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int l = 0; l < LEVELS; l++) {
                double s = p[layout.b2(l)];
                for (int h = 0; h < hidden; h++) {
                    s += p[layout.w2(h, l)] * a[h];
                }
                out[l] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int l = 0; l < LEVELS; l++) {
                sum += StrictMath.exp(out[l] - max);
            }
            double logSum = max + StrictMath.log(sum);
            int y = levels[i] - 1;
            total += weights[i] * (logSum - out[y]);
            for (int l = 0; l < LEVELS; l++) {
                delta[l] = weights[i] * (StrictMath.exp(out[l] - logSum) - (l == y ? 1 : 0));
                g[layout.b2(l)] += delta[l];
            }
            for (int h = 0; h < hidden; h++) {
                double back = 0;
                for (int l = 0; l < LEVELS; l++) {
                    g[layout.w2(h, l)] += delta[l] * a[h];
                    back += delta[l] * p[layout.w2(h, l)];
                }
                double d = back * (1 - a[h] * a[h]);
                g[layout.b1(h)] += d;
                for (int j = 0; j < f; j++) {
                    g[layout.w1(j, h)] += d * row[j];
                }
            }
        }
        for (int j = 0; j < f; j++) {
            for (int h = 0; h < hidden; h++) {
                double w = p[layout.w1(j, h)];
                total += 0.5 * l2 * w * w;
                g[layout.w1(j, h)] += l2 * w;
            }
        }
        for (int h = 0; h < hidden; h++) {
            for (int l = 0; l < LEVELS; l++) {
                double w = p[layout.w2(h, l)];
                total += 0.5 * l2 * w * w;
                g[layout.w2(h, l)] += l2 * w;
            }
        }
        return total;
    }

    /** Level probabilities for one raw row, level 1 first. */
    double[] probabilities(double[] row) {
        int hidden = b1.length;
        double[] a = new double[hidden];
        for (int h = 0; h < hidden; h++) {
            double s = b1[h];
            for (int j = 0; j < row.length; j++) {
                s += w1[j][h] * row[j];
            }
            a[h] = StrictMath.tanh(s);
        }
        double[] out = new double[LEVELS];
        double max = Double.NEGATIVE_INFINITY;
        for (int l = 0; l < LEVELS; l++) {
            double s = b2[l];
            for (int h = 0; h < hidden; h++) {
                s += w2[h][l] * a[h];
            }
            out[l] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int l = 0; l < LEVELS; l++) {
            out[l] = StrictMath.exp(out[l] - max);
            sum += out[l];
        }
        for (int l = 0; l < LEVELS; l++) {
            out[l] /= sum;
        }
        return out;
    }

    byte[] toOnnx() {
        int f = w1.length;
        int hidden = b1.length;
        float[] first = new float[f * hidden];
        for (int j = 0; j < f; j++) {
            for (int h = 0; h < hidden; h++) {
                first[j * hidden + h] = (float) w1[j][h];
            }
        }
        float[] second = new float[hidden * LEVELS];
        for (int h = 0; h < hidden; h++) {
            for (int l = 0; l < LEVELS; l++) {
                second[h * LEVELS + l] = (float) w2[h][l];
            }
        }
        float[] firstBias = new float[hidden];
        for (int h = 0; h < hidden; h++) {
            firstBias[h] = (float) b1[h];
        }
        float[] secondBias = new float[LEVELS];
        for (int l = 0; l < LEVELS; l++) {
            secondBias[l] = (float) b2[l];
        }
        OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("small-network")
                .addInput(OrdinalLogit.value(OnnxExport.INPUT, f))
                .addOutput(OrdinalLogit.value(OnnxExport.OUTPUT, LEVELS))
                .addInitializer(OrdinalLogit.tensor("w1", first, f, hidden))
                .addInitializer(OrdinalLogit.tensor("b1", firstBias, 1, hidden))
                .addInitializer(OrdinalLogit.tensor("w2", second, hidden, LEVELS))
                .addInitializer(OrdinalLogit.tensor("b2", secondBias, 1, LEVELS))
                .addNode(OrdinalLogit.node("MatMul", "hidden_in", OnnxExport.INPUT, "w1"))
                .addNode(OrdinalLogit.node("Add", "hidden_sum", "hidden_in", "b1"))
                .addNode(OrdinalLogit.node("Tanh", "hidden", "hidden_sum"))
                .addNode(OrdinalLogit.node("MatMul", "scores_in", "hidden", "w2"))
                .addNode(OrdinalLogit.node("Add", "scores", "scores_in", "b2"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Softmax").setName(OnnxExport.OUTPUT)
                        .addInput("scores").addOutput(OnnxExport.OUTPUT)
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)));
        return OrdinalLogit.model(graph, "network with one hidden layer of " + hidden + " tanh units");
    }
}
