package health.vclinic.datasets;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Input validation in the compact constructors: every field, both edges of every range, non-finite
 * numbers, and messages that name the field and the allowed range but never repeat the rejected value.
 */
class ValidationTest {

    // ---------------------------------------------------------------- helpers

    /** Builds vital signs with a single value set, by request field name. */
    private static VitalSigns vital(String field, double value) {
        VitalSigns.Builder b = VitalSigns.builder();
        switch (field) {
            case "vitals.heart_rate" -> b.heartRate(value);
            case "vitals.respiratory_rate" -> b.respiratoryRate(value);
            case "vitals.systolic_bp" -> b.systolicBp(value);
            case "vitals.diastolic_bp" -> b.diastolicBp(value);
            case "vitals.temperature_c" -> b.temperatureC(value);
            case "vitals.spo2" -> b.spo2(value);
            default -> throw new IllegalArgumentException(field);
        }
        return b.build();
    }

    /** Builds the record that holds {@code field}, with that double field set to {@code value}. */
    private static Object withDouble(String field, double value) {
        return switch (field) {
            case "patient.age_years" -> new Patient(OptionalDouble.of(value), Sex.UNKNOWN, Optional.empty());
            case "interview.symptom_onset_hours" -> new Interview("", OptionalInt.empty(), OptionalDouble.of(value),
                    List.of(), List.of(), Map.of());
            default -> vital(field, value);
        };
    }

    private static Interview pain(int score) {
        return new Interview("", OptionalInt.of(score), OptionalDouble.empty(), List.of(), List.of(), Map.of());
    }

    private static Interview phq9(List<Integer> items) {
        return new Interview("", OptionalInt.empty(), OptionalDouble.empty(), items, List.of(), Map.of());
    }

    private static Interview gad7(List<Integer> items) {
        return new Interview("", OptionalInt.empty(), OptionalDouble.empty(), List.of(), items, Map.of());
    }

    private static Interview complaint(String text) {
        return new Interview(text, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of());
    }

