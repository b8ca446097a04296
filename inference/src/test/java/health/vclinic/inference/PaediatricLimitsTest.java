package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Paediatric limits against the APLS normal ranges by age (see /work/shared/CLINICAL.md), the AHA PALS
 * hypotension limit and the NICE NG143 / NG9 red and amber features named in the PaediatricLimits
 * javadoc. Expected values are copied from the published tables.
 */
class PaediatricLimitsTest {

    private static Patient child(double age) {
        return new Patient(OptionalDouble.of(age), Sex.OTHER, Optional.empty());
    }

    private static PaediatricAssessment assess(double age, VitalSigns vitals) {
        return PaediatricLimits.assess(child(age), vitals);
    }

    private static List<TriageFloor> floors(PaediatricAssessment a, String source) {
        return a.floors().stream().filter(f -> f.source().equals(source)).toList();
    }

    private static Optional<TriageFloor> floor(PaediatricAssessment a, String source) {
        List<TriageFloor> found = floors(a, source);
        assertTrue(found.size() <= 1, "at most one floor per source: " + found);
        return found.stream().findFirst();
    }

    private static VitalSigns only(String parameter, double value) {
        VitalSigns.Builder b = VitalSigns.builder();
        switch (parameter) {
            case "heart_rate" -> b.heartRate(value);
            case "respiratory_rate" -> b.respiratoryRate(value);
            case "systolic_bp" -> b.systolicBp(value);
            default -> throw new IllegalArgumentException(parameter);
        }
        return b.build();
    }

    // ---------------------------------------------------------------- APLS age bands

    @ParameterizedTest(name = "age {0} -> {1}")
    @CsvSource({
        "0, under 1 year",
        "0.5, under 1 year",
        "0.99, under 1 year",
        "1.0, 1-2 years",
        "1.99, 1-2 years",
        "2.0, 2-5 years",
        "4.99, 2-5 years",
        "5.0, 5-12 years",
        "11.99, 5-12 years",
        "12.0, over 12 years",
        "15.99, over 12 years",
    })
    void ageBand(double age, String band) {
        PaediatricAssessment a = assess(age, VitalSigns.NONE);
        assertTrue(a.applicable());
        assertEquals(band, a.ageBand());
        assertEquals(List.of(), a.floors());
        assertFalse(a.source().isBlank());
    }

    @ParameterizedTest(name = "age {0} -> not applicable")
    @CsvSource({"16", "16.01", "40", "130"})
    void notApplicableFrom16(double age) {
        VitalSigns shocked = VitalSigns.builder().heartRate(200).respiratoryRate(70).systolicBp(50).spo2(80)
                .consciousness(Consciousness.PAIN).build();
        PaediatricAssessment a = assess(age, shocked);
        assertFalse(a.applicable());
        assertEquals(List.of(), a.floors());
        assertEquals(List.of(), a.checks());
    }

    @Test
    void notApplicableForUnknownAge() {
        VitalSigns shocked = VitalSigns.builder().heartRate(200).respiratoryRate(70).systolicBp(50).spo2(80).build();
        PaediatricAssessment a = PaediatricLimits.assess(Patient.UNKNOWN, shocked);
        assertFalse(a.applicable());
        assertEquals(List.of(), a.floors());
    }

    // ---------------------------------------------------------------- APLS normal ranges, both edges

