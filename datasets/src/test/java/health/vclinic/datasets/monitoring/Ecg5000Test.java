package health.vclinic.datasets.monitoring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real ECG5000 files: counts from the README, the column-major layout, and the tiny .npy reader. */
class Ecg5000Test {

    private static Ecg5000 ecg;

    @BeforeAll
    static void read() {
        ecg = Ecg5000.read(DataPaths.ecg());
    }

    @Test
    void splitsAndClassCountsMatchTheReadme() {
        Map<Integer, Long> trainClasses = ecg.train().stream()
                .collect(Collectors.groupingBy(LabelledBeat::ucrClass, TreeMap::new, Collectors.counting()));
        assertAll(
                () -> assertEquals(500, ecg.train().size()),
                () -> assertEquals(4500, ecg.test().size()),
                () -> assertEquals(Map.of(1, 292L, 2, 177L, 3, 10L, 4, 19L, 5, 2L), trainClasses),
                () -> assertEquals(2627, ecg.test().stream().filter(b -> !b.abnormal()).count()),
                () -> assertEquals(1873, ecg.test().stream().filter(LabelledBeat::abnormal).count()),
                () -> assertEquals(500, ecg.test().getFirst().index()));
    }

    @Test
    void firstBeatIsTheFirstLineOfTheTextFile() {
        // ECG5000_TRAIN.txt line 1: class 1, then -0.11252183, -2.8272038, -3.7738969 ...
        EcgBeat first = ecg.train().getFirst().beat();
        assertAll(
                () -> assertEquals(1, ecg.train().getFirst().ucrClass()),
                () -> assertEquals(-0.11252183f, first.at(0)),
                () -> assertEquals(-2.8272038f, first.at(1)),
                () -> assertEquals(-3.7738969f, first.at(2)));
    }

    @Test
    void testBeatsAreZNormalisedRowsNotColumns() {
        // UCR z-normalises each beat: mean 0 and population std sqrt(139/140) = 0.99642 when read row by row.
        for (LabelledBeat b : ecg.test().subList(0, 200)) {
            float[] x = b.beat().samples();
            double mean = 0;
            for (float v : x) {
                mean += v;
            }
            mean /= x.length;
            assertEquals(0, mean, 1e-3, "beat " + b.index());
            assertEquals(0.99642, b.beat().std(), 2e-3, "beat " + b.index());
        }
    }

    @Test
    void npyReaderTransposesColumnMajorArrays(@TempDir Path dir) throws IOException {
        // A 2x3 float32 array [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
        Path f = npy(dir.resolve("f.npy"), "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                new float[] {1, 4, 2, 5, 3, 6});
        Npy read = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, read.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.floats());
        Path c = npy(dir.resolve("c.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Npy.read(c).floats());
    }

    @Test
    void npyReaderRejectsWhatItCannotRead(@TempDir Path dir) throws IOException {
        Path f64 = npy(dir.resolve("d.npy"), "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new float[] {0, 0});
        var e = assertThrows(IllegalArgumentException.class, () -> Npy.read(f64));
        assertTrue(e.getMessage().contains("<f8"), e.getMessage());
        Path shortFile = npy(dir.resolve("s.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new float[] {0});
        assertThrows(IllegalArgumentException.class, () -> Npy.read(shortFile));
        Path notNpy = Files.writeString(dir.resolve("x.npy"), "hello world");
        assertThrows(IllegalArgumentException.class, () -> Npy.read(notNpy));
    }

    private static Path npy(Path file, String header, float[] values) throws IOException {
        StringBuilder h = new StringBuilder(header);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + hb.length + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) hb.length).put(hb);
        for (float v : values) {
            b.putFloat(v);
        }
        return Files.write(file, b.array());
    }
}
