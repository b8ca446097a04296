package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.imaging.ImageDecoder;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No train/serve skew: a PneumoniaMNIST test image as training reads it (from the npz) and as the
 * service receives it (PNG bytes, possibly larger, non-square, or in colour) becomes the same model
 * input, float for float.
 */
class CxrPreprocessingTest {

    private static final CxrPreprocessing PREPROCESSING = new CxrPreprocessing(28, 0.572f, 0.177f);
    private static List<LabelledImage> images;

    @BeforeAll
    static void read() throws IOException {
        images = MedMnist.readPneumonia(ImagingTestSupport.pneumoniaFile()).split(MedMnist.Split.TEST).subList(0, 40);
    }

    @Test
    void aDataSetImageSentAsPngGivesTheTrainingInput() {
        for (LabelledImage image : images) {
            ImageStudy served = ImageDecoder.decode(png(image.study(), 1, 0, 0, false), ImageLimits.DEFAULT, "", "image");
            assertArrayEquals(PREPROCESSING.input(image.study()), PREPROCESSING.input(served), image.study().studyId());
        }
    }

    /**
     * Sent 8× larger (each pixel an 8×8 block), with 48 extra rows above and below, and as RGB: the
     * centre crop removes the rows, area averaging undoes the enlargement exactly, and grey RGB has
     * the same luma.
     */
    @Test
    void aLargerNonSquareColourCopyGivesTheSameInput() {
        for (LabelledImage image : images) {
            ImageStudy served = ImageDecoder.decode(png(image.study(), 8, 48, 0, true), ImageLimits.DEFAULT, "", "image");
            assertEquals(224, served.width());
            assertEquals(320, served.height());
            assertArrayEquals(PREPROCESSING.input(image.study()), PREPROCESSING.input(served));
        }
    }

    /** A non-integer scale (28 -> 100 pixels, by bilinear drawing) lands within rounding of the original. */
    @Test
    void anyOtherSizeIsAveragedBackCloseToTheOriginal() {
        int worst = 0;
        for (LabelledImage image : images) {
            BufferedImage big = new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY);
            java.awt.Graphics2D g = big.createGraphics();
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(grey(image.study(), 1), 0, 0, 100, 100, null);
            g.dispose();
            ImageStudy served = ImageDecoder.decode(encode(big), ImageLimits.DEFAULT, "", "image");
            byte[] a = PREPROCESSING.modelPixels(image.study());
            byte[] b = PREPROCESSING.modelPixels(served);
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(Byte.toUnsignedInt(a[i]) - Byte.toUnsignedInt(b[i])));
            }
        }
        assertTrue(worst <= 64, "resampling twice blurs edges but keeps the image: worst pixel " + worst);
    }

    @Test
    void standardisationUsesTheCardsMeanAndStd() {
        float[] input = PREPROCESSING.standardise(new byte[28 * 28]);
        assertEquals((0 - 0.572f) / 0.177f, input[0], 1e-6);
        byte[] white = new byte[28 * 28];
        java.util.Arrays.fill(white, (byte) 255);
        assertEquals((1 - 0.572f) / 0.177f, PREPROCESSING.standardise(white)[5], 1e-6);
    }

    @Test
    void areaAveragingOfAKnownPattern() {
        // 56x56 of 2x2 blocks whose pixels are 0, 100, 200, 100: each block averages to 100.
        byte[] pixels = new byte[56 * 56];
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                pixels[y * 56 + x] = (byte) (100 * ((x % 2) + (y % 2)));
            }
        }
        byte[] out = PREPROCESSING.modelPixels(new ImageStudy("", 56, 56, pixels));
        for (byte b : out) {
            assertEquals(100, Byte.toUnsignedInt(b));
        }
    }

    private static BufferedImage grey(ImageStudy study, int scale) {
        BufferedImage image = new BufferedImage(study.width() * scale, study.height() * scale,
                BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.getRaster().setSample(x, y, 0, study.luminance(x / scale, y / scale));
            }
        }
        return image;
    }

    /** The study enlarged {@code scale}×, with {@code padRows} dark rows above and below, grey or RGB. */
    static byte[] png(ImageStudy study, int scale, int padRows, int padColumns, boolean rgb) {
        int w = study.width() * scale + 2 * padColumns;
        int h = study.height() * scale + 2 * padRows;
        BufferedImage image = new BufferedImage(w, h, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < study.height() * scale; y++) {
            for (int x = 0; x < study.width() * scale; x++) {
                int v = study.luminance(x / scale, y / scale);
                if (rgb) {
                    image.setRGB(x + padColumns, y + padRows, (v << 16) | (v << 8) | v);
                } else {
                    image.getRaster().setSample(x + padColumns, y + padRows, 0, v);
                }
            }
        }
        return encode(image);
    }

    static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    static Path pneumonia() {
        return ImagingTestSupport.pneumoniaFile();
    }
}