    /**
     * APLS table: under 1: HR 110-160, RR 30-40, SBP 70-90; 1-2: 100-150, 25-35, 80-95; 2-5: 95-140,
     * 25-30, 80-100; 5-12: 80-120, 20-25, 90-110; over 12: 60-100, 15-20, 100-120.
     */
    @ParameterizedTest(name = "age {0} {1}: normal {2}-{3}")
    @CsvSource({
        "0.5, heart_rate, 110, 160",
        "0.5, respiratory_rate, 30, 40",
        "0.5, systolic_bp, 70, 90",
        "1.5, heart_rate, 100, 150",
        "1.5, respiratory_rate, 25, 35",
        "1.5, systolic_bp, 80, 95",
        "3, heart_rate, 95, 140",
        "3, respiratory_rate, 25, 30",
        "3, systolic_bp, 80, 100",
        "8, heart_rate, 80, 120",
        "8, respiratory_rate, 20, 25",
        "8, systolic_bp, 90, 110",
        "14, heart_rate, 60, 100",
        "14, respiratory_rate, 15, 20",
        "14, systolic_bp, 100, 120",
    })
    void normalRangeEdges(double age, String parameter, double low, double high) {
        String source = "paediatric:" + parameter;

        for (double atLimit : new double[] {low, high}) {
            PaediatricAssessment a = assess(age, only(parameter, atLimit));
            assertEquals(1, a.checks().size());
            VitalCheck check = a.checks().get(0);
            assertEquals(parameter, check.parameter());
            assertEquals(low, check.normalLow());
            assertEquals(high, check.normalHigh());
            assertTrue(check.withinNormal(), parameter + " " + atLimit + " is within the APLS range");
            assertEquals(Optional.empty(), floor(a, source), parameter + " " + atLimit + " sets no floor");
        }

        for (double beyond : new double[] {low - 1, high + 1}) {
            PaediatricAssessment a = assess(age, only(parameter, beyond));
            assertFalse(a.checks().get(0).withinNormal(), parameter + " " + beyond + " is outside the APLS range");
            TriageFloor f = floor(a, source).orElseThrow(
                    () -> new AssertionError(parameter + " " + beyond + " at age " + age + " must set a floor"));
            assertEquals(TriageLevel.URGENT, f.level());
            assertFalse(f.reason().isBlank());
        }
    }

    @Test
    void bandChangesAtBirthdayFor1Year() {
        // HR 105: below 110 (under 1) but within 100-150 (1-2 years)
        assertTrue(floor(assess(0.99, only("heart_rate", 105)), "paediatric:heart_rate").isPresent());
        assertTrue(floor(assess(1.0, only("heart_rate", 105)), "paediatric:heart_rate").isEmpty());
    }

    @Test
    void bandChangesAtBirthdayFor5Years() {
        // RR 22: below 25 (2-5 years) but within 20-25 (5-12 years)
        assertTrue(floor(assess(4.99, only("respiratory_rate", 22)), "paediatric:respiratory_rate").isPresent());
        assertTrue(floor(assess(5.0, only("respiratory_rate", 22)), "paediatric:respiratory_rate").isEmpty());
    }

    @Test
    void bandChangesAtBirthdayFor12Years() {
        // HR 70: below 80 (5-12 years) but within 60-100 (over 12)
        assertTrue(floor(assess(11.99, only("heart_rate", 70)), "paediatric:heart_rate").isPresent());
        assertTrue(floor(assess(12.0, only("heart_rate", 70)), "paediatric:heart_rate").isEmpty());
    }

    @Test
    void bandChangesAtBirthdayFor2Years() {
        // SBP 97: above 95 (1-2 years) but within 80-100 (2-5 years)
        assertTrue(floor(assess(1.99, only("systolic_bp", 97)), "paediatric:systolic_bp").isPresent());
        assertTrue(floor(assess(2.0, only("systolic_bp", 97)), "paediatric:systolic_bp").isEmpty());
    }

    @Test
    void allWithinNormalSetsNoFloor() {
        VitalSigns v = VitalSigns.builder().heartRate(120).respiratoryRate(35).systolicBp(80).spo2(98)
                .temperatureC(37.0).consciousness(Consciousness.ALERT).build();
        PaediatricAssessment a = assess(0.5, v);
        assertEquals(3, a.checks().size());
        assertEquals(List.of(), a.floors());
    }

    // ---------------------------------------------------------------- PALS hypotension

