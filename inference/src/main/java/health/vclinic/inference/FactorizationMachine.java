package health.vclinic.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The weights of a factorization machine (Rendle, "Factorization Machines", ICDM 2010) read from the
 * ONNX graph Tribuo 4.3 exports for {@code FMClassificationModel}, so that an explanation's occlusion
 * rows are computed in closed form instead of by ONNX Runtime. For output column c the graph computes
 * {@code z_c = b_c + sum_j w_jc x_j + 1/2 sum_f [(sum_j v_cjf x_j)^2 - sum_j v_cjf^2 x_j^2]} and the
 * softmax over c; setting a set S of features to 0 removes their terms from the three sums, so the
 * scores without S follow from the sums of the full row and those of S alone.
 *
 * <p>Only that exact graph is recognised (its operators in Tribuo's order, over initializers named as
 * Tribuo names them); anything else gives {@link Optional#empty()} and the caller keeps running the
 * occlusion rows through ONNX Runtime. The caller also checks parity with ONNX Runtime on probe rows
 * before it relies on these weights. The ONNX file is read with a minimal protobuf reader (ONNX IR,
 * onnx.proto3 field numbers): nothing beyond the graph's nodes and float initializers is interpreted.
 */
final class FactorizationMachine {

    /** Operator types of Tribuo's FM graph, in order, with the per-output block repeated. */
    private static final List<String> HEAD = List.of("Gemm", "Pow");
    private static final List<String> PER_OUTPUT = List.of("Gemm", "Pow", "Pow", "Gemm", "Sub", "ReduceSum", "Div");
    private static final List<String> TAIL = List.of("Concat", "Add", "Softmax", "Identity");

    private final int features;
    private final int outputs;
    private final int factors;
    /** Bias per output column. */
    private final double[] bias;
    /** Linear weight, [feature * outputs + column]. */
    private final double[] linear;
    /** Factor, [(column * features + feature) * factors + f]. */
    private final double[] factor;

    private FactorizationMachine(int features, int outputs, int factors, double[] bias, double[] linear,
                                 double[] factor) {
        this.features = features;
        this.outputs = outputs;
        this.factors = factors;
        this.bias = bias;
        this.linear = linear;
        this.factor = factor;
    }

    /** The machine in {@code onnx} when it is Tribuo's FM graph over {@code features} inputs and {@code outputs} columns. */
    static Optional<FactorizationMachine> read(byte[] onnx, int features, int outputs) {
        try {
            return parse(onnx, features, outputs);
        } catch (RuntimeException e) {
            // Not a graph this reader understands: the caller keeps ONNX Runtime for the occlusion rows.
            return Optional.empty();
        }
    }

    private static Optional<FactorizationMachine> parse(byte[] onnx, int features, int outputs) {
        Message model = new Message(ByteBuffer.wrap(onnx));
        List<ByteBuffer> graphs = model.bytes(7);
        if (graphs.size() != 1) {
            return Optional.empty();
        }
        Message graph = new Message(graphs.getFirst());
        List<String> ops = new ArrayList<>();
        List<List<String>> inputs = new ArrayList<>();
        for (ByteBuffer n : graph.bytes(1)) {
            Message node = new Message(n);
            ops.add(node.strings(4).getFirst());
            inputs.add(node.strings(1));
            if (!node.strings(7).isEmpty() && !node.strings(7).getFirst().isEmpty()) {
                return Optional.empty();
            }
            if (node.strings(4).getFirst().equals("Gemm") && !node.bytes(5).isEmpty()) {
                return Optional.empty(); // alpha, beta or a transpose: not Tribuo's plain x * W + b
            }
        }
        List<String> expected = new ArrayList<>(HEAD);
        for (int c = 0; c < outputs; c++) {
            expected.addAll(PER_OUTPUT);
        }
        expected.addAll(TAIL);
        if (!ops.equals(expected)) {
            return Optional.empty();
        }
        Map<String, Tensor> init = new HashMap<>();
        for (ByteBuffer t : graph.bytes(5)) {
            Tensor tensor = Tensor.of(new Message(t));
            init.put(tensor.name(), tensor);
        }
        Tensor w = init.get("fm_linear_weights_0");
        Tensor b = init.get("fm_biases_0");
        Tensor two = init.get("two_const_0");
        if (w == null || b == null || two == null || !List.of("input", w.name(), b.name()).equals(inputs.getFirst())
                || !w.shape(features, outputs) || !b.shape(outputs) || two.values().length != 1
                || two.values()[0] != 2f) {
            return Optional.empty();
        }
        int factors = -1;
        double[] factor = null;
        for (int c = 0; c < outputs; c++) {
            Tensor e = init.get("fm_embedding_" + c + "_0");
            if (e == null || e.dims().length != 2 || e.dims()[0] != features
                    || !inputs.get(HEAD.size() + c * PER_OUTPUT.size()).equals(List.of("input", e.name()))) {
                return Optional.empty();
            }
            if (factors < 0) {
                factors = (int) e.dims()[1];
                factor = new double[outputs * features * factors];
            } else if (e.dims()[1] != factors) {
                return Optional.empty();
            }
            float[] v = e.values();
            for (int i = 0; i < v.length; i++) {
                factor[c * features * factors + i] = v[i];
            }
        }
        return Optional.of(new FactorizationMachine(features, outputs, factors, toDouble(b.values()),
                toDouble(w.values()), factor));
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    int outputs() {
        return outputs;
    }

    /**
     * The sums of a row restricted to the features in {@code only} (all of the row when {@code only} is
     * null): per output column the linear part (bias included when {@code withBias}), then per column and
     * factor the sum of v x and the sum of v^2 x^2. Laid out [linear..., (sum v x, sum v^2 x^2) per
     * column and factor].
     */
    double[] sums(float[] x, int[] only, boolean withBias) {
        return sums(x, only, withBias, new double[sumsLength()]);
    }

    /** How many values {@link #sums} gives. */
    int sumsLength() {
        return outputs + 2 * outputs * factors;
    }

    /** {@link #sums(float[], int[], boolean)} written into {@code s} (of {@link #sumsLength()}), which it returns. */
    double[] sums(float[] x, int[] only, boolean withBias, double[] s) {
        if (withBias) {
            System.arraycopy(bias, 0, s, 0, outputs);
        } else {
            java.util.Arrays.fill(s, 0, outputs, 0);
        }
        java.util.Arrays.fill(s, outputs, s.length, 0);
        int n = only == null ? features : only.length;
        for (int k = 0; k < n; k++) {
            int j = only == null ? k : only[k];
            double xj = x[j];
            if (xj == 0) {
                continue;
            }
            for (int c = 0; c < outputs; c++) {
                s[c] += linear[j * outputs + c] * xj;
                int base = (c * features + j) * factors;
                int at = outputs + 2 * c * factors;
                for (int f = 0; f < factors; f++) {
                    double vx = factor[base + f] * xj;
                    s[at + 2 * f] += vx;
                    s[at + 2 * f + 1] += vx * vx;
                }
            }
        }
        return s;
    }

    /** The scores z_c of the row whose sums are {@code all} with the features summed in {@code removed} taken out (null: none). */
    double[] scores(double[] all, double[] removed) {
        return scores(all, removed, new double[outputs]);
    }

    /** {@link #scores(double[], double[])} written into {@code z} (one per output), which it returns. */
    double[] scores(double[] all, double[] removed, double[] z) {
        for (int c = 0; c < outputs; c++) {
            double pairwise = 0;
            int at = outputs + 2 * c * factors;
            for (int f = 0; f < factors; f++) {
                double vx = all[at + 2 * f] - (removed == null ? 0 : removed[at + 2 * f]);
                double vvxx = all[at + 2 * f + 1] - (removed == null ? 0 : removed[at + 2 * f + 1]);
                pairwise += vx * vx - vvxx;
            }
            z[c] = all[c] - (removed == null ? 0 : removed[c]) + pairwise / 2;
        }
        return z;
    }

    /** Softmax of {@link #scores}, as the graph's output columns. */
    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /** A float tensor initializer (TensorProto: dims 1, data_type 2, float_data 4, name 8, raw_data 9). */
    private record Tensor(String name, long[] dims, float[] values) {

        static Tensor of(Message t) {
            List<Long> d = t.varints(1);
            long[] dims = d.stream().mapToLong(Long::longValue).toArray();
            String name = t.strings(8).isEmpty() ? "" : t.strings(8).getFirst();
            List<Long> type = t.varints(2);
            if (type.size() != 1 || type.getFirst() != 1) { // FLOAT
                return new Tensor(name, dims, new float[0]);
            }
            float[] values;
            if (!t.bytes(9).isEmpty()) {
                ByteBuffer raw = t.bytes(9).getFirst().order(ByteOrder.LITTLE_ENDIAN);
                values = new float[raw.remaining() / Float.BYTES];
                raw.asFloatBuffer().get(values);
            } else {
                values = t.floats(4);
            }
            long count = 1;
            for (long x : dims) {
                count *= x;
            }
            if (count != values.length) {
                throw new IllegalArgumentException("tensor " + name + " has " + values.length + " values for " + count);
            }
            return new Tensor(name, dims, values);
        }

        boolean shape(long... expected) {
            return java.util.Arrays.equals(dims, expected);
        }
    }

    /** The fields of one protobuf message, by number (wire types varint, 64-bit, length-delimited, 32-bit). */
    private static final class Message {

        private final Map<Integer, List<Object>> fields = new HashMap<>();

        Message(ByteBuffer in) {
            ByteBuffer b = in.slice().order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                long key = varint(b);
                int number = (int) (key >>> 3);
                Object value = switch ((int) (key & 7)) {
                    case 0 -> varint(b);
                    case 1 -> b.getLong();
                    case 2 -> {
                        int length = Math.toIntExact(varint(b));
                        ByteBuffer v = b.slice(b.position(), length);
                        b.position(b.position() + length);
                        yield v;
                    }
                    case 5 -> b.getInt();
                    default -> throw new IllegalArgumentException("wire type " + (key & 7));
                };
                fields.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
            }
        }

        private static long varint(ByteBuffer b) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b.get();
                v |= (long) (x & 0x7f) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        List<ByteBuffer> bytes(int number) {
            List<ByteBuffer> out = new ArrayList<>();
            for (Object o : fields.getOrDefault(number, List.of())) {
                if (!(o instanceof ByteBuffer b)) {
                    throw new IllegalArgumentException("field " + number + " is not length-delimited");
                }
                out.add(b.duplicate());
            }
            return out;
        }

        List<String> strings(int number) {
            return bytes(number).stream().map(b -> StandardCharsets.UTF_8.decode(b).toString()).toList();
        }

        /** Repeated int64 / int32, packed or not. */
        List<Long> varints(int number) {
            List<Long> out = new ArrayList<>();
            for (Object o : fields.getOrDefault(number, List.of())) {
                if (o instanceof Long v) {
                    out.add(v);
                } else if (o instanceof ByteBuffer packed) {
                    ByteBuffer b = packed.duplicate();
                    while (b.hasRemaining()) {
                        out.add(varint(b));
                    }
                } else {
                    throw new IllegalArgumentException("field " + number + " is not a varint");
                }
            }
            return out;
        }

        /** Repeated float, packed or not. */
        float[] floats(int number) {
            List<Float> out = new ArrayList<>();
            for (Object o : fields.getOrDefault(number, List.of())) {
                if (o instanceof Integer bits) {
                    out.add(Float.intBitsToFloat(bits));
                } else if (o instanceof ByteBuffer packed) {
                    ByteBuffer b = packed.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                    while (b.remaining() >= Float.BYTES) {
                        out.add(b.getFloat());
                    }
                } else {
                    throw new IllegalArgumentException("field " + number + " is not a float");
                }
            }
            float[] f = new float[out.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = out.get(i);
            }
            return f;
        }
    }
}
