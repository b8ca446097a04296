package health.vclinic.datasets.ktas;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.ArrivalMode;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Sex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KtasReaderTest {

    private static final String HEADER = "Group,Sex,Age,Patients number per hour,Arrival mode,Injury,Chief_complain,"
            + "Mental,Pain,NRS_pain,SBP,DBP,HR,RR,BT,KTAS_RN,Diagnosis in ED,KTAS_expert,Length of stay_min\n";

    static Path dataDirectory() {
        return KtasFiles.directory(Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath());
    }

    private static final KtasData TRAIN = KtasReader.read(dataDirectory().resolve(KtasFiles.TRAIN));
    private static final KtasData TEST = KtasReader.read(dataDirectory().resolve(KtasFiles.TEST));

    @Test
    void mapsTheFirstTrainingRowToTheDomainRecords() {
        // 1,Female,56,12,Private Vehicle,Yes,right forearm burn,Alert,1,2.0,137.0,75.0,60.0,20.0,36.5,4,...,5,64
        KtasVisit v = TRAIN.visits().getFirst();
        Encounter e = v.encounter();
        assertAll(
                () -> assertEquals(1, v.row()),
                () -> assertEquals(KtasSite.LOCAL_ED, v.site()),
                () -> assertEquals("ktas-local-1", e.encounterId()),
                () -> assertEquals(OptionalDouble.of(56), e.patient().ageYears()),
                () -> assertEquals(Sex.FEMALE, e.patient().sex()),
                () -> assertEquals(OptionalDouble.of(137), e.vitals().systolicBp()),
                () -> assertEquals(OptionalDouble.of(75), e.vitals().diastolicBp()),
                () -> assertEquals(OptionalDouble.of(60), e.vitals().heartRate()),
                () -> assertEquals(OptionalDouble.of(20), e.vitals().respiratoryRate()),
                () -> assertEquals(OptionalDouble.of(36.5), e.vitals().temperatureC()),
                () -> assertEquals(OptionalDouble.empty(), e.vitals().spo2(), "the data has no SpO2"),
                () -> assertEquals(Optional.empty(), e.vitals().supplementalOxygen()),
                () -> assertEquals(Optional.of(Consciousness.ALERT), e.vitals().consciousness()),
                () -> assertEquals("right forearm burn", e.interview().chiefComplaint()),
                () -> assertEquals(OptionalInt.of(2), e.interview().painScore()),
                () -> assertEquals(Optional.of(ArrivalMode.PRIVATE_VEHICLE), e.interview().arrivalMode()),
                () -> assertEquals(Optional.of(true), e.interview().injury()),
                () -> assertEquals(5, v.expertLevel()),
                () -> assertEquals(4, v.nurseLevel()));
    }

    @Test
    void mapsQuotedComplaintsAmbulancesAndAlteredMentalStates() {
        // Row 4: 1,Male,78,14,Private Vehicle,No,"pain, chest",Alert,1,3.0,169.0,86.0,80.0,20.0,36.0,2,...,3,247
        Encounter chest = TRAIN.visits().get(3).encounter();
        assertEquals("pain, chest", chest.interview().chiefComplaint());
        assertEquals(Optional.of(false), chest.interview().injury());
        // Test row 2: 2,Female,68,8,119 Ambulance,Yes,"arm pain, Lt",Alert,1,2.0,130.0,80.0,102.0,20.0,36.6,4,...,5,862
        KtasVisit arm = TEST.visits().get(1);
        assertEquals(KtasSite.REGIONAL_ED, arm.site());
        assertEquals("ktas-regional-2", arm.encounter().encounterId());
        assertEquals(Optional.of(ArrivalMode.EMERGENCY_AMBULANCE), arm.encounter().interview().arrivalMode());
        assertEquals(List.of(4, 5), List.of(arm.nurseLevel(), arm.expertLevel()));

        List<KtasVisit> all = all();
        assertEquals(7 + 6, count(all, c -> c == Consciousness.UNRESPONSIVE));
        assertEquals(25 + 14, count(all, c -> c == Consciousness.VOICE));
        assertEquals(20 + 8, count(all, c -> c == Consciousness.PAIN));
    }

    @Test
    void readsEveryRowOfBothSitesWithTheReadmeCounts() {
        assertAll(
                () -> assertEquals(688, TRAIN.rows()),
                () -> assertEquals(688, TRAIN.visits().size(), TRAIN.problems().toString()),
                () -> assertEquals(579, TEST.visits().size(), TEST.problems().toString()),
                () -> assertTrue(TRAIN.visits().stream().allMatch(v -> v.site() == KtasSite.LOCAL_ED)),
                () -> assertTrue(TEST.visits().stream().allMatch(v -> v.site() == KtasSite.REGIONAL_ED)),
                () -> assertEquals(List.of(14, 72, 270, 276, 56), levels(TRAIN, KtasVisit::expertLevel)),
                () -> assertEquals(List.of(12, 148, 217, 183, 19), levels(TEST, KtasVisit::expertLevel)),
                () -> assertEquals(List.of(7, 77, 258, 286, 60), levels(TRAIN, KtasVisit::nurseLevel)),
                () -> assertEquals(List.of(11, 137, 189, 215, 27), levels(TEST, KtasVisit::nurseLevel)));
    }

    @Test
    void reproducesThePapersMistriageCounts() {
        // Moon et al. 2019, abstract: 131 under-triaged and 55 over-triaged of 1,267.
        List<KtasVisit> all = all();
        assertEquals(131, all.stream().filter(v -> v.nurseLevel() > v.expertLevel()).count());
        assertEquals(55, all.stream().filter(v -> v.nurseLevel() < v.expertLevel()).count());
    }

    @Test
    void emptyCellsAreMissingValuesWithTheReadmeCounts() {
        List<Encounter> all = all().stream().map(KtasVisit::encounter).toList();
        assertAll(
                () -> assertEquals(25, all.stream().filter(e -> e.vitals().systolicBp().isEmpty()).count()),
                () -> assertEquals(29, all.stream().filter(e -> e.vitals().diastolicBp().isEmpty()).count()),
                () -> assertEquals(20, all.stream().filter(e -> e.vitals().heartRate().isEmpty()).count()),
                () -> assertEquals(22, all.stream().filter(e -> e.vitals().respiratoryRate().isEmpty()).count()),
                () -> assertEquals(18, all.stream().filter(e -> e.vitals().temperatureC().isEmpty()).count()),
                // Pain reported without a rating (3 training rows) is "not given", not 0.
                () -> assertEquals(3, all.stream().filter(e -> e.interview().painScore().isEmpty()).count()),
                () -> assertEquals(553, all.stream().filter(e -> e.interview().painScore().equals(OptionalInt.of(0)))
                        .count()));
    }

    @Test
    void impossibleValuesAreReportedWithRowAndColumnAndTheRowIsLeftOut(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, HEADER
                + "1,Female,56,12,Private Vehicle,Yes,right forearm burn,Alert,1,2.0,137.0,75.0,60.0,20.0,36.5,4,Burn,5,64\n"
                + "1,Male,40,3,Walking,No,palpitation,Alert,0,,120,80,900,20,36.5,3,SVT,3,60\n"
                + "1,Male,40,3,Helicopter,No,fall,Sleepy,0,,120,80,80,20,36.5,3,x,7,60\n"
                + "1,Female,30,3,Walking,No,headache,Alert,0,5.0,120,130,80,20,??,3,x,3,60\n"
                + "1,Female,30,3,Walking,No,headache,Alert,1,,120,80,80,20,36.8,3,x,4,60\n");

        KtasData data = KtasReader.read(file);

        assertAll(
                () -> assertEquals(5, data.rows()),
                () -> assertEquals(List.of(1, 5), data.visits().stream().map(KtasVisit::row).toList()),
                () -> assertEquals(List.of(2, 3, 4), List.copyOf(data.excludedRows())),
                () -> assertTrue(data.problems().contains(
                        new KtasProblem(2, "HR", "must be a number from 20 to 350 beats/min")), data.problems().toString()),
                () -> assertTrue(has(data, 3, "Arrival mode")),
                () -> assertTrue(has(data, 3, "Mental")),
                () -> assertTrue(has(data, 3, "KTAS_expert")),
                () -> assertTrue(has(data, 4, "NRS_pain")),
                () -> assertTrue(has(data, 4, "BT")),
                () -> assertTrue(has(data, 4, "DBP")),
                () -> assertTrue(data.problems().stream().noneMatch(p -> p.reason().contains("900")),
                        "problems never repeat the value"));
    }

    @Test
    void columnsKnownOnlyAfterTheVisitAreNeverRead(@TempDir Path dir) throws IOException {
        String row = "1,Male,78,%s,Private Vehicle,No,\"pain, chest\",Alert,1,3.0,169.0,86.0,80.0,20.0,36.0,2,%s,3,%s\n";
        Path a = Files.writeString(dir.resolve("a.csv"), HEADER + row.formatted("14", "Acute coronary syndrome", "247"));
        Path b = Files.writeString(dir.resolve("b.csv"), HEADER + row.formatted("2", "Indigestion", "9999"));

        assertEquals(KtasReader.read(a).visits(), KtasReader.read(b).visits());
        assertEquals(List.of("Patients number per hour", "Diagnosis in ED", "Length of stay_min"),
                KtasReader.UNREAD_COLUMNS);
    }

    @Test
    void aFileWithoutTheLabelColumnIsRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("x.csv"), "Group,Sex,Age\n1,Male,40\n");

        var e = assertThrows(IllegalArgumentException.class, () -> KtasReader.read(file));
        assertTrue(e.getMessage().contains("KTAS_expert"), e.getMessage());
    }

    private static boolean has(KtasData data, int row, String column) {
        return data.problems().stream().anyMatch(p -> p.row() == row && p.column().equals(column));
    }

    private static List<KtasVisit> all() {
        return java.util.stream.Stream.concat(TRAIN.visits().stream(), TEST.visits().stream()).toList();
    }

    private static long count(List<KtasVisit> visits, java.util.function.Predicate<Consciousness> which) {
        return visits.stream().filter(v -> v.encounter().vitals().consciousness().filter(which).isPresent()).count();
    }

    private static List<Integer> levels(KtasData data, ToIntFunction<KtasVisit> level) {
        int[] counts = new int[5];
        data.visits().forEach(v -> counts[level.applyAsInt(v) - 1]++);
        return java.util.Arrays.stream(counts).boxed().toList();
    }
}
