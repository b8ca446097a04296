package health.vclinic.inference.imaging;

import health.vclinic.datasets.imaging.ImageStudy;

/**
 * The one preprocessing code path of the chest X-ray model, called by training, evaluation and the
 * service alike, so the model never sees differently prepared pixels in production (no train/serve
 * skew).
 *
 * <ol>
 *   <li>Centre-crop to a square of the shorter side (MedMNIST v2 centre-cropped the Kermany et al.
 *       radiographs before resizing).</li>
 *   <li>Resize to {@code inputSize} × {@code inputSize} by area averaging (each output pixel is the
 *       mean of the source area it covers, fractional pixels weighted by coverage), then round to
 *       8 bits: the form in which the training images are stored. A PneumoniaMNIST image is already
 *       28 × 28 and passes through unchanged; a 2,000-pixel radiograph is averaged down without
 *       aliasing.</li>
 *   <li>Scale to [0, 1] and standardise with the training set's mean and standard deviation.</li>
 * </ol>
 *
 * @param inputSize the side of the square model input, e.g. 28
 * @param mean the training images' mean luminance on the [0, 1] scale
 * @param std their standard deviation, positive
 */
public record CxrPreprocessing(int inputSize, float mean, float std) {

    /** Names this algorithm in model cards; a model whose card names another cannot be served by this code. */
    public static final String ID = "centre-crop-area-resize-standardise/1";

    public CxrPreprocessing {
        if (inputSize < 1 || !(std > 0) || !Float.isFinite(mean) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("preprocessing needs a positive input size and std, and a finite mean");
        }
    }

    /** Steps 1 and 2: the 8-bit {@code inputSize}² image the model reads, row-major. */
    public byte[] modelPixels(ImageStudy study) {
        return centreSquare(study, inputSize);
    }

    /**
     * Steps 1 and 2 at any output size: the centre square of the study, area-averaged to
     * {@code size × size} and rounded to 8 bits (an image already that size is returned unchanged).
     * The saliency overlay draws the same square, so it shows exactly what the model saw.
     */
    public static byte[] centreSquare(ImageStudy study, int size) {
        int side = Math.min(study.width(), study.height());
        byte[] pixels = study.pixels();
        if (side == size && study.width() == side && study.height() == side) {
            return pixels;
        }
        int left = (study.width() - side) / 2;
        int top = (study.height() - side) / 2;
        double[] rows = resizeRows(pixels, study.width(), left, top, side, size);
        return resizeColumns(rows, side, size);
    }

    /** Step 3 on a model-sized 8-bit image. */
    public float[] standardise(byte[] modelPixels) {
        if (modelPixels.length != inputSize * inputSize) {
            throw new IllegalArgumentException("expected " + inputSize * inputSize + " pixels, not " + modelPixels.length);
        }
        float[] out = new float[modelPixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Byte.toUnsignedInt(modelPixels[i]) / 255f - mean) / std;
        }
        return out;
    }

    /** All three steps: the model input for one study, {@code inputSize}² floats, row-major. */
    public float[] input(ImageStudy study) {
        return standardise(modelPixels(study));
    }

    /** Area-averages each row of the crop to {@code size} columns: {@code side} rows out. */
    private static double[] resizeRows(byte[] pixels, int width, int left, int top, int side, int size) {
        double[] out = new double[side * size];
        Weights weights = new Weights(side, size);
        for (int y = 0; y < side; y++) {
            int row = (top + y) * width + left;
            for (int o = 0; o < size; o++) {
                double sum = 0;
                for (int k = weights.first[o]; k <= weights.last[o]; k++) {
                    sum += weights.weight(o, k) * Byte.toUnsignedInt(pixels[row + k]);
                }
                out[y * size + o] = sum;
            }
        }
        return out;
    }

    private static byte[] resizeColumns(double[] rows, int side, int size) {
        byte[] out = new byte[size * size];
        Weights weights = new Weights(side, size);
        for (int o = 0; o < size; o++) {
            for (int x = 0; x < size; x++) {
                double sum = 0;
                for (int k = weights.first[o]; k <= weights.last[o]; k++) {
                    sum += weights.weight(o, k) * rows[k * size + x];
                }
                out[o * size + x] = (byte) Math.min(255, Math.max(0, Math.round(sum)));
            }
        }
        return out;
    }

    /** For each output pixel o: the first source pixel it covers and the coverage weights from there on. */
    private static final class Weights {
        final int[] first;
        final int[] last;
        private final double[][] weights;

        Weights(int from, int to) {
            double scale = (double) from / to;
            first = new int[to];
            last = new int[to];
            weights = new double[to][];
            for (int o = 0; o < to; o++) {
                first[o] = (int) Math.floor(o * scale);
                last[o] = Math.min(from - 1, (int) Math.ceil((o + 1) * scale) - 1);
                weights[o] = new double[last[o] - first[o] + 1];
                for (int k = first[o]; k <= last[o]; k++) {
                    double start = Math.max(o * scale, k);
                    double end = Math.min((o + 1) * scale, k + 1);
                    weights[o][k - first[o]] = Math.max(0, end - start) / scale;
                }
            }
        }

        double weight(int o, int k) {
            return weights[o][k - first[o]];
        }
    }
}
