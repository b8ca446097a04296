package health.vclinic.training;

import ai.onnx.proto.OnnxMl;

/**
 * Four binary logistic regressions, one per "at least this urgent" question {@code P(level <= k)}, k =
 * 1..4 (the ordinal decomposition of Frank and Hall, "A simple approach to ordinal classification",
 * ECML 2001): unlike the cumulative-logit model each cut-point has its own weights, so a finding may
 * matter for "level 1-2 or not" and not for "level 1-4 or not". Each is fitted by maximum likelihood
 * with an L2 penalty by {@link Lbfgs} from zero weights and the logit of the cut-point's frequency.
 * Cumulative probabilities are made monotone by a running maximum, {@code c_k = max(c_1..c_k)}, and
 * differenced into five level probabilities.
 *
 * <p>Exported to ONNX as MatMul, Add, Sigmoid, Split, Max, Concat and the difference matrix.
 */
final class OrdinalChain {

    private static final int CUTS = OrdinalLogit.LEVELS - 1;

    /** weights[k][j] for cut-point k. */
    private final double[][] weights;
    private final double[] intercepts;

    private OrdinalChain(double[][] weights, double[] intercepts) {
        this.weights = weights;
        this.intercepts = intercepts;
    }

    static OrdinalChain fit(double[][] x, int[] levels, double l2, int maxIterations) {
        double[] ones = new double[levels.length];
        java.util.Arrays.fill(ones, 1);
        return fit(x, levels, ones, l2, maxIterations);
    }

    /** Fits to weighted rows: row i counts {@code weights[i]} times (all 1: the unweighted fit, bit for bit). */
    static OrdinalChain fit(double[][] x, int[] levels, double[] weights, double l2, int maxIterations) {
        int f = x.length == 0 ? 0 : x[0].length;
        double[][] w = new double[CUTS][];
        double[] b = new double[CUTS];
        for (int k = 0; k < CUTS; k++) {
            int cut = k + 1;
            boolean[] y = new boolean[levels.length];
            double positives = 0;
            double total = 0;
            for (int i = 0; i < levels.length; i++) {
                y[i] = levels[i] <= cut;
                positives += y[i] ? weights[i] : 0;
                total += weights[i];
            }
            if (positives == 0 || positives == total) {
                throw new TrainingException("the ordinal chain needs visits on both sides of level " + cut);
            }
            double[] start = new double[f + 1];
            start[f] = Math.log(positives / (total - positives));
            double[] p = Lbfgs.minimise((q, g) -> binary(x, y, weights, l2, q, g), start, maxIterations);
            w[k] = java.util.Arrays.copyOf(p, f);
            b[k] = p[f];
        }
        return new OrdinalChain(w, b);
    }

    /** Penalised negative log-likelihood of one binary logistic regression (intercept last, unpenalised). */
    private static double binary(double[][] x, boolean[] y, double[] weights, double l2, double[] p, double[] g) {
        int f = p.length - 1;
        java.util.Arrays.fill(g, 0);
        double loss = 0;
        for (int i = 0; i < x.length; i++) {
            double z = p[f];
            for (int j = 0; j < f; j++) {
                z += p[j] * x[i][j];
            }
            double s = OrdinalLogit.sigmoid(z);
            // log(1 + e^-z) and log(1 + e^z), stable for large |z|.
            loss += weights[i] * (y[i] ? softplus(-z) : softplus(z));
            double d = weights[i] * (s - (y[i] ? 1 : 0));
            for (int j = 0; j < f; j++) {
                g[j] += d * x[i][j];
            }
            g[f] += d;
        }
        for (int j = 0; j < f; j++) {
            loss += 0.5 * l2 * p[j] * p[j];
            g[j] += l2 * p[j];
        }
        return loss;
    }

    private static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    /** Level probabilities for one row, level 1 first. */
    double[] probabilities(double[] row) {
        double[] p = new double[OrdinalLogit.LEVELS];
        double below = 0;
        for (int k = 0; k < CUTS; k++) {
            double z = intercepts[k];
            for (int j = 0; j < row.length; j++) {
                z += weights[k][j] * row[j];
            }
            double c = Math.max(below, OrdinalLogit.sigmoid(z));
            p[k] = c - below;
            below = c;
        }
        p[CUTS] = 1 - below;
        return p;
    }

    double[][] weights() {
        return java.util.Arrays.stream(weights).map(double[]::clone).toArray(double[][]::new);
    }

    double[] intercepts() {
        return intercepts.clone();
    }

    byte[] toOnnx() {
        int f = weights[0].length;
        float[] w = new float[f * CUTS];
        for (int j = 0; j < f; j++) {
            for (int k = 0; k < CUTS; k++) {
                w[j * CUTS + k] = (float) weights[k][j];
            }
        }
        float[] b = new float[CUTS];
        for (int k = 0; k < CUTS; k++) {
            b[k] = (float) intercepts[k];
        }
        OnnxMl.GraphProto.Builder graph = OrdinalLogit.graph("ordinal-chain", f)
                .addInitializer(OrdinalLogit.tensor("weights", w, f, CUTS))
                .addInitializer(OrdinalLogit.tensor("intercepts", b, 1, CUTS))
                .addNode(OrdinalLogit.node("MatMul", "scores", OnnxExport.INPUT, "weights"))
                .addNode(OrdinalLogit.node("Add", "cut_logits", "scores", "intercepts"))
                .addNode(OrdinalLogit.node("Sigmoid", "cumulative", "cut_logits"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Split").setName("split").addInput("cumulative")
                        .addOutput("c1").addOutput("c2").addOutput("c3").addOutput("c4")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)))
                .addNode(OrdinalLogit.node("Max", "m2", "c1", "c2"))
                .addNode(OrdinalLogit.node("Max", "m3", "m2", "c3"))
                .addNode(OrdinalLogit.node("Max", "m4", "m3", "c4"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Concat").setName("monotone")
                        .addInput("c1").addInput("m2").addInput("m3").addInput("m4").addOutput("monotone")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)))
                .addNode(OrdinalLogit.node("MatMul", "differences", "monotone", "difference"))
                .addNode(OrdinalLogit.node("Add", OnnxExport.OUTPUT, "differences", "level5"));
        return OrdinalLogit.model(graph, "ordinal chain of binary models");
    }
}
