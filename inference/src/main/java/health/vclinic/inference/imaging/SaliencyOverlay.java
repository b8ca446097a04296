package health.vclinic.inference.imaging;

import health.vclinic.datasets.imaging.ImageStudy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws a saliency map over the region of the image the model saw (the centre square), as a PNG a
 * clinician can open: the radiograph in grey, with the regions that raised the pneumonia score tinted
 * from transparent through red to yellow (a "hot" colour map). Regions that lowered the score are left
 * untinted, so the picture answers one question: where did the model see pneumonia?
 *
 * @param side the overlay's side in pixels (default 224: large enough to read, small enough to send)
 */
public record SaliencyOverlay(int side) {

    public static final SaliencyOverlay DEFAULT = new SaliencyOverlay(224);

    /** Strongest tint, so the radiograph stays visible under the hottest region. */
    private static final double MAX_ALPHA = 0.65;

    public SaliencyOverlay {
        if (side < 8 || side > 1024) {
            throw new IllegalArgumentException("overlay side must be 8 to 1024 pixels");
        }
    }

    /**
     * @param study the image as received (any size; its centre square is drawn)
     * @param map the saliency map, {@code mapSide²} values in logit units
     * @param scale the logit fall drawn at full intensity; maps are scaled by their own maximum when it is
     *     larger, so a weak map stays faint instead of being stretched to look confident
     */
    public byte[] png(ImageStudy study, float[] map, int mapSide, double scale) {
        byte[] grey = CxrPreprocessing.centreSquare(study, side);
        double max = scale;
        for (float v : map) {
            max = Math.max(max, v);
        }
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int g = Byte.toUnsignedInt(grey[y * side + x]);
                double heat = Math.max(0, bilinear(map, mapSide, (x + 0.5) * mapSide / side - 0.5,
                        (y + 0.5) * mapSide / side - 0.5)) / max;
                double alpha = MAX_ALPHA * heat;
                // Hot colour map: red rises first, then green, giving red -> orange -> yellow.
                double r = 255;
                double gr = 255 * Math.min(1, Math.max(0, 2 * heat - 1));
                int red = (int) Math.round((1 - alpha) * g + alpha * r);
                int green = (int) Math.round((1 - alpha) * g + alpha * gr);
                int blue = (int) Math.round((1 - alpha) * g);
                image.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return encodePng(image);
    }

    /** PNG bytes, written through memory only (ImageIO's default stream caches on disk). */
    static byte[] encodePng(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.getWidth() * image.getHeight());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(image);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a PNG to memory cannot fail", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static double bilinear(float[] map, int n, double x, double y) {
        x = Math.min(n - 1, Math.max(0, x));
        y = Math.min(n - 1, Math.max(0, y));
        int x0 = (int) x;
        int y0 = (int) y;
        int x1 = Math.min(n - 1, x0 + 1);
        int y1 = Math.min(n - 1, y0 + 1);
        double fx = x - x0;
        double fy = y - y0;
        return (1 - fy) * ((1 - fx) * map[y0 * n + x0] + fx * map[y0 * n + x1])
                + fy * ((1 - fx) * map[y1 * n + x0] + fx * map[y1 * n + x1]);
    }
}
