package health.vclinic.datasets.imaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a NumPy {@code .npz} archive (a zip of {@code .npy} files, as written by
 * {@code numpy.savez} and {@code savez_compressed}) without Python: the zip with
 * {@link java.util.zip}, each {@code .npy} by its documented header (NumPy NEP 1, "A simple file
 * format for NumPy arrays": magic {@code \x93NUMPY}, version, header length, a Python-literal dict
 * with {@code descr}, {@code fortran_order} and {@code shape}).
 *
 * <p>Only what MedMNIST uses is supported: unsigned 8-bit values ({@code |u1}) in C order. Any other
 * dtype, Fortran order or a malformed header is an {@link IllegalArgumentException} naming the entry,
 * never a silent reinterpretation of the bytes.
 */
public final class NpzFile {

    /** Bounds memory for a malformed or hostile header; real headers are about 128 bytes. */
    private static final int MAX_HEADER_BYTES = 1 << 16;
    /** Bounds memory per array: 2 GiB is Java's array limit anyway. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpzFile() {
    }

    /**
     * Reads every {@code .npy} entry of the archive.
     *
     * @return the arrays by name (entry name without {@code .npy}), in archive order
     * @throws IOException when the file cannot be read or is not a zip archive
     * @throws IllegalArgumentException when an entry is not a supported {@code .npy} array
     */
    public static Map<String, NpyArray> read(Path file) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<? extends ZipEntry> entries = Collections.list((Enumeration<? extends ZipEntry>) zip.entries());
            for (ZipEntry entry : entries) {
                if (entry.isDirectory() || !entry.getName().endsWith(".npy")) {
                    continue;
                }
                String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name, readNpy(name, in));
                }
            }
        }
        return Collections.unmodifiableMap(arrays);
    }

    /** Reads one {@code .npy} stream. */
    static NpyArray readNpy(String name, InputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length + 2);
        if (magic.length < MAGIC.length + 2 || !java.util.Arrays.equals(magic, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException(name + ": not a .npy array (no \\x93NUMPY magic)");
        }
        int major = magic[MAGIC.length];
        long headerLength;
        if (major == 1) {
            headerLength = littleEndian(in.readNBytes(2));
        } else if (major == 2 || major == 3) {
            headerLength = littleEndian(in.readNBytes(4));
        } else {
            throw new IllegalArgumentException(name + ": .npy format version " + major + " is not supported (1 to 3 are)");
        }
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(name + ": .npy header length " + headerLength + " is out of range");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length != headerLength) {
            throw new IllegalArgumentException(name + ": truncated .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if (!descr.equals("|u1") && !descr.equals("<u1") && !descr.equals(">u1")) {
            throw new IllegalArgumentException(name + ": dtype '" + descr + "' is not supported; only uint8 ('|u1') is");
        }
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw new IllegalArgumentException(name + ": Fortran-order arrays are not supported; save in C order");
        }
        int[] shape = shape(group(SHAPE, header, name, "shape"), name);
        long size = 1;
        for (int d : shape) {
            size *= d;
            if (size > MAX_ARRAY_BYTES) {
                throw new IllegalArgumentException(name + ": array of shape " + java.util.Arrays.toString(shape)
                        + " is too large to read");
            }
        }
        byte[] data = readExactly(in, (int) size, name);
        if (in.read() != -1) {
            throw new IllegalArgumentException(name + ": more data than its shape "
                    + java.util.Arrays.toString(shape) + " holds");
        }
        return new NpyArray(name, shape, data);
    }

    private static byte[] readExactly(InputStream in, int size, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(size, 1 << 24));
        byte[] buffer = new byte[1 << 16];
        int remaining = size;
        while (remaining > 0) {
            int n = in.read(buffer, 0, Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IllegalArgumentException(name + ": truncated .npy data (" + (size - remaining) + " of "
                        + size + " bytes)");
            }
            out.write(buffer, 0, n);
            remaining -= n;
        }
        return out.toByteArray();
    }

    private static int[] shape(String tuple, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : tuple.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": shape (" + tuple + ") is not a tuple of integers", e);
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String group(Pattern pattern, String header, String name, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": .npy header has no '" + key + "'");
        }
        return m.group(1);
    }

    private static long littleEndian(byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | Byte.toUnsignedInt(bytes[i]);
        }
        return value;
    }
}
