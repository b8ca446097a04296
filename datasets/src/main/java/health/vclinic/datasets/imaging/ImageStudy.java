package health.vclinic.datasets.imaging;

import java.util.Arrays;
import java.util.Objects;

/**
 * One greyscale image of a study (a chest X-ray, a photo converted to grey), as 8-bit luminance,
 * row-major, 0 black to 255 white. Both the data-set readers (PneumoniaMNIST's 28×28 images) and the
 * service (a decoded PNG or JPEG of any size) produce it, so the model's preprocessing sees one type.
 *
 * @param studyId the caller's or data set's reference, e.g. {@code pneumoniamnist/test/17}; may be
 *     empty, at most 128 characters, never logged
 * @param width pixels per row, at least 1
 * @param height rows, at least 1
 * @param pixels {@code width * height} luminance values
 */
public record ImageStudy(String studyId, int width, int height, byte[] pixels) {

    public ImageStudy {
        Objects.requireNonNull(studyId, "studyId");
        if (studyId.length() > 128) {
            throw new IllegalArgumentException("a study id is at most 128 characters");
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image is at least 1x1 pixels, not " + width + "x" + height);
        }
        if ((long) width * height != pixels.length) {
            throw new IllegalArgumentException(width + "x" + height + " needs " + (long) width * height
                    + " pixels, not " + pixels.length);
        }
        pixels = pixels.clone();
    }

    /** A copy of the pixels. */
    @Override
    public byte[] pixels() {
        return pixels.clone();
    }

    /** The luminance at column {@code x}, row {@code y}, 0 to 255. */
    public int luminance(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return Byte.toUnsignedInt(pixels[y * width + x]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageStudy other && studyId.equals(other.studyId) && width == other.width
                && height == other.height && Arrays.equals(pixels, other.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(studyId, width, height, Arrays.hashCode(pixels));
    }

    /** Size only: the id may identify a patient and the pixels are the patient's. */
    @Override
    public String toString() {
        return "ImageStudy[" + width + "x" + height + "]";
    }
}
