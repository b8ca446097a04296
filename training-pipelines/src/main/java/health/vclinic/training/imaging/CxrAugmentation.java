package health.vclinic.training.imaging;

import java.util.SplittableRandom;

/**
 * Draws one random, label-preserving variant of a square 8-bit image (see
 * {@link CxrTrainingConfig.Augmentation}). The variant is again an 8-bit image, so it then goes
 * through the same {@code CxrPreprocessing} as every other image: augmentation creates new
 * "films", it does not create a second preprocessing path.
 */
final class CxrAugmentation {

    private final CxrTrainingConfig.Augmentation ranges;

    CxrAugmentation(CxrTrainingConfig.Augmentation ranges) {
        this.ranges = ranges;
    }

    /**
     * @param pixels a {@code side × side} image, row-major
     * @param random the source of every draw, consumed in a fixed order (six draws per image)
     */
    byte[] apply(byte[] pixels, int side, SplittableRandom random) {
        double angle = Math.toRadians(uniform(random, ranges.maxRotationDegrees()));
        double scale = 1 + uniform(random, ranges.maxScale());
        double shiftX = uniform(random, ranges.maxShiftPixels());
        double shiftY = uniform(random, ranges.maxShiftPixels());
        double contrast = 1 + uniform(random, ranges.maxContrast());
        double brightness = 255 * uniform(random, ranges.maxBrightness());
        double mean = 0;
        for (byte p : pixels) {
            mean += Byte.toUnsignedInt(p);
        }
        mean /= pixels.length;
        double centre = (side - 1) / 2.0;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        byte[] out = new byte[pixels.length];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                // Inverse map: where in the source does this output pixel come from?
                double dx = (x - centre - shiftX) / scale;
                double dy = (y - centre - shiftY) / scale;
                double sx = cos * dx + sin * dy + centre;
                double sy = -sin * dx + cos * dy + centre;
                double v = bilinear(pixels, side, sx, sy);
                v = (v - mean) * contrast + mean + brightness;
                out[y * side + x] = (byte) Math.min(255, Math.max(0, Math.round(v)));
            }
        }
        return out;
    }

    private static double uniform(SplittableRandom random, double max) {
        double u = random.nextDouble();
        return max == 0 ? 0 : (2 * u - 1) * max;
    }

    /** Bilinear interpolation, edges extended (radiograph borders are dark collimation, not black voids). */
    private static double bilinear(byte[] pixels, int side, double x, double y) {
        x = Math.min(side - 1, Math.max(0, x));
        y = Math.min(side - 1, Math.max(0, y));
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        int x1 = Math.min(side - 1, x0 + 1);
        int y1 = Math.min(side - 1, y0 + 1);
        double fx = x - x0;
        double fy = y - y0;
        double top = (1 - fx) * at(pixels, side, x0, y0) + fx * at(pixels, side, x1, y0);
        double bottom = (1 - fx) * at(pixels, side, x0, y1) + fx * at(pixels, side, x1, y1);
        return (1 - fy) * top + fy * bottom;
    }

    private static int at(byte[] pixels, int side, int x, int y) {
        return Byte.toUnsignedInt(pixels[y * side + x]);
    }
}
