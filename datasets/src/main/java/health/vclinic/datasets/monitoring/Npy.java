package health.vclinic.datasets.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader of NumPy {@code .npy} files (NEP 1, format 1.0 to 3.0) holding little-endian
 * {@code float32} or {@code int32} arrays of one or two dimensions. Column-major files
 * ({@code fortran_order: True}) are transposed on reading, so {@link #floats()} is always row-major:
 * the ECG5000 signals are stored column-major and a reader that ignores the flag scrambles every beat.
 */
final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?[a-z][0-9]+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private final int[] shape;
    private final float[] floats;
    private final int[] ints;

    private Npy(int[] shape, float[] floats, int[] ints) {
        this.shape = shape;
        this.floats = floats;
        this.ints = ints;
    }

    static Npy read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new IllegalArgumentException(file + " is not a NumPy .npy file (bad magic)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort(8)) : buf.getInt(8);
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        if (dataStart > bytes.length) {
            throw new IllegalArgumentException(file + ": header longer than the file");
        }
        String header = new String(bytes, major == 1 ? 10 : 12, headerLength,
                major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, file, "descr");
        boolean fortran = group(FORTRAN, header, file, "fortran_order").equals("True");
        int[] shape = shape(group(SHAPE, header, file, "shape"), file);
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        if (!descr.equals("<f4") && !descr.equals("<i4")) {
            throw new IllegalArgumentException(file + ": dtype " + descr + " not supported (little-endian float32 or int32)");
        }
        if ((long) dataStart + count * 4 != bytes.length) {
            throw new IllegalArgumentException(file + ": shape " + Arrays.toString(shape) + " needs " + count * 4
                    + " data bytes, the file has " + (bytes.length - dataStart));
        }
        int n = (int) count;
        int rows = shape.length == 2 ? shape[0] : n;
        int cols = shape.length == 2 ? shape[1] : 1;
        buf.position(dataStart);
        if (descr.equals("<f4")) {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[rowMajorIndex(i, rows, cols, fortran)] = buf.getFloat();
            }
            return new Npy(shape, out, null);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[rowMajorIndex(i, rows, cols, fortran)] = buf.getInt();
        }
        return new Npy(shape, null, out);
    }

    /** Where the {@code i}-th stored value goes in row-major order. */
    private static int rowMajorIndex(int i, int rows, int cols, boolean fortran) {
        if (!fortran || cols == 1) {
            return i;
        }
        int col = i / rows;
        int row = i % rows;
        return row * cols + col;
    }

    int[] shape() {
        return shape.clone();
    }

    /** The values, row-major. */
    float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("an int32 array, not float32");
        }
        return floats;
    }

    int[] ints() {
        if (ints == null) {
            throw new IllegalStateException("a float32 array, not int32");
        }
        return ints;
    }

    private static String group(Pattern p, String header, Path file, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": the .npy header has no readable '" + key + "'");
        }
        return m.group(1);
    }

    private static int[] shape(String text, Path file) {
        String[] parts = text.split(",");
        int[] dims = Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        if (dims.length < 1 || dims.length > 2) {
            throw new IllegalArgumentException(file + ": only 1- or 2-dimensional arrays are supported, not shape (" + text + ")");
        }
        return dims;
    }
}
