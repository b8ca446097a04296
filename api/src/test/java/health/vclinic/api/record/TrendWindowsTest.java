package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.record.RecordStore.Summary;
import health.vclinic.api.record.RecordStore.VitalWindowRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrendWindowsTest {

    private static final ClinicId CLINIC = new ClinicId("north");
    private static final Instant MINUTE = Instant.parse("2026-12-04T10:00:00Z");

    private static VitalSample sample(String patient, Instant at, VitalSigns vitals) {
        return new VitalSample(patient, "dev", at, vitals, Optional.empty(), OptionalDouble.empty());
    }

    private static Map<String, VitalWindowRow> rows(TrendWindows w) {
        Map<String, VitalWindowRow> out = new HashMap<>();
        for (int e = 0; e < w.size(); e++) {
            VitalWindowRow r = w.row(e);
            assertEquals(r.samples(), w.samples(e));
            out.put(r.clinic().value() + "/" + r.patient().value() + "/" + r.windowStart(), r);
        }
        return out;
    }

    @Test
    void summarisesEachVitalOfAMinuteAndSkipsTheAbsentOnes() {
        TrendWindows w = new TrendWindows(16);
        assertTrue(w.add(CLINIC, sample("pt-1", MINUTE.plusSeconds(1), VitalSigns.builder().heartRate(80).spo2(97).build())));
        assertTrue(w.add(CLINIC, sample("pt-1", MINUTE.plusSeconds(30), VitalSigns.builder().heartRate(120).build())));
        assertTrue(w.add(CLINIC, sample("pt-1", MINUTE.plusSeconds(59).plusMillis(999),
                VitalSigns.builder().heartRate(100).spo2(91).build())));
        assertEquals(1, w.size());
        VitalWindowRow r = w.row(0);
        assertEquals(MINUTE, r.windowStart());
        assertEquals(3, r.samples());
        assertEquals(new Summary(3, 300, 80, 120), r.vitals().get(Vital.HEART_RATE.ordinal()));
        assertEquals(new Summary(2, 188, 91, 97), r.vitals().get(Vital.SPO2.ordinal()));
        assertEquals(0, r.vitals().get(Vital.TEMPERATURE_C.ordinal()).count());
    }

    @Test
    void clinicPatientAndMinuteEachOpenTheirOwnWindow() {
        TrendWindows w = new TrendWindows(16);
        VitalSigns hr = VitalSigns.builder().heartRate(70).build();
        w.add(CLINIC, sample("pt-1", MINUTE, hr));
        w.add(new ClinicId("south"), sample("pt-1", MINUTE, hr));
        w.add(CLINIC, sample("pt-2", MINUTE, hr));
        w.add(CLINIC, sample("pt-1", MINUTE.plusSeconds(60), hr));
        w.add(CLINIC, sample("pt-1", MINUTE.minusMillis(1), hr));
        Map<String, VitalWindowRow> rows = rows(w);
        assertEquals(5, rows.size());
        assertTrue(rows.containsKey("north/pt-1/2026-12-04T09:59:00Z"), rows.keySet().toString());
        assertTrue(rows.containsKey("south/pt-1/2026-12-04T10:00:00Z"));
        assertTrue(rows.containsKey("north/pt-1/2026-12-04T10:01:00Z"));
    }

    @Test
    void refusesANewWindowWhenFullButStillAddsToOpenOnes() {
        TrendWindows w = new TrendWindows(2);
        VitalSigns hr = VitalSigns.builder().heartRate(70).build();
        assertTrue(w.add(CLINIC, sample("pt-1", MINUTE, hr)));
        assertTrue(w.add(CLINIC, sample("pt-2", MINUTE, hr)));
        assertFalse(w.add(CLINIC, sample("pt-3", MINUTE, hr)));
        assertTrue(w.add(CLINIC, sample("pt-1", MINUTE.plusSeconds(5), hr)));
        assertEquals(2, w.size());
        assertEquals(3, w.samples(0) + w.samples(1));
    }

    @Test
    void afterClearingAWindowStartsFromNothing() {
        TrendWindows w = new TrendWindows(4);
        w.add(CLINIC, sample("pt-1", MINUTE, VitalSigns.builder().heartRate(150).spo2(85).build()));
        w.clear();
        assertEquals(0, w.size());
        w.add(CLINIC, sample("pt-9", MINUTE, VitalSigns.builder().heartRate(60).build()));
        VitalWindowRow r = w.row(0);
        assertEquals("pt-9", r.patient().value());
        assertEquals(1, r.samples());
        assertEquals(new Summary(1, 60, 60, 60), r.vitals().get(Vital.HEART_RATE.ordinal()));
        assertEquals(0, r.vitals().get(Vital.SPO2.ordinal()).count());
    }

    /** Many keys at its capacity, against a map of the same sums: no window is merged with another or split. */
    @Test
    void agreesWithAMapAtCapacity() {
        int capacity = 5_000;
        TrendWindows w = new TrendWindows(capacity);
        SplittableRandom random = new SplittableRandom(7);
        Map<String, double[]> expected = new HashMap<>();
        int refused = 0;
        for (int i = 0; i < 40_000; i++) {
            String patient = "pt-" + random.nextInt(2_000);
            Instant at = MINUTE.plusSeconds(random.nextInt(4 * 60));
            ClinicId clinic = new ClinicId(random.nextBoolean() ? "north" : "south");
            double hr = 40 + random.nextInt(120);
            String key = clinic.value() + "/" + patient + "/" + Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), 60) * 60);
            if (!expected.containsKey(key) && expected.size() == capacity) {
                assertFalse(w.add(clinic, sample(patient, at, VitalSigns.builder().heartRate(hr).build())));
                refused++;
                continue;
            }
            assertTrue(w.add(clinic, sample(patient, at, VitalSigns.builder().heartRate(hr).build())));
            double[] e = expected.computeIfAbsent(key, k -> new double[] {0, 0, Double.MAX_VALUE, -Double.MAX_VALUE});
            e[0]++;
            e[1] += hr;
            e[2] = Math.min(e[2], hr);
            e[3] = Math.max(e[3], hr);
        }
        assertTrue(refused > 0, "the test fills it");
        Map<String, VitalWindowRow> rows = rows(w);
        assertEquals(expected.keySet(), rows.keySet());
        expected.forEach((key, e) -> assertEquals(new Summary((int) e[0], e[1], e[2], e[3]),
                rows.get(key).vitals().get(Vital.HEART_RATE.ordinal()), key));
    }
}