    private static Interview answers(Map<String, String> answers) {
        return new Interview("", OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), answers);
    }

    private static List<Integer> repeat(int value, int n) {
        return java.util.Collections.nCopies(n, value);
    }

    /** Asserts exactly one violation, on {@code field}, and returns the exception. */
    private static InvalidInputException rejected(String field, Executable build) {
        InvalidInputException e = assertThrows(InvalidInputException.class, build, field);
        assertEquals(1, e.violations().size(), e.getMessage());
        assertEquals(field, e.violations().get(0).field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
        return e;
    }

    private static void assertMessageOmits(InvalidInputException e, String... values) {
        for (String v : values) {
            assertFalse(e.getMessage().contains(v), "message repeats the rejected value " + v + ": " + e.getMessage());
            for (InvalidInputException.Violation violation : e.violations()) {
                assertFalse(violation.allowed().contains(v), violation.toString());
            }
        }
    }

    // ---------------------------------------------------------------- double ranges

    /** Each double field: its allowed range (as the message states it), a valid edge on each side. */
    @ParameterizedTest(name = "{0} accepts {1} and {2}")
    @CsvSource({
        "vitals.heart_rate, 20, 350",
        "vitals.respiratory_rate, 1, 100",
        "vitals.systolic_bp, 30, 300",
        "vitals.diastolic_bp, 10, 250",
        "vitals.temperature_c, 25, 45",
        "vitals.spo2, 30, 100",
        "patient.age_years, 0, 130",
        "interview.symptom_onset_hours, 0, 87600",
    })
    void bothEdgesAccepted(String field, double min, double max) {
        assertDoesNotThrow(() -> withDouble(field, min));
        assertDoesNotThrow(() -> withDouble(field, max));
        assertDoesNotThrow(() -> withDouble(field, (min + max) / 2));
    }

    @ParameterizedTest(name = "{0} rejects {1} (allowed {2})")
    @CsvSource({
        "vitals.heart_rate, 19.5, from 20 to 350 beats/min",
        "vitals.heart_rate, 350.5, from 20 to 350 beats/min",
        "vitals.heart_rate, 900, from 20 to 350 beats/min",
        "vitals.heart_rate, -72, from 20 to 350 beats/min",
        "vitals.respiratory_rate, 0.5, from 1 to 100 breaths/min",
        "vitals.respiratory_rate, 100.5, from 1 to 100 breaths/min",
        "vitals.respiratory_rate, 160, from 1 to 100 breaths/min",
        "vitals.systolic_bp, 29.5, from 30 to 300 mmHg",
        "vitals.systolic_bp, 300.5, from 30 to 300 mmHg",
        "vitals.systolic_bp, 1200, from 30 to 300 mmHg",
        "vitals.diastolic_bp, 9.5, from 10 to 250 mmHg",
        "vitals.diastolic_bp, 250.5, from 10 to 250 mmHg",
        "vitals.temperature_c, 24.9, from 25 to 45 °C",
        "vitals.temperature_c, 45.1, from 25 to 45 °C",
        "vitals.temperature_c, 98.6, from 25 to 45 °C",
        "vitals.spo2, 29.9, from 30 to 100 %",
        "vitals.spo2, 100.1, from 30 to 100 %",
        "vitals.spo2, 140, from 30 to 100 %",
        "patient.age_years, -0.01, from 0 to 130 years",
        "patient.age_years, -1, from 0 to 130 years",
        "patient.age_years, 130.01, from 0 to 130 years",
        "patient.age_years, 999, from 0 to 130 years",
        "interview.symptom_onset_hours, -0.5, from 0 to 87600 hours",
        "interview.symptom_onset_hours, 87600.5, from 0 to 87600 hours",
    })
    void justBeyondRejectedWithRange(String field, String value, String allowed) {
        InvalidInputException e = rejected(field, () -> withDouble(field, Double.parseDouble(value)));
        assertTrue(e.violations().get(0).allowed().contains(allowed), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
        assertMessageOmits(e, value);
    }

    @ParameterizedTest(name = "{0} rejects NaN and infinities")
    @ValueSource(strings = {
        "vitals.heart_rate",
        "vitals.respiratory_rate",
        "vitals.systolic_bp",
        "vitals.diastolic_bp",
        "vitals.temperature_c",
        "vitals.spo2",
        "patient.age_years",
        "interview.symptom_onset_hours",
    })
    void nonFiniteRejected(String field) {
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            InvalidInputException e = rejected(field, () -> withDouble(field, v));
            assertTrue(e.getMessage().contains(" to "), "message states the range: " + e.getMessage());
            assertMessageOmits(e, "NaN", "Infinity");
        }
    }

    @Test
    void heartRate900() {
        InvalidInputException e = rejected("vitals.heart_rate", () -> VitalSigns.builder().heartRate(900).build());
        assertEquals("vitals.heart_rate must be a number from 20 to 350 beats/min", e.getMessage());
        assertMessageOmits(e, "900");
    }

    @Test
    void spo2140() {
        InvalidInputException e = rejected("vitals.spo2", () -> VitalSigns.builder().spo2(140).build());
        assertEquals("vitals.spo2 must be a number from 30 to 100 %", e.getMessage());
        assertMessageOmits(e, "140");
    }

    @Test
    void negativeAge() {
        InvalidInputException e = rejected("patient.age_years",
                () -> new Patient(OptionalDouble.of(-3), Sex.MALE, Optional.empty()));
        assertEquals("patient.age_years must be a number from 0 to 130 years", e.getMessage());
        assertMessageOmits(e, "-3");
    }

    // ---------------------------------------------------------------- diastolic below systolic

    @ParameterizedTest(name = "systolic {0}, diastolic {1} rejected")
    @CsvSource({"120, 120", "120, 121", "80, 200", "30, 30"})
    void diastolicAtOrAboveSystolicRejected(double sbp, double dbp) {
        InvalidInputException e = rejected("vitals.diastolic_bp",
                () -> VitalSigns.builder().systolicBp(sbp).diastolicBp(dbp).build());
        assertTrue(e.getMessage().contains("below vitals.systolic_bp"), e.getMessage());
    }

    @Test
    void diastolicJustBelowSystolicAccepted() {
        assertDoesNotThrow(() -> VitalSigns.builder().systolicBp(120).diastolicBp(119).build());
        assertDoesNotThrow(() -> VitalSigns.builder().systolicBp(300).diastolicBp(250).build());
        assertDoesNotThrow(() -> VitalSigns.builder().systolicBp(30).diastolicBp(10).build());
    }

    // ---------------------------------------------------------------- several violations at once

    @Test
    void severalBadVitalsReportedTogether() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> VitalSigns.builder()
                .heartRate(900).respiratoryRate(0).systolicBp(120).diastolicBp(5).temperatureC(Double.NaN)
                .spo2(140).build());
        List<String> fields = e.violations().stream().map(InvalidInputException.Violation::field).toList();
        assertEquals(List.of("vitals.heart_rate", "vitals.respiratory_rate", "vitals.diastolic_bp",
                "vitals.temperature_c", "vitals.spo2"), fields);
        for (String f : fields) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
        assertMessageOmits(e, "900", "140", "NaN");
    }

    @Test
    void everyVitalBadAtOnce() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> VitalSigns.builder()
                .heartRate(-1).respiratoryRate(101).systolicBp(301).diastolicBp(251).temperatureC(46)
                .spo2(Double.POSITIVE_INFINITY).build());
        Set<String> fields = e.violations().stream().map(InvalidInputException.Violation::field)
                .collect(Collectors.toSet());
        assertEquals(Set.of("vitals.heart_rate", "vitals.respiratory_rate", "vitals.systolic_bp",
                "vitals.diastolic_bp", "vitals.temperature_c", "vitals.spo2"), fields);
    }

    @Test
    void severalBadInterviewFieldsReportedTogether() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Interview("",
                OptionalInt.of(14), OptionalDouble.of(-1), repeat(0, 8), List.of(0, 0, 0, 0, 0, 0, 9), Map.of()));
        List<String> fields = e.violations().stream().map(InvalidInputException.Violation::field).toList();
        assertEquals(List.of("interview.pain_score", "interview.symptom_onset_hours", "interview.phq9",
                "interview.gad7[6]"), fields);
    }

    @Test
    void validRecordsAreAccepted() {
        VitalSigns v = VitalSigns.builder().heartRate(72).respiratoryRate(16).systolicBp(120).diastolicBp(80)
                .temperatureC(36.8).spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT)
                .hypercapnicRespiratoryFailure(false).build();
        Patient p = new Patient(OptionalDouble.of(42.5), Sex.FEMALE, Optional.of(false));
        Interview i = new Interview("cough", OptionalInt.of(3), OptionalDouble.of(48), repeat(1, 9), repeat(2, 7),
                Map.of("q1", "yes"));
        Encounter enc = assertDoesNotThrow(() -> new Encounter("enc-1", p, v, i));
        assertEquals("enc-1", enc.encounterId());
        assertTrue(VitalSigns.NONE.empty());
        assertDoesNotThrow(() -> Interview.NONE);
        assertDoesNotThrow(() -> Patient.UNKNOWN);
    }

    // ---------------------------------------------------------------- pain score

    @ParameterizedTest(name = "pain {0} accepted")
    @ValueSource(ints = {0, 5, 10})
    void painInRangeAccepted(int score) {
        assertDoesNotThrow(() -> pain(score));
    }

    @ParameterizedTest(name = "pain {0} rejected")
    @ValueSource(ints = {-1, 11, 14, 100, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void painOutOfRangeRejected(int score) {
        InvalidInputException e = rejected("interview.pain_score", () -> pain(score));
        assertTrue(e.getMessage().contains("from 0 to 10"), e.getMessage());
        assertMessageOmits(e, Integer.toString(score));
    }

    @Test
    void pain14() {
        InvalidInputException e = rejected("interview.pain_score", () -> pain(14));
        assertEquals("interview.pain_score must be a whole number from 0 to 10", e.getMessage());
        assertMessageOmits(e, "14");
    }

    // ---------------------------------------------------------------- PHQ-9 and GAD-7

    @ParameterizedTest(name = "PHQ-9 with {0} answers rejected")
    @ValueSource(ints = {1, 8, 10, 27})
    void phq9WrongCountRejected(int n) {
        InvalidInputException e = rejected("interview.phq9", () -> phq9(repeat(1, n)));
        assertTrue(e.getMessage().contains("exactly 9 answers"), e.getMessage());
        assertTrue(e.getMessage().contains("0 to 3"), e.getMessage());
    }

    @ParameterizedTest(name = "GAD-7 with {0} answers rejected")
    @ValueSource(ints = {1, 6, 8, 9})
    void gad7WrongCountRejected(int n) {
        InvalidInputException e = rejected("interview.gad7", () -> gad7(repeat(1, n)));
        assertTrue(e.getMessage().contains("exactly 7 answers"), e.getMessage());
    }

    @Test
    void phq9With8AnswersRejected() {
        rejected("interview.phq9", () -> phq9(List.of(0, 1, 2, 3, 0, 1, 2, 3)));
    }

    @ParameterizedTest(name = "PHQ-9 item index {0} = {1} rejected")
    @CsvSource({"0, -1", "2, 4", "2, 9", "8, 4", "8, -1"})
    void phq9ItemOutOfRangeNamesIndex(int index, int value) {
        List<Integer> items = new java.util.ArrayList<>(repeat(0, 9));
        items.set(index, value);
        InvalidInputException e = rejected("interview.phq9[" + index + "]", () -> phq9(items));
        assertTrue(e.getMessage().contains("from 0 to 3"), e.getMessage());
    }

    @Test
    void phq9Item2Rejected() {
        InvalidInputException e = rejected("interview.phq9[2]", () -> phq9(List.of(0, 0, 7, 0, 0, 0, 0, 0, 0)));
        assertEquals("interview.phq9[2] must be a whole number from 0 to 3", e.getMessage());
        assertMessageOmits(e, "7");
    }

    @Test
    void severalBadPhq9ItemsAllReported() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> phq9(List.of(4, 0, 5, 0, 0, 0, 0, 0, -2)));
        assertEquals(List.of("interview.phq9[0]", "interview.phq9[2]", "interview.phq9[8]"),
                e.violations().stream().map(InvalidInputException.Violation::field).toList());
    }

    @ParameterizedTest(name = "GAD-7 item index {0} = {1} rejected")
    @CsvSource({"0, 4", "6, -1", "3, 10"})
    void gad7ItemOutOfRangeNamesIndex(int index, int value) {
        List<Integer> items = new java.util.ArrayList<>(repeat(0, 7));
        items.set(index, value);
        rejected("interview.gad7[" + index + "]", () -> gad7(items));
    }

    @Test
    void questionnaireEdgesAccepted() {
        assertDoesNotThrow(() -> phq9(List.of()));
        assertDoesNotThrow(() -> phq9(repeat(0, 9)));
        assertDoesNotThrow(() -> phq9(repeat(3, 9)));
        assertDoesNotThrow(() -> gad7(List.of()));
        assertDoesNotThrow(() -> gad7(repeat(0, 7)));
        assertDoesNotThrow(() -> gad7(repeat(3, 7)));
    }

    // ---------------------------------------------------------------- free text and answers

    @Test
    void chiefComplaintLength() {
        assertDoesNotThrow(() -> complaint(""));
        assertDoesNotThrow(() -> complaint("x".repeat(4_000)));
        InvalidInputException e = rejected("interview.chief_complaint", () -> complaint("x".repeat(4_001)));
        assertTrue(e.getMessage().contains("at most 4000 characters"), e.getMessage());
        assertMessageOmits(e, "xx");
    }

    private static Map<String, String> entries(int n) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("q" + i, "a");
        }
        return m;
    }

    @Test
    void answersCount() {
        assertDoesNotThrow(() -> answers(Map.of()));
        assertDoesNotThrow(() -> answers(entries(200)));
        InvalidInputException e = rejected("interview.answers", () -> answers(entries(201)));
        assertTrue(e.getMessage().contains("at most 200 entries"), e.getMessage());
        assertMessageOmits(e, "201");
    }

    @Test
    void answerIdLength() {
        assertDoesNotThrow(() -> answers(Map.of("q", "yes")));
        assertDoesNotThrow(() -> answers(Map.of("q".repeat(64), "yes")));
        InvalidInputException e = rejected("interview.answers", () -> answers(Map.of("q".repeat(65), "yes")));
        assertTrue(e.getMessage().contains("1 to 64 characters"), e.getMessage());
        assertMessageOmits(e, "qq");
    }

    @ParameterizedTest(name = "blank answer id \"{0}\" rejected")
    @ValueSource(strings = {"", " ", "\t"})
    void blankAnswerIdRejected(String id) {
        rejected("interview.answers", () -> answers(Map.of(id, "yes")));
    }

    @Test
    void answerLength() {
        assertDoesNotThrow(() -> answers(Map.of("q1", "a".repeat(1_000))));
        InvalidInputException e = rejected("interview.answers", () -> answers(Map.of("q1", "a".repeat(1_001))));
        assertTrue(e.getMessage().contains("at most 1000 characters"), e.getMessage());
        assertMessageOmits(e, "aa", "q1");
    }

    // ---------------------------------------------------------------- encounter id

    @Test
    void encounterIdLength() {
        Patient p = Patient.UNKNOWN;
        assertDoesNotThrow(() -> new Encounter("", p, VitalSigns.NONE, Interview.NONE));
        assertDoesNotThrow(() -> new Encounter("e".repeat(128), p, VitalSigns.NONE, Interview.NONE));
        InvalidInputException e = rejected("encounter_id",
                () -> new Encounter("e".repeat(129), p, VitalSigns.NONE, Interview.NONE));
        assertTrue(e.getMessage().contains("at most 128 characters"), e.getMessage());
        assertMessageOmits(e, "ee");
    }

    // ---------------------------------------------------------------- the exception itself

    @Test
    void exceptionNeedsAViolation() {
        assertThrows(IllegalArgumentException.class, () -> new InvalidInputException(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new InvalidInputException.Violation(" ", "x"));
        assertThrows(IllegalArgumentException.class, () -> new InvalidInputException.Violation("x", ""));
    }

    @Test
    void nullOptionalsAreProgrammingErrorsNotInvalidInput() {
        assertThrows(IllegalArgumentException.class,
                () -> new Patient(OptionalDouble.empty(), Sex.UNKNOWN, null));
        assertThrows(NullPointerException.class,
                () -> new Patient(null, Sex.UNKNOWN, Optional.empty()));
    }
}
