package health.vclinic.datasets.monitoring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real 200-stay subset, checked against the counts its README publishes. */
class SepsisDatasetTest {

    private static List<SepsisStay> stays;

    @BeforeAll
    static void read() {
        stays = SepsisDataset.read(DataPaths.sepsis());
    }

    private static SepsisStay stay(String id) {
        return stays.stream().filter(s -> s.patientId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void countsMatchTheReadme() {
        assertAll(
                () -> assertEquals(200, stays.size()),
                () -> assertEquals(100, stays.stream().filter(SepsisStay::septic).count()),
                () -> assertEquals(9703, stays.stream().mapToInt(s -> s.hours().size()).sum()),
                () -> assertEquals(956, stays.stream().flatMap(s -> s.hours().stream()).filter(SepsisHour::sepsisLabel).count()),
                () -> assertEquals(8, stays.stream().mapToInt(s -> s.hours().size()).min().orElseThrow()),
                () -> assertEquals(258, stays.stream().mapToInt(s -> s.hours().size()).max().orElseThrow()),
                () -> assertEquals("p000001", stays.getFirst().patientId()),
                () -> assertEquals("p001123", stays.getLast().patientId()));
    }

    @Test
    void readsTheSecondRowOfP000009AsWritten() {
        SepsisStay s = stay("p000009");
        SepsisHour h = s.hours().get(1);
        assertAll(
                () -> assertEquals(258, s.hours().size()),
                () -> assertTrue(s.septic()),
                () -> assertEquals(27.92, s.ageYears(), 1e-9),
                () -> assertEquals(2, h.iculos()),
                () -> assertEquals(117, h.heartRate().getAsDouble()),
                () -> assertEquals(99, h.spo2().getAsDouble()),
                () -> assertTrue(h.temperatureC().isEmpty()),
                () -> assertEquals(116, h.systolicBp().getAsDouble()),
                () -> assertEquals(81, h.diastolicBp().getAsDouble()),
                () -> assertEquals(20, h.respiratoryRate().getAsDouble()),
                () -> assertTrue(s.hours().getFirst().noVitals()));
    }

    @Test
    void onsetIsTheFirstLabelPlusSixHours() {
        for (SepsisStay s : stays) {
            if (!s.septic()) {
                assertEquals(OptionalInt.empty(), s.onsetHour(), s.patientId());
                continue;
            }
            int firstLabel = s.hours().stream().filter(SepsisHour::sepsisLabel).findFirst().orElseThrow().iculos();
            assertEquals(firstLabel + 6, s.onsetHour().getAsInt(), s.patientId());
        }
    }

    @Test
    void samplesSkipEmptyHoursAndBlankImpossibleValues() {
        Instant admission = Instant.parse("2024-01-01T00:00:00Z");
        SepsisStay s = stay("p000009");
        List<VitalSample> samples = s.samples(admission);
        assertEquals(s.hours().stream().filter(h -> !h.noVitals()).count(), samples.size());
        assertEquals(admission.plusSeconds(2 * 3600), samples.getFirst().timestamp());
        assertEquals("p000009", samples.getFirst().patientRef());
        // Every row of the subset converts: the one with a diastolic above its systolic loses the diastolic.
        long rows = 0;
        for (SepsisStay stay : stays) {
            for (VitalSample v : stay.samples(admission)) {
                rows++;
                if (v.vitals().diastolicBp().isPresent() && v.vitals().systolicBp().isPresent()) {
                    assertTrue(v.vitals().diastolicBp().getAsDouble() < v.vitals().systolicBp().getAsDouble());
                }
            }
        }
        assertTrue(rows > 9000, "rows " + rows);
    }

    @Test
    void fio2AboveRoomAirMeansOxygen() {
        SepsisHour onOxygen = new SepsisHour(3, opt(90), opt(95), none(), opt(120), none(), opt(70), opt(18), opt(0.4), false);
        SepsisHour onAir = new SepsisHour(3, opt(90), none(), none(), none(), none(), none(), none(), opt(0.21), false);
        SepsisHour unknown = new SepsisHour(3, opt(90), none(), none(), none(), none(), none(), none(), none(), false);
        assertAll(
                () -> assertEquals(true, SepsisStay.vitals(onOxygen).supplementalOxygen().orElseThrow()),
                () -> assertEquals(false, SepsisStay.vitals(onAir).supplementalOxygen().orElseThrow()),
                () -> assertFalse(SepsisStay.vitals(unknown).supplementalOxygen().isPresent()));
    }

    @Test
    void malformedFilesFailNamingFileAndLine(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(SepsisDataset.STAYS_FOLDER));
        Path header = DataPaths.sepsis().resolve("training_setA/p000001.psv");
        String head = Files.readAllLines(header).getFirst();
        Files.writeString(folder.resolve("p9.psv"), head + "\n" + "1|".repeat(40) + "x\n");
        var e = assertThrows(IllegalArgumentException.class, () -> SepsisDataset.read(dir));
        assertTrue(e.getMessage().contains("p9.psv line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SepsisDataset.read(dir.resolve("nowhere")));
    }

    private static java.util.OptionalDouble opt(double v) {
        return java.util.OptionalDouble.of(v);
    }

    private static java.util.OptionalDouble none() {
        return java.util.OptionalDouble.empty();
    }
}
