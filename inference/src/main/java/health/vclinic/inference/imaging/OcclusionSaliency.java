package health.vclinic.inference.imaging;

import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion sensitivity (Zeiler and Fergus, "Visualizing and Understanding Convolutional Networks",
 * ECCV 2014): slide a grey square over the input, and measure how much the pneumonia logit falls
 * when each region is hidden. A pixel's saliency is the mean fall over the squares that covered it:
 * positive where the image argues for pneumonia, negative where it argues against.
 *
 * <p>Chosen over gradient methods because it needs nothing but forward passes of the served model
 * (the same batched path as every prediction, no autograd in production) and reads in the
 * clinician's terms: "hiding this region lowers the score". The cost is one extra forward pass per
 * square: with 6 × 6 squares at stride 2 on a 28 × 28 input, 144 passes, batched.
 *
 * @param side the input side, e.g. 28
 * @param patch the square's side in input pixels
 * @param stride the step between squares; {@code (side - patch) % stride == 0} so every pixel is covered
 */
public record OcclusionSaliency(int side, int patch, int stride) {

    /** The method's name, as responses report it. */
    public static final String METHOD = "occlusion-sensitivity";

    /** 6×6 grey squares at stride 2 over a 28×28 input: 144 occlusions. */
    public static OcclusionSaliency standard(int side) {
        return new OcclusionSaliency(side, 6, 2);
    }

    public OcclusionSaliency {
        if (patch < 1 || stride < 1 || patch > side || (side - patch) % stride != 0) {
            throw new IllegalArgumentException("squares of " + patch + " at stride " + stride + " must tile a side of "
                    + side + " exactly");
        }
    }

    /** Squares per axis. */
    public int positions() {
        return (side - patch) / stride + 1;
    }

    /**
     * The occluded copies of one standardised input, in row-major order of the squares. Hidden pixels
     * are set to 0, the training mean after standardisation ("grey").
     */
    public List<float[]> occlusions(float[] input) {
        int n = positions();
        List<float[]> out = new ArrayList<>(n * n);
        for (int py = 0; py < n; py++) {
            for (int px = 0; px < n; px++) {
                float[] copy = input.clone();
                for (int y = py * stride; y < py * stride + patch; y++) {
                    java.util.Arrays.fill(copy, y * side + px * stride, y * side + px * stride + patch, 0f);
                }
                out.add(copy);
            }
        }
        return out;
    }

    /**
     * The saliency map from the unoccluded logit and the logits of {@link #occlusions}, in logit units.
     */
    public float[] map(float baseLogit, float[] occludedLogits) {
        int n = positions();
        if (occludedLogits.length != n * n) {
            throw new IllegalArgumentException("expected " + n * n + " occluded logits, not " + occludedLogits.length);
        }
        double[] sum = new double[side * side];
        int[] count = new int[side * side];
        for (int py = 0; py < n; py++) {
            for (int px = 0; px < n; px++) {
                double drop = baseLogit - occludedLogits[py * n + px];
                for (int y = py * stride; y < py * stride + patch; y++) {
                    for (int x = px * stride; x < px * stride + patch; x++) {
                        sum[y * side + x] += drop;
                        count[y * side + x]++;
                    }
                }
            }
        }
        float[] map = new float[side * side];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) (sum[i] / count[i]);
        }
        return map;
    }
}
