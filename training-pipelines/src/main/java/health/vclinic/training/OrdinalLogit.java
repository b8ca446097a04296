package health.vclinic.training;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The cumulative-logit (proportional-odds) model for ordered levels (McCullagh, "Regression models for
 * ordinal data", JRSS B 42, 1980): one urgency score {@code s = w . x} and four ordered cut-points,
 * {@code P(level <= k) = sigmoid(theta_k + s)} for k = 1..4. A higher score means more urgent at every
 * cut-point at once, which is what makes its explanations exact: an input's contribution to the score
 * is its contribution towards "more urgent", whatever level is decided.
 *
 * <p>Fitted by maximum likelihood with an L2 penalty on {@code w} (not on the cut-points) by L-BFGS
 * (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithm 7.4) with a backtracking Armijo
 * line search, from a fixed start (w = 0, cut-points at the logits of the cumulative level
 * frequencies): a fit is a pure function of its data, so a rerun gives identical bits. The cut-points
 * are kept ordered by writing them as {@code theta_1 = a}, {@code theta_k = theta_{k-1} + exp(b_k)}.
 *
 * <p>Exported to ONNX as MatMul, Add, Sigmoid, then a fixed [4, 5] difference matrix that turns the
 * four cumulative probabilities into five level probabilities (level 1 first).
 */
final class OrdinalLogit {

    static final int LEVELS = 5;
    private static final int CUTS = LEVELS - 1;

    private final double[] weights;
    private final double[] cuts;

    private OrdinalLogit(double[] weights, double[] cuts) {
        this.weights = weights;
        this.cuts = cuts;
    }

    double[] weights() {
        return weights.clone();
    }

    double[] cuts() {
        return cuts.clone();
    }

    /**
     * Fits the model.
     *
     * @param x one row per visit
     * @param levels the level of each visit, 1-5; every level must occur
     * @param l2 the penalty {@code l2 / 2 * |w|^2} added to the negative log-likelihood
     */
    static OrdinalLogit fit(double[][] x, int[] levels, double l2, int maxIterations) {
        double[] ones = new double[levels.length];
        java.util.Arrays.fill(ones, 1);
        return fit(x, levels, ones, l2, maxIterations);
    }

    /**
     * Fits the model to weighted rows: row i counts {@code weights[i]} times in the likelihood (a weight of 1
     * everywhere is the unweighted fit, bit for bit).
     */
    static OrdinalLogit fit(double[][] x, int[] levels, double[] weights, double l2, int maxIterations) {
        int f = x.length == 0 ? 0 : x[0].length;
        double[] count = new double[LEVELS];
        double n = 0;
        for (int i = 0; i < levels.length; i++) {
            count[levels[i] - 1] += weights[i];
            n += weights[i];
        }
        double[] start = new double[f + CUTS];
        double cumulative = 0;
        double previous = 0;
        for (int k = 0; k < CUTS; k++) {
            if (count[k] == 0) {
                throw new TrainingException("level " + (k + 1) + " does not occur in the data; the ordinal model needs every level");
            }
            cumulative += count[k];
            double theta = Math.log(cumulative / (n - cumulative));
            start[f + k] = k == 0 ? theta : Math.log(theta - previous);
            previous = theta;
        }
        Objective objective = new Objective(x, levels, weights, l2);
        double[] p = Lbfgs.minimise(objective::value, start, maxIterations);
        double[] w = new double[f];
        System.arraycopy(p, 0, w, 0, f);
        return new OrdinalLogit(w, Objective.thetas(p, f));
    }

    /** Level probabilities for one row, level 1 first. */
    double[] probabilities(double[] row) {
        double s = 0;
        for (int j = 0; j < weights.length; j++) {
            s += weights[j] * row[j];
        }
        double[] p = new double[LEVELS];
        double below = 0;
        for (int k = 0; k < CUTS; k++) {
            double c = sigmoid(cuts[k] + s);
            p[k] = c - below;
            below = c;
        }
        p[CUTS] = 1 - below;
        return p;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** Negative log-likelihood plus penalty, and its gradient. */
    private record Objective(double[][] x, int[] levels, double[] weights, double l2) {

        static double[] thetas(double[] p, int f) {
            double[] theta = new double[CUTS];
            theta[0] = p[f];
            for (int k = 1; k < CUTS; k++) {
                theta[k] = theta[k - 1] + Math.exp(p[f + k]);
            }
            return theta;
        }

        double value(double[] p, double[] gradient) {
            int f = p.length - CUTS;
            double[] theta = thetas(p, f);
            java.util.Arrays.fill(gradient, 0);
            double[] dTheta = new double[CUTS];
            double loss = 0;
            for (int i = 0; i < x.length; i++) {
                double s = 0;
                for (int j = 0; j < f; j++) {
                    s += p[j] * x[i][j];
                }
                int y = levels[i] - 1;
                double upper = y < CUTS ? sigmoid(theta[y] + s) : 1;
                double lower = y > 0 ? sigmoid(theta[y - 1] + s) : 0;
                double py = Math.max(upper - lower, 1e-300);
                double w = weights[i];
                loss -= w * Math.log(py);
                double dUpper = y < CUTS ? upper * (1 - upper) : 0;
                double dLower = y > 0 ? lower * (1 - lower) : 0;
                double dS = -w * (dUpper - dLower) / py;
                for (int j = 0; j < f; j++) {
                    gradient[j] += dS * x[i][j];
                }
                if (y < CUTS) {
                    dTheta[y] -= w * dUpper / py;
                }
                if (y > 0) {
                    dTheta[y - 1] += w * dLower / py;
                }
            }
            for (int j = 0; j < f; j++) {
                loss += 0.5 * l2 * p[j] * p[j];
                gradient[j] += l2 * p[j];
            }
            // theta_k = a + sum_{j=2..k} exp(b_j): d/da = sum_k dTheta_k; d/db_j = exp(b_j) sum_{k>=j} dTheta_k.
            double tail = 0;
            for (int k = CUTS - 1; k >= 0; k--) {
                tail += dTheta[k];
                gradient[f + k] = k == 0 ? tail : Math.exp(p[f + k]) * tail;
            }
            return loss;
        }
    }

    /** The model as ONNX bytes: input {@code input} float [N, F], output {@code output} float [N, 5]. */
    byte[] toOnnx() {
        int f = weights.length;
        float[] w = new float[f];
        for (int j = 0; j < f; j++) {
            w[j] = (float) weights[j];
        }
        float[] theta = new float[CUTS];
        for (int k = 0; k < CUTS; k++) {
            theta[k] = (float) cuts[k];
        }
        OnnxMl.GraphProto.Builder graph = graph("ordinal-logit", f)
                .addInitializer(tensor("weights", w, f, 1))
                .addInitializer(tensor("cuts", theta, 1, CUTS))
                .addNode(node("MatMul", "score", OnnxExport.INPUT, "weights"))
                .addNode(node("Add", "cut_logits", "score", "cuts"))
                .addNode(node("Sigmoid", "cumulative", "cut_logits"))
                .addNode(node("MatMul", "differences", "cumulative", "difference"))
                .addNode(node("Add", OnnxExport.OUTPUT, "differences", "level5"));
        return model(graph, "cumulative-logit model");
    }

    /**
     * A graph with the model's input [N, features] and output [N, 5], and the two constants that turn
     * four cumulative probabilities (a "cumulative" [N, 4]) into five level probabilities: a [4, 5]
     * difference matrix ("difference") and the level-5 offset ("level5"), p = c . D + e5.
     */
    static OnnxMl.GraphProto.Builder graph(String name, int features) {
        float[] difference = new float[CUTS * LEVELS];
        for (int k = 0; k < CUTS; k++) {
            difference[k * LEVELS + k] = 1;
            difference[k * LEVELS + k + 1] = -1;
        }
        float[] last = new float[LEVELS];
        last[LEVELS - 1] = 1;
        return OnnxMl.GraphProto.newBuilder().setName(name)
                .addInput(value(OnnxExport.INPUT, features))
                .addOutput(value(OnnxExport.OUTPUT, LEVELS))
                .addInitializer(tensor("difference", difference, CUTS, LEVELS))
                .addInitializer(tensor("level5", last, 1, LEVELS));
    }

    /** The ONNX model around a graph: opset 13, the triage domain, no timestamps or provenance. */
    static byte[] model(OnnxMl.GraphProto.Builder graph, String what) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("vclinic")
                .setDomain(OnnxExport.DOMAIN)
                .setModelVersion(OnnxExport.MODEL_VERSION)
                .setDocString("vclinic triage-acuity " + what + "; its card (model.json) holds the provenance")
                .setGraph(graph)
                .build().toByteArray();
    }

    static OnnxMl.NodeProto node(String op, String output, String... inputs) {
        OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String i : inputs) {
            b.addInput(i);
        }
        return b.build();
    }

    static OnnxMl.ValueInfoProto value(String name, int width) {
        OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))
                .build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }

    static OnnxMl.TensorProto tensor(String name, float[] values, long rows, long columns) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return OnnxMl.TensorProto.newBuilder().setName(name).addDims(rows).addDims(columns)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buffer.array())).build();
    }
}
