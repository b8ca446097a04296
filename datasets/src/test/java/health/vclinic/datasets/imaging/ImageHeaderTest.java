package health.vclinic.datasets.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.InvalidInputException;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The header read that admission and the pixel limit rely on: it agrees with the encoder on real
 * files, and on any truncated or garbled header it either reads a size or refuses with the field
 * named, never anything else (issue 9: refuse over-limit images before decoding).
 */
class ImageHeaderTest {

    private static final ImageLimits LIMITS = ImageLimits.DEFAULT;

    @Test
    void readsTheSizeAndSampleLayoutOfRealFiles() {
        ImageHeader grey = ImageHeader.read(ImageDecoderTest.encode(ImageDecoderTest.grey(40, 30), "png"), LIMITS, "image");
        assertEquals(new ImageHeader(ImageDecoder.Format.PNG, 40, 30, 1, 8), grey);
        ImageHeader rgba = ImageHeader.read(ImageDecoderTest.encode(new BufferedImage(33, 29,
                BufferedImage.TYPE_INT_ARGB), "png"), LIMITS, "image");
        assertEquals(new ImageHeader(ImageDecoder.Format.PNG, 33, 29, 4, 8), rgba);
        ImageHeader jpeg = ImageHeader.read(ImageDecoderTest.encode(new BufferedImage(64, 48,
                BufferedImage.TYPE_INT_RGB), "jpeg"), LIMITS, "image");
        assertEquals(new ImageHeader(ImageDecoder.Format.JPEG, 64, 48, 3, 8), jpeg);
        assertEquals(64L * 48 * 3, jpeg.rasterBytes());
    }

    @Test
    void overThePixelLimitIsRefusedNamingTheLimit() {
        byte[] png = ImageDecoderTest.encode(ImageDecoderTest.grey(300, 200), "png");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ImageHeader.read(png, new ImageLimits(1 << 20, 50_000, 28), "chest_xray"));
        assertEquals("chest_xray", e.violations().getFirst().field());
        assertTrue(e.getMessage().contains("300x200 = 60,000 pixels; at most 50,000 are accepted"), e.getMessage());
    }

    /** Every prefix and a few thousand seeded corruptions of real headers: a size, or a named refusal. */
    @Test
    void truncatedOrGarbledHeadersAreRefusedCleanly() {
        byte[][] files = {ImageDecoderTest.encode(ImageDecoderTest.grey(40, 30), "png"),
                ImageDecoderTest.encode(ImageDecoderTest.grey(40, 30), "jpeg")};
        Random random = new Random(9);
        int refused = 0;
        for (byte[] file : files) {
            for (int length = 1; length < Math.min(file.length, 700); length++) {
                refused += readsOrRefuses(Arrays.copyOf(file, length));
            }
            for (int i = 0; i < 2000; i++) {
                byte[] garbled = file.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    garbled[2 + random.nextInt(Math.min(garbled.length, 400) - 2)] = (byte) random.nextInt(256);
                }
                refused += readsOrRefuses(garbled);
            }
        }
        assertTrue(refused > 100, "the corruptions exercised the refusals: " + refused);
    }

    private static int readsOrRefuses(byte[] bytes) {
        try {
            ImageHeader header = ImageHeader.read(bytes, LIMITS, "image");
            assertTrue(header.pixels() <= LIMITS.maxPixels());
            return 0;
        } catch (InvalidInputException e) {
            assertEquals("image", e.violations().getFirst().field());
            return 1;
        }
    }
}
