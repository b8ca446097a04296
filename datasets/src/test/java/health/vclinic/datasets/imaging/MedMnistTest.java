package health.vclinic.datasets.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.imaging.MedMnist.Split;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npz reader on the real PneumoniaMNIST file: the official counts from the data set's README and
 * the MedMNIST paper, and pixel checksums computed independently from the raw {@code .npy} bytes.
 */
class MedMnistTest {

    private static MedMnist pneumonia;

    static Path pneumoniaFile() {
        String root = System.getProperty("vclinic.root", ".");
        Path file = Path.of(root).resolve(MedMnist.PNEUMONIA_RELATIVE_PATH).normalize();
        if (!Files.isRegularFile(file)) {
            // Run from the module directory (an IDE): the project root is one level up.
            file = Path.of("..").resolve(MedMnist.PNEUMONIA_RELATIVE_PATH).normalize();
        }
        return file;
    }

    @BeforeAll
    static void read() throws IOException {
        pneumonia = MedMnist.readPneumonia(pneumoniaFile());
    }

    @Test
    void officialSplitSizesAndClassCounts() {
        assertEquals(4708, pneumonia.split(Split.TRAIN).size());
        assertEquals(524, pneumonia.split(Split.VAL).size());
        assertEquals(624, pneumonia.split(Split.TEST).size());
        assertArrayEquals(new int[] {1214, 3494}, pneumonia.classCounts(Split.TRAIN));
        assertArrayEquals(new int[] {135, 389}, pneumonia.classCounts(Split.VAL));
        assertArrayEquals(new int[] {234, 390}, pneumonia.classCounts(Split.TEST));
        assertEquals(List.of("normal", "pneumonia"), pneumonia.classes());
    }

    /** Checksums of the raw uint8 image bytes, computed with Python's zipfile + hashlib. */
    @Test
    void pixelsMatchTheFileByteForByte() {
        assertEquals("4a21a8862308428fe9c3f5d166deee75b02408d6d63483e76b98eb588d172f87", sha256(Split.TRAIN));
        assertEquals("499b99bb7cc3b2a8654da75b2a19fae443343c6251d46a9c80249930d4f33934", sha256(Split.VAL));
        assertEquals("f936e3b6b29d2ed7a8182dd090c27504a6b7152ce496a960db0169622aabf843", sha256(Split.TEST));
        LabelledImage first = pneumonia.split(Split.TRAIN).getFirst();
        assertEquals(28, first.study().width());
        assertEquals(28, first.study().height());
        assertEquals(List.of(92, 108, 117, 111, 101), List.of(first.study().luminance(0, 0),
                first.study().luminance(1, 0), first.study().luminance(2, 0), first.study().luminance(3, 0),
                first.study().luminance(4, 0)));
        assertEquals("pneumoniamnist/test/3", pneumonia.split(Split.TEST).get(3).study().studyId());
        assertEquals(List.of(1, 0, 1, 0, 1), pneumonia.split(Split.TEST).subList(0, 5).stream()
                .map(LabelledImage::label).toList());
    }

    private static String sha256(Split split) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            pneumonia.split(split).forEach(i -> digest.update(i.study().pixels()));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesWhatItCannotReadFaithfully(@TempDir Path dir) throws IOException {
        assertTrue(message(dir, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4])
                .contains("dtype '<f4' is not supported"));
        assertTrue(message(dir, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", new byte[4])
                .contains("Fortran-order"));
        assertTrue(message(dir, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new byte[4])
                .contains("truncated .npy data"));
        assertTrue(message(dir, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new byte[4])
                .contains("more data than its shape"));
        Path notMedMnist = npz(dir, "x.npz", Map.of("train_images", npy("{'descr': '|u1', 'fortran_order': False, "
                + "'shape': (1, 2, 2), }", new byte[4])));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MedMnist.readPneumonia(notMedMnist));
        assertTrue(e.getMessage().contains("no 'train_labels' array"), e.getMessage());
    }

    @Test
    void readsAHandWrittenArchive(@TempDir Path dir) throws IOException {
        Path file = npz(dir, "ok.npz", Map.of("a", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }",
                new byte[] {0, 1, 2, (byte) 253, (byte) 254, (byte) 255})));
        NpyArray a = NpzFile.read(file).get("a");
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertEquals(255, a.unsigned(5));
    }

    private static String message(Path dir, String header, byte[] data) throws IOException {
        Path file = npz(dir, "bad.npz", Map.of("a", npy(header, data)));
        return assertThrows(IllegalArgumentException.class, () -> NpzFile.read(file)).getMessage();
    }

    /** A version 1.0 .npy: magic, version, little-endian header length, header padded to 64 bytes. */
    static byte[] npy(String dict, byte[] data) {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                (byte) header.length(), (byte) (header.length() >> 8)});
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static Path npz(Path dir, String name, Map<String, byte[]> arrays) throws IOException {
        Path file = dir.resolve(name);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }
}
