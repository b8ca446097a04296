package health.vclinic.datasets.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.InvalidInputException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Decoding and every refusal, each with a message that names the field and the reason. */
class ImageDecoderTest {

    private static final ImageLimits LIMITS = ImageLimits.DEFAULT;

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new AssertionError("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static BufferedImage grey(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, (x * 7 + y * 13) % 256);
            }
        }
        return image;
    }

    private static String refusal(byte[] bytes) {
        return refusal(bytes, LIMITS);
    }

    private static String refusal(byte[] bytes, ImageLimits limits) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImageDecoder.decode(bytes, limits, "", "image"));
        assertEquals("image", e.violations().getFirst().field());
        return e.getMessage();
    }

    @Test
    void greyPngIsReadSampleForSample() {
        BufferedImage image = grey(40, 30);
        ImageStudy study = ImageDecoder.decode(encode(image, "png"), LIMITS, "s-1", "image");
        assertEquals(40, study.width());
        assertEquals(30, study.height());
        assertEquals("s-1", study.studyId());
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                assertEquals(image.getRaster().getSample(x, y, 0), study.luminance(x, y));
            }
        }
    }

    @Test
    void colourBecomesBt601Luma() {
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_ARGB);
        rgb.setRGB(0, 0, 0xffff0000);
        rgb.setRGB(1, 0, 0x8000ff00);
        rgb.setRGB(2, 0, 0xff0000ff);
        rgb.setRGB(3, 0, 0xffffffff);
        ImageStudy study = ImageDecoder.decode(encode(rgb, "png"), LIMITS, "", "image");
        assertEquals(76, study.luminance(0, 0));
        assertEquals(150, study.luminance(1, 0), "alpha is ignored");
        assertEquals(29, study.luminance(2, 0));
        assertEquals(255, study.luminance(3, 0));
        assertEquals(0, study.luminance(4, 0));
    }

    @Test
    void sixteenBitGreyAndPaletteImages() {
        BufferedImage wide = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        wide.getRaster().setSample(0, 0, 0, 65535);
        wide.getRaster().setSample(1, 0, 0, 257 * 100);
        ImageStudy study = ImageDecoder.decode(encode(wide, "png"), LIMITS, "", "image");
        assertEquals(255, study.luminance(0, 0));
        assertEquals(100, study.luminance(1, 0));

        byte[] r = {0, (byte) 255};
        byte[] g = {0, 0};
        byte[] b = {0, 0};
        BufferedImage indexed = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY,
                new IndexColorModel(1, 2, r, g, b));
        indexed.getRaster().setSample(5, 5, 0, 1);
        study = ImageDecoder.decode(encode(indexed, "png"), LIMITS, "", "image");
        assertEquals(76, study.luminance(5, 5));
        assertEquals(0, study.luminance(0, 0));
    }

    @Test
    void jpegDecodesCloseToItsSource() {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.getRaster().setSample(x, y, 0, 60 + x + y);
            }
        }
        ImageStudy study = ImageDecoder.decode(encode(image, "jpeg"), LIMITS, "", "image");
        assertEquals(64, study.width());
        assertTrue(Math.abs(study.luminance(32, 32) - (60 + 64)) <= 3, "lossy, but close");
    }

    @Test
    void emptyOversizedAndNonImagesAreRefusedBeforeDecoding() {
        assertTrue(refusal(new byte[0]).contains("image is empty"));
        byte[] png = encode(grey(64, 64), "png");
        assertTrue(refusal(png, new ImageLimits(100, LIMITS.maxPixels(), 28))
                .matches("image is [0-9,]+ bytes; at most 100 are accepted"), refusal(png, new ImageLimits(100, 1 << 20, 28)));
        assertTrue(refusal("{\"not\": \"an image\"}".getBytes(StandardCharsets.UTF_8))
                .contains("image is not a PNG or JPEG image"));
        byte[] gif = encode(grey(32, 32), "gif");
        assertTrue(refusal(gif).contains("not a PNG or JPEG"));
    }

    @Test
    void pixelLimitIsCheckedFromTheHeader() {
        // A valid PNG whose header claims 100,000 x 100,000 pixels: decoding it would need 10 GB.
        byte[] bomb = pngClaiming(100_000, 100_000);
        assertTrue(refusal(bomb).contains("100000x100000 = 10,000,000,000 pixels; at most 16,777,216 are accepted"),
                refusal(bomb));
        assertTrue(refusal(encode(grey(20, 100), "png")).contains("is 20x100 pixels; at least 28x28 are needed"));
    }

    @Test
    void truncatedAndCorruptFilesAreRefused() {
        byte[] png = encode(grey(200, 200), "png");
        assertTrue(refusal(Arrays.copyOf(png, png.length / 2)).contains("truncated PNG file"));
        assertTrue(refusal(Arrays.copyOf(png, png.length - 12)).contains("truncated PNG file"), "IEND missing");
        byte[] jpeg = encode(grey(200, 200), "jpeg");
        assertTrue(refusal(Arrays.copyOf(jpeg, jpeg.length / 2)).contains("truncated JPEG file"));
        // Every byte intact except the compressed image data, with the end markers kept.
        byte[] corruptPng = png.clone();
        for (int i = 60; i < corruptPng.length - 20; i++) {
            corruptPng[i] = (byte) (i * 31);
        }
        assertTrue(refusal(corruptPng).contains("cannot be decoded: truncated or corrupt PNG data"), refusal(corruptPng));
        // A JPEG that ends early but was given back its EOI marker: the decoder only warns.
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2 + 2);
        cut[cut.length - 2] = (byte) 0xff;
        cut[cut.length - 1] = (byte) 0xd9;
        String message = refusal(cut);
        assertTrue(message.contains("truncated or corrupt JPEG data"), message);
    }

    @Test
    void messagesNeverCarryTheContent() {
        byte[] text = "patient Jane Doe".getBytes(StandardCharsets.UTF_8);
        assertTrue(!refusal(text).contains("Jane"));
    }

    /** A PNG with a valid IHDR (CRC included), one empty IDAT and IEND. */
    private static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void recordsCopyTheirPixels() {
        byte[] pixels = new byte[28 * 28];
        ImageStudy study = new ImageStudy("", 28, 28, pixels);
        pixels[0] = 9;
        assertEquals(0, study.luminance(0, 0));
        assertArrayEquals(new byte[28 * 28], study.pixels());
        assertEquals("ImageStudy[28x28]", study.toString());
    }
}
