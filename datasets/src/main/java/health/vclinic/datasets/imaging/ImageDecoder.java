package health.vclinic.datasets.imaging;

import health.vclinic.datasets.InvalidInputException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes a PNG or JPEG file into a greyscale {@link ImageStudy}, refusing anything it should not
 * trust before spending memory on it. In order, each failure an {@link InvalidInputException} that
 * names the field and the reason (never the content):
 * <ol>
 *   <li>empty, or more than {@link ImageLimits#maxBytes()} bytes;</li>
 *   <li>neither a PNG signature nor a JPEG start-of-image marker;</li>
 *   <li>the header's width × height above {@link ImageLimits#maxPixels()} or a side below
 *       {@link ImageLimits#minSide()} (read by {@link ImageHeader} from the header bytes alone, before
 *       any decoder is created, so a decompression bomb is never decoded);</li>
 *   <li>truncated: a PNG without its final IEND chunk, a JPEG without its end-of-image marker, or
 *       data that ends early while decoding (the JPEG decoder only warns, and grey-fills the rest);</li>
 *   <li>corrupt data, or a colour type other than grey, grey + alpha, palette, RGB or RGBA.</li>
 * </ol>
 *
 * <p>Colour is converted to luminance with the ITU-R BT.601 weights (0.299 R + 0.587 G + 0.114 B,
 * rounded, as Pillow's {@code convert("L")}, which MedMNIST images went through); alpha is ignored;
 * 16-bit samples are scaled to 8 bits. Grey samples are read from the raster, never through
 * {@code getRGB}, which would apply a gamma conversion to grey images.
 *
 * <p>Stateless and thread safe; nothing is cached on disk ({@code ImageIO}'s file cache is bypassed).
 */
public final class ImageDecoder {

    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82};

    private ImageDecoder() {
    }

    /** The image formats accepted. */
    public enum Format {
        PNG, JPEG
    }

    /**
     * @param studyId the reference the study will carry
     * @param field the request field the bytes came from, named in errors (e.g. {@code image})
     * @throws InvalidInputException naming {@code field} and why the bytes are refused
     */
    public static ImageStudy decode(byte[] bytes, ImageLimits limits, String studyId, String field) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(limits, "limits");
        ImageHeader header = ImageHeader.read(bytes, limits, field);
        Format format = header.format();
        requireComplete(bytes, format, field);
        ImageReader reader = reader(format);
        WarningCollector warnings = new WarningCollector();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(warnings);
            if (reader.getWidth(0) != header.width() || reader.getHeight(0) != header.height()) {
                throw invalid(field, "is corrupt " + format + " data (its headers disagree on its size)");
            }
            BufferedImage image = reader.read(0);
            if (warnings.message != null) {
                throw invalid(field, "is truncated or corrupt " + format + " data (the decoder stopped early)");
            }
            return new ImageStudy(studyId, image.getWidth(), image.getHeight(), luminance(image, field));
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidInputException bad) {
                throw bad;
            }
            // ImageIO reports bad data as IIOException, EOFException and, for some malformed files,
            // unchecked exceptions; all of them mean the same thing to the caller.
            throw invalid(field, "cannot be decoded: truncated or corrupt " + format + " data");
        } finally {
            reader.dispose();
        }
    }

    private static void requireComplete(byte[] bytes, Format format, String field) {
        boolean complete = switch (format) {
            case PNG -> endsWith(bytes, PNG_IEND);
            case JPEG -> endsWithJpegEoi(bytes);
        };
        if (!complete) {
            throw invalid(field, "is a truncated " + format + " file (its end-of-image "
                    + (format == Format.PNG ? "IEND chunk" : "marker") + " is missing)");
        }
    }

    private static byte[] luminance(BufferedImage image, String field) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] out = new byte[width * height];
        int[] row = new int[width * raster.getNumBands()];
        if (cm instanceof IndexColorModel palette) {
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    int i = row[x];
                    out[y * width + x] = (byte) luma(palette.getRed(i), palette.getGreen(i), palette.getBlue(i));
                }
            }
            return out;
        }
        int space = cm.getColorSpace().getType();
        int colours = cm.getNumColorComponents();
        if (space == ColorSpace.TYPE_GRAY && colours == 1) {
            int max = (1 << cm.getComponentSize(0)) - 1;
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    out[y * width + x] = (byte) scale(row[x], max);
                }
            }
            return out;
        }
        if (space == ColorSpace.TYPE_RGB && colours == 3) {
            int bands = raster.getNumBands();
            int[] max = {(1 << cm.getComponentSize(0)) - 1, (1 << cm.getComponentSize(1)) - 1,
                    (1 << cm.getComponentSize(2)) - 1};
            for (int y = 0; y < height; y++) {
                raster.getPixels(0, y, width, 1, row);
                for (int x = 0; x < width; x++) {
                    int p = x * bands;
                    out[y * width + x] = (byte) luma(scale(row[p], max[0]), scale(row[p + 1], max[1]),
                            scale(row[p + 2], max[2]));
                }
            }
            return out;
        }
        throw invalid(field, "has an unsupported colour type; send a greyscale or RGB PNG or JPEG");
    }

    /** ITU-R BT.601 luma with Pillow's fixed-point weights and rounding. */
    static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static int scale(int sample, int max) {
        return max == 255 ? sample : (int) Math.round(sample * 255.0 / max);
    }

    private static ImageReader reader(Format format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format == Format.PNG ? "png" : "jpeg");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JVM has no " + format + " reader (java.desktop is required)");
        }
        return readers.next();
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length && java.util.Arrays.equals(bytes, bytes.length - suffix.length,
                bytes.length, suffix, 0, suffix.length);
    }

    /** The EOI marker FF D9 last, allowing the zero padding some encoders append. */
    private static boolean endsWithJpegEoi(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return end >= 4 && (bytes[end - 2] & 0xff) == 0xff && (bytes[end - 1] & 0xff) == 0xd9;
    }

    private static InvalidInputException invalid(String field, String reason) {
        return new InvalidInputException(field, reason);
    }

    private static final class WarningCollector implements IIOReadWarningListener {
        private volatile String message;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (message == null) {
                message = warning;
            }
        }
    }
}