    @ParameterizedTest(name = "age {0} -> hypotension below {1}")
    @CsvSource({
        "0, 70",
        "0.5, 70",
        "0.99, 70",
        "1, 72",
        "2, 74",
        "5, 80",
        "9, 88",
        "10, 90",
        "12, 90",
        "15.99, 90",
    })
    void hypotensionLimit(double age, double limit) {
        assertEquals(limit, PaediatricLimits.hypotensionLimit(age), 1e-9);
    }

    @ParameterizedTest(name = "age {0}: SBP {1} hypotensive, {2} not")
    @CsvSource({
        "0.5, 69, 70",
        "1, 71, 72",
        "5, 79, 80",
        "9, 87, 88",
        "10, 89, 90",
        "14, 89, 90",
    })
    void hypotensionFloor(double age, double below, double atLimit) {
        TriageFloor f = floor(assess(age, only("systolic_bp", below)), "paediatric:hypotension")
                .orElseThrow(() -> new AssertionError("SBP " + below + " at age " + age + " is PALS hypotension"));
        assertEquals(TriageLevel.EMERGENT, f.level());
        assertEquals(Optional.empty(), floor(assess(age, only("systolic_bp", atLimit)), "paediatric:hypotension"));
    }

    // ---------------------------------------------------------------- NICE NG143 red features

    @ParameterizedTest(name = "age {0}, RR {1} -> tachypnoea floor {2}")
    @CsvSource({
        "0.5, 61, true",
        "0.5, 60, false",
        "4.99, 61, true",
        "4.99, 60, false",
        "5.0, 61, false",
        "8, 80, false",
    })
    void tachypnoeaOver60Under5(double age, double rr, boolean fires) {
        Optional<TriageFloor> f = floor(assess(age, only("respiratory_rate", rr)), "paediatric:tachypnoea");
        assertEquals(fires, f.isPresent());
        f.ifPresent(x -> assertEquals(TriageLevel.EMERGENT, x.level()));
    }

    @ParameterizedTest(name = "age {0}, T {1} -> fever floor {2}")
    @CsvSource({
        "0, 38.0, true",
        "0.24, 38.0, true",
        "0.24, 39.5, true",
        "0.24, 37.9, false",
        "0.25, 38.0, false",
        "1, 40.0, false",
    })
    void feverUnder3Months(double age, double t, boolean fires) {
        PaediatricAssessment a = assess(age, VitalSigns.builder().temperatureC(t).build());
        Optional<TriageFloor> f = floor(a, "paediatric:fever-under-3-months");
        assertEquals(fires, f.isPresent());
        f.ifPresent(x -> assertEquals(TriageLevel.EMERGENT, x.level()));
        if (!fires) {
            assertEquals(List.of(), a.floors());
        }
    }

    @ParameterizedTest(name = "SpO2 {0} -> {1}")
    @CsvSource({
        "30, EMERGENT",
        "91, EMERGENT",
        "92, URGENT",
        "94, URGENT",
        "95, URGENT",
        "96, ",
        "100, ",
    })
    void spo2(double spo2, TriageLevel expected) {
        for (double age : new double[] {0.1, 3, 15.5}) {
            PaediatricAssessment a = assess(age, VitalSigns.builder().spo2(spo2).build());
            Optional<TriageFloor> f = floor(a, "paediatric:spo2");
            assertEquals(Optional.ofNullable(expected), f.map(TriageFloor::level), "SpO2 " + spo2 + " at age " + age);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Consciousness.class, names = "ALERT", mode = EnumSource.Mode.EXCLUDE)
    void alteredConsciousnessIsEmergent(Consciousness c) {
        PaediatricAssessment a = assess(6, VitalSigns.builder().consciousness(c).build());
        TriageFloor f = floor(a, "paediatric:consciousness").orElseThrow();
        assertEquals(TriageLevel.EMERGENT, f.level());
    }

    @Test
    void alertSetsNoFloor() {
        PaediatricAssessment a = assess(6, VitalSigns.builder().consciousness(Consciousness.ALERT).build());
        assertEquals(List.of(), a.floors());
    }
}
