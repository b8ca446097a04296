package health.vclinic.datasets.imaging;

import health.vclinic.datasets.InvalidInputException;
import java.util.Locale;
import java.util.Objects;

/**
 * What a PNG or JPEG file says about itself before a single pixel is decoded: its format, size, and
 * how many bytes its decoded samples will take. Read from the header bytes alone (the PNG IHDR chunk,
 * PNG 1.2 / ISO 15948 section 11.2.2; the JPEG start-of-frame segment, ITU-T T.81 section B.2.2), so a
 * server can refuse an image over its limits, or cost it for admission, without the decoder
 * allocating anything.
 *
 * <p>The decoded size matters more than the file size: a 4096 × 4096 16-bit RGBA PNG of a few
 * megabytes decodes to a 128 MiB raster, and a few dozen of them at once exhaust a heap.
 *
 * @param format PNG or JPEG
 * @param width pixels per row
 * @param height rows
 * @param channels samples per pixel (1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha or CMYK; a PNG
 *     palette image counts 1)
 * @param bitsPerSample 1 to 16
 */
public record ImageHeader(ImageDecoder.Format format, int width, int height, int channels, int bitsPerSample) {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    public ImageHeader {
        Objects.requireNonNull(format, "format");
        if (width < 1 || height < 1 || channels < 1 || channels > 4 || bitsPerSample < 1 || bitsPerSample > 16) {
            throw new IllegalArgumentException("an image header needs a positive size, 1 to 4 channels and 1 to 16"
                    + " bits per sample");
        }
    }

    /** Width × height. */
    public long pixels() {
        return (long) width * height;
    }

    /**
     * The bytes the decoder's raster takes: one or two bytes per sample (ImageIO widens samples of 1 to
     * 8 bits to a byte, 9 to 16 bits to a short).
     */
    public long rasterBytes() {
        return pixels() * channels * (bitsPerSample > 8 ? 2 : 1);
    }

    /**
     * Reads and checks the header: the byte limit, the signature, then the pixel limit and the
     * smallest side, all before decoding.
     *
     * @param field the request field the bytes came from, named in errors
     * @throws InvalidInputException naming {@code field}, the limit and the value found
     */
    public static ImageHeader read(byte[] bytes, ImageLimits limits, String field) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(limits, "limits");
        if (bytes.length == 0) {
            throw new InvalidInputException(field, "is empty; send the bytes of a PNG or JPEG image");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new InvalidInputException(field, String.format(Locale.ROOT, "is %,d bytes; at most %,d are accepted",
                    bytes.length, limits.maxBytes()));
        }
        ImageHeader header;
        if (startsWithPngSignature(bytes)) {
            header = png(bytes, field);
        } else if (bytes.length >= 3 && u8(bytes, 0) == 0xff && u8(bytes, 1) == 0xd8 && u8(bytes, 2) == 0xff) {
            header = jpeg(bytes, field);
        } else {
            throw new InvalidInputException(field, "is not a PNG or JPEG image (its first bytes are neither signature)");
        }
        header.requireWithin(limits, field);
        return header;
    }

    /**
     * @throws InvalidInputException when the image has more pixels than {@link ImageLimits#maxPixels()}
     *     or a side below {@link ImageLimits#minSide()}
     */
    public void requireWithin(ImageLimits limits, String field) {
        if (pixels() > limits.maxPixels()) {
            throw new InvalidInputException(field, String.format(Locale.ROOT,
                    "is %dx%d = %,d pixels; at most %,d are accepted", width, height, pixels(), limits.maxPixels()));
        }
        if (width < limits.minSide() || height < limits.minSide()) {
            throw new InvalidInputException(field, "is " + width + "x" + height + " pixels; at least "
                    + limits.minSide() + "x" + limits.minSide() + " are needed");
        }
    }

    /** IHDR must come first, right after the signature: length 13, type, width, height, depth, colour type. */
    private static ImageHeader png(byte[] b, String field) {
        if (b.length < 8 + 8 + 13 || u32(b, 8) != 13 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw corrupt(field, ImageDecoder.Format.PNG, "its IHDR header is missing");
        }
        long width = u32(b, 16);
        long height = u32(b, 20);
        int depth = u8(b, 24);
        int channels = switch (u8(b, 25)) {
            case 0, 3 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> throw corrupt(field, ImageDecoder.Format.PNG, "its colour type is not defined by PNG");
        };
        if (width < 1 || height < 1 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE
                || !(depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16)) {
            throw corrupt(field, ImageDecoder.Format.PNG, "its IHDR header gives an impossible size or bit depth");
        }
        return new ImageHeader(ImageDecoder.Format.PNG, (int) width, (int) height, channels, depth);
    }

    /**
     * Walks the marker segments to the first start-of-frame (SOF0 to SOF15 except DHT C4, JPG C8 and
     * DAC CC); each segment's length is checked against the file, so a hostile length cannot loop.
     */
    private static ImageHeader jpeg(byte[] b, String field) {
        int i = 2;
        while (i + 4 <= b.length) {
            if (u8(b, i) != 0xff) {
                throw corrupt(field, ImageDecoder.Format.JPEG, "a marker is expected before its frame header");
            }
            int marker = u8(b, i + 1);
            if (marker == 0xff) {
                i++; // fill byte before a marker
                continue;
            }
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xd9 || marker == 0xda) {
                break; // end of image or start of scan before any frame header
            }
            int length = u16(b, i + 2);
            if (length < 2 || i + 2 + length > b.length) {
                break;
            }
            boolean frame = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (frame) {
                if (length < 8) {
                    break;
                }
                int precision = u8(b, i + 4);
                int height = u16(b, i + 5);
                int width = u16(b, i + 7);
                int components = u8(b, i + 9);
                if (height == 0 || width == 0 || components < 1 || components > 4 || precision < 2
                        || precision > 16) {
                    // Height 0 (a DNL marker gives it later) is legal but never sent by cameras or PACS
                    // exports; refusing it keeps the size known before decoding.
                    throw corrupt(field, ImageDecoder.Format.JPEG, "its frame header gives no usable size");
                }
                return new ImageHeader(ImageDecoder.Format.JPEG, width, height, components, precision);
            }
            i += 2 + length;
        }
        throw corrupt(field, ImageDecoder.Format.JPEG, "no frame header gives its size");
    }

    private static InvalidInputException corrupt(String field, ImageDecoder.Format format, String why) {
        return new InvalidInputException(field, "cannot be decoded: corrupt " + format + " data (" + why + ")");
    }

    private static boolean startsWithPngSignature(byte[] b) {
        return b.length >= PNG_SIGNATURE.length
                && java.util.Arrays.equals(b, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length);
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    private static int u16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static long u32(byte[] b, int i) {
        return ((long) u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }
}
