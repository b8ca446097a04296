package health.vclinic.inference.news2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * NEWS2 against the Royal College of Physicians' National Early Warning Score 2 (2017): Chart 1 for
 * the points of each parameter, Chart 4 for the aggregate bands. Every expected value below is copied
 * from the published chart (see /work/shared/CLINICAL.md), never computed from the code under test.
 */
class News2Test {

    /** A full set of vital signs that scores 0 on every parameter (Chart 1, "0" column). */
    private static VitalSigns.Builder normal() {
        return VitalSigns.builder()
                .respiratoryRate(16)
                .spo2(97)
                .supplementalOxygen(false)
                .systolicBp(120)
                .heartRate(70)
                .consciousness(Consciousness.ALERT)
                .temperatureC(37.0);
    }

    private static int points(News2Score score, News2Parameter parameter) {
        return score.parameter(parameter)
                .orElseThrow(() -> new AssertionError(parameter + " was not scored"))
                .points();
    }

    private static String scoredValue(News2Score score, News2Parameter parameter) {
        return score.parameter(parameter)
                .orElseThrow(() -> new AssertionError(parameter + " was not scored"))
                .value();
    }

    private static Patient adult(double age) {
        return new Patient(OptionalDouble.of(age), Sex.FEMALE, Optional.of(false));
    }

    @Test
    void allNormalScoresZeroAndIsComplete() {
        News2Score s = News2.score(normal().build());
        assertEquals(0, s.total());
        assertEquals(News2Band.LOW, s.band());
        assertTrue(s.complete());
        assertTrue(s.applicable());
        assertEquals(SpO2Scale.SCALE_1, s.scale());
        assertEquals(List.of(), s.missing());
        assertEquals(List.of(), s.notes());
        assertFalse(s.anySingleThree());
    }

    // ---------------------------------------------------------------- Chart 1, parameter by parameter

    // Chart 1: <=8 -> 3; 9-11 -> 1; 12-20 -> 0; 21-24 -> 2; >=25 -> 3
    @ParameterizedTest(name = "RR {0} -> {1}")
    @CsvSource({
        "1, 3", "8, 3", "9, 1", "11, 1", "12, 0", "20, 0", "21, 2", "24, 2", "25, 3", "100, 3",
    })
    void rrChart1(int rr, int expected) {
        assertEquals(expected, News2.respiratoryRatePoints(rr));
        News2Score s = News2.score(normal().respiratoryRate(rr).build());
        assertEquals(expected, points(s, News2Parameter.RESPIRATORY_RATE));
        assertEquals(expected, s.total());
    }

    // Chart 1 scale 1: <=91 -> 3; 92-93 -> 2; 94-95 -> 1; >=96 -> 0
    @ParameterizedTest(name = "SpO2 {0} -> {1}")
    @CsvSource({
        "30, 3", "91, 3", "92, 2", "93, 2", "94, 1", "95, 1", "96, 0", "100, 0",
    })
    void spo2Scale1Chart1(int spo2, int expected) {
        assertEquals(expected, News2.spo2Scale1Points(spo2));
        News2Score s = News2.score(normal().spo2(spo2).build());
        assertEquals(SpO2Scale.SCALE_1, s.scale());
        assertEquals(expected, points(s, News2Parameter.SPO2));
        assertEquals(expected, s.total());
    }

    @ParameterizedTest(name = "SpO2 {0} on oxygen, scale 1 -> {1} + 2 for oxygen")
    @CsvSource({"91, 3", "92, 2", "93, 2", "94, 1", "95, 1", "96, 0", "97, 0"})
    void spo2Scale1OxygenDoesNotChangeScale1Points(int spo2, int expected) {
        News2Score s = News2.score(normal().spo2(spo2).supplementalOxygen(true).build());
        assertEquals(expected, points(s, News2Parameter.SPO2));
        assertEquals(expected + 2, s.total());
    }

    // Chart 1 scale 2: <=83 -> 3; 84-85 -> 2; 86-87 -> 1; 88-92 -> 0; >=93 on air -> 0;
    // 93-94 on oxygen -> 1; 95-96 on oxygen -> 2; >=97 on oxygen -> 3
    @ParameterizedTest(name = "SpO2 {0}: air {1}, oxygen {2}")
    @CsvSource({
        "30, 3, 3",
        "83, 3, 3",
        "84, 2, 2",
        "85, 2, 2",
        "86, 1, 1",
        "87, 1, 1",
        "88, 0, 0",
        "90, 0, 0",
        "92, 0, 0",
        "93, 0, 1",
        "94, 0, 1",
        "95, 0, 2",
        "96, 0, 2",
        "97, 0, 3",
        "100, 0, 3",
    })
    void spo2Scale2Chart1(int spo2, int onAir, int onOxygen) {
        assertEquals(onAir, News2.spo2Scale2Points(spo2, false));
        assertEquals(onOxygen, News2.spo2Scale2Points(spo2, true));

        News2Score air = News2.score(normal().hypercapnicRespiratoryFailure(true).spo2(spo2)
                .supplementalOxygen(false).build());
        assertEquals(SpO2Scale.SCALE_2, air.scale());
        assertEquals(onAir, points(air, News2Parameter.SPO2));
        assertEquals(0, points(air, News2Parameter.AIR_OR_OXYGEN));
        assertEquals(onAir, air.total());
        assertEquals(List.of(), air.notes());

        News2Score oxygen = News2.score(normal().hypercapnicRespiratoryFailure(true).spo2(spo2)
                .supplementalOxygen(true).build());
        assertEquals(SpO2Scale.SCALE_2, oxygen.scale());
        assertEquals(onOxygen, points(oxygen, News2Parameter.SPO2));
        assertEquals(2, points(oxygen, News2Parameter.AIR_OR_OXYGEN));
        assertEquals(onOxygen + 2, oxygen.total());
        assertEquals(List.of(), oxygen.notes());
    }

    @Test
    void spo2Scale2ChosenOnlyForHypercapnicRespiratoryFailure() {
        // SpO2 88 %: scale 1 scores 3 (<=91), scale 2 scores 0 (88-92, the prescribed target).
        News2Score hypercapnic = News2.score(normal().spo2(88).hypercapnicRespiratoryFailure(true).build());
        assertEquals(SpO2Scale.SCALE_2, hypercapnic.scale());
        assertEquals(0, points(hypercapnic, News2Parameter.SPO2));
        assertEquals(0, hypercapnic.total());

        News2Score notHypercapnic = News2.score(normal().spo2(88).hypercapnicRespiratoryFailure(false).build());
        assertEquals(SpO2Scale.SCALE_1, notHypercapnic.scale());
        assertEquals(3, points(notHypercapnic, News2Parameter.SPO2));

        News2Score unknown = News2.score(normal().spo2(88).build());
        assertEquals(SpO2Scale.SCALE_1, unknown.scale());
        assertEquals(3, points(unknown, News2Parameter.SPO2));
    }

    @ParameterizedTest(name = "scale 2, SpO2 {0}, oxygen unknown -> scored as air with a note")
    @CsvSource({"93", "95", "97", "100"})
    void spo2Scale2UnknownOxygenAtOrAbove93ScoredAsAirWithNote(int spo2) {
        VitalSigns v = VitalSigns.builder().hypercapnicRespiratoryFailure(true).spo2(spo2)
                .respiratoryRate(16).systolicBp(120).heartRate(70).consciousness(Consciousness.ALERT)
                .temperatureC(37.0).build();
        News2Score s = News2.score(v);
        assertEquals(SpO2Scale.SCALE_2, s.scale());
        assertEquals(0, points(s, News2Parameter.SPO2), "on air, >=93 scores 0 (the lower bound)");
        assertEquals(0, s.total());
        assertEquals(List.of(News2Parameter.AIR_OR_OXYGEN), s.missing());
        assertFalse(s.complete());
        assertTrue(!s.notes().isEmpty(), "the result must say oxygen use was assumed");
        assertTrue(s.notes().getFirst().toLowerCase().contains("air"), s.notes().getFirst());
    }

    @ParameterizedTest(name = "scale 2, SpO2 {0}, oxygen unknown -> no note (air and oxygen agree)")
    @CsvSource({"83, 3", "85, 2", "87, 1", "88, 0", "92, 0"})
    void spo2Scale2UnknownOxygenBelow93NeedsNoNote(int spo2, int expected) {
        VitalSigns v = VitalSigns.builder().hypercapnicRespiratoryFailure(true).spo2(spo2).build();
        News2Score s = News2.score(v);
        assertEquals(expected, points(s, News2Parameter.SPO2));
        assertEquals(List.of(), s.notes());
    }

    @Test
    void spo2Scale1WithUnknownOxygenHasNoNote() {
        News2Score s = News2.score(VitalSigns.builder().spo2(97).build());
        assertEquals(SpO2Scale.SCALE_1, s.scale());
        assertEquals(List.of(), s.notes());
    }

    // Chart 1: oxygen -> 2, air -> 0
    @ParameterizedTest(name = "oxygen {0} -> {1}")
    @CsvSource({"false, 0, air", "true, 2, oxygen"})
    void airOrOxygenChart1(boolean oxygen, int expected, String value) {
        News2Score s = News2.score(normal().supplementalOxygen(oxygen).build());
        assertEquals(expected, points(s, News2Parameter.AIR_OR_OXYGEN));
        assertEquals(value, scoredValue(s, News2Parameter.AIR_OR_OXYGEN));
        assertEquals(expected, s.total());
    }

    // Chart 1: <=90 -> 3; 91-100 -> 2; 101-110 -> 1; 111-219 -> 0; >=220 -> 3
    @ParameterizedTest(name = "SBP {0} -> {1}")
    @CsvSource({
        "30, 3", "90, 3", "91, 2", "100, 2", "101, 1", "110, 1", "111, 0", "219, 0", "220, 3", "300, 3",
    })
    void systolicChart1(int sbp, int expected) {
        assertEquals(expected, News2.systolicPoints(sbp));
        News2Score s = News2.score(normal().systolicBp(sbp).build());
        assertEquals(expected, points(s, News2Parameter.SYSTOLIC_BP));
        assertEquals(expected, s.total());
    }

    // Chart 1: <=40 -> 3; 41-50 -> 1; 51-90 -> 0; 91-110 -> 1; 111-130 -> 2; >=131 -> 3
    @ParameterizedTest(name = "pulse {0} -> {1}")
    @CsvSource({
        "20, 3", "40, 3", "41, 1", "50, 1", "51, 0", "90, 0", "91, 1", "110, 1", "111, 2", "130, 2",
        "131, 3", "350, 3",
    })
    void pulseChart1(int pulse, int expected) {
        assertEquals(expected, News2.pulsePoints(pulse));
        News2Score s = News2.score(normal().heartRate(pulse).build());
        assertEquals(expected, points(s, News2Parameter.PULSE));
        assertEquals(expected, s.total());
    }

    // Chart 1: alert -> 0; new confusion, voice, pain, unresponsive -> 3
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"ALERT, 0", "NEW_CONFUSION, 3", "VOICE, 3", "PAIN, 3", "UNRESPONSIVE, 3"})
    void consciousnessChart1(Consciousness c, int expected) {
        assertEquals(expected, News2.consciousnessPoints(c));
        News2Score s = News2.score(normal().consciousness(c).build());
        assertEquals(expected, points(s, News2Parameter.CONSCIOUSNESS));
        assertEquals(expected, s.total());
    }

    @ParameterizedTest
    @EnumSource(value = Consciousness.class, names = "ALERT", mode = EnumSource.Mode.EXCLUDE)
    void consciousnessAlteredAloneIsLowMedium(Consciousness c) {
        News2Score s = News2.score(normal().consciousness(c).build());
        assertEquals(3, s.total());
        assertEquals(News2Band.LOW_MEDIUM, s.band());
        assertTrue(s.anySingleThree());
    }

    // Chart 1: <=35.0 -> 3; 35.1-36.0 -> 1; 36.1-38.0 -> 0; 38.1-39.0 -> 1; >=39.1 -> 2
    @ParameterizedTest(name = "T {0} -> {1}")
    @CsvSource({
        "25.0, 3", "35.0, 3", "35.1, 1", "36.0, 1", "36.1, 0", "38.0, 0", "38.1, 1", "39.0, 1",
        "39.1, 2", "45.0, 2",
    })
    void temperatureChart1(String t, int expected) {
        assertEquals(expected, News2.temperaturePoints(new BigDecimal(t)));
        News2Score s = News2.score(normal().temperatureC(Double.parseDouble(t)).build());
        assertEquals(expected, points(s, News2Parameter.TEMPERATURE));
        assertEquals(expected, s.total());
    }

    // ---------------------------------------------------------------- rounding rule (News2 javadoc)

    @ParameterizedTest(name = "pulse {0} -> scored as {1} -> {2}")
    @CsvSource({
        "90.5, 91, 1",
        "90.49, 90, 0",
        "40.5, 41, 1",
        "40.49, 40, 3",
        "130.5, 131, 3",
        "130.49, 130, 2",
    })
    void roundingPulse(double pulse, String asScored, int expected) {
        News2Score s = News2.score(normal().heartRate(pulse).build());
        assertEquals(asScored, scoredValue(s, News2Parameter.PULSE));
        assertEquals(expected, points(s, News2Parameter.PULSE));
    }

    @ParameterizedTest(name = "T {0} -> scored as {1} -> {2}")
    @CsvSource({
        "35.05, 35.1, 1",
        "35.04, 35.0, 3",
        "38.05, 38.1, 1",
        "38.04, 38.0, 0",
        "36.05, 36.1, 0",
        "36.04, 36.0, 1",
        "39.05, 39.1, 2",
        "39.04, 39.0, 1",
    })
    void roundingTemperature(double t, String asScored, int expected) {
        News2Score s = News2.score(normal().temperatureC(t).build());
        assertEquals(asScored, scoredValue(s, News2Parameter.TEMPERATURE));
        assertEquals(expected, points(s, News2Parameter.TEMPERATURE));
    }

    @ParameterizedTest(name = "RR {0} -> scored as {1} -> {2}")
    @CsvSource({"8.5, 9, 1", "8.49, 8, 3", "20.5, 21, 2", "20.49, 20, 0", "24.5, 25, 3"})
    void roundingRespiratoryRate(double rr, String asScored, int expected) {
        News2Score s = News2.score(normal().respiratoryRate(rr).build());
        assertEquals(asScored, scoredValue(s, News2Parameter.RESPIRATORY_RATE));
        assertEquals(expected, points(s, News2Parameter.RESPIRATORY_RATE));
    }

    @ParameterizedTest(name = "SBP {0} -> scored as {1} -> {2}")
    @CsvSource({"90.5, 91, 2", "90.49, 90, 3", "219.5, 220, 3", "219.49, 219, 0"})
    void roundingSystolic(double sbp, String asScored, int expected) {
        News2Score s = News2.score(normal().systolicBp(sbp).build());
        assertEquals(asScored, scoredValue(s, News2Parameter.SYSTOLIC_BP));
        assertEquals(expected, points(s, News2Parameter.SYSTOLIC_BP));
    }

    @ParameterizedTest(name = "SpO2 {0} -> scored as {1} -> {2}")
    @CsvSource({"91.5, 92, 2", "91.49, 91, 3", "95.5, 96, 0", "95.49, 95, 1"})
    void roundingSpo2(double spo2, String asScored, int expected) {
        News2Score s = News2.score(normal().spo2(spo2).build());
        assertEquals(asScored, scoredValue(s, News2Parameter.SPO2));
        assertEquals(expected, points(s, News2Parameter.SPO2));
    }

    // ---------------------------------------------------------------- Chart 4, aggregate bands

    @Test
    void bandTotal0IsLow() {
        News2Score s = News2.score(normal().build());
        assertEquals(0, s.total());
        assertEquals(News2Band.LOW, s.band());
    }

    @Test
    void bandTotal1IsLow() {
        News2Score s = News2.score(normal().heartRate(95).build()); // pulse 91-110 -> 1
        assertEquals(1, s.total());
        assertEquals(News2Band.LOW, s.band());
    }

    @Test
    void bandTotal4WithoutSingleThreeIsLow() {
        // RR 22 -> 2, SpO2 94 -> 1, pulse 95 -> 1
        News2Score s = News2.score(normal().respiratoryRate(22).spo2(94).heartRate(95).build());
        assertEquals(4, s.total());
        assertFalse(s.anySingleThree());
        assertEquals(News2Band.LOW, s.band());
    }

    @Test
    void bandSingleThreeWithTotal3IsLowMedium() {
        News2Score s = News2.score(normal().respiratoryRate(8).build()); // RR <=8 -> 3
        assertEquals(3, s.total());
        assertTrue(s.anySingleThree());
        assertEquals(News2Band.LOW_MEDIUM, s.band());
    }

    @Test
    void bandTotal3WithoutSingleThreeIsLow() {
        // RR 22 -> 2, pulse 95 -> 1: total 3 but no parameter at 3
        News2Score s = News2.score(normal().respiratoryRate(22).heartRate(95).build());
        assertEquals(3, s.total());
        assertFalse(s.anySingleThree());
        assertEquals(News2Band.LOW, s.band());
    }

    @Test
    void bandSingleThreeWithTotal4IsLowMedium() {
        // SBP 90 -> 3, pulse 95 -> 1
        News2Score s = News2.score(normal().systolicBp(90).heartRate(95).build());
        assertEquals(4, s.total());
        assertEquals(News2Band.LOW_MEDIUM, s.band());
    }

    @Test
    void bandTotal5IsMedium() {
        // RR 22 -> 2, SpO2 93 -> 2, pulse 95 -> 1
        News2Score s = News2.score(normal().respiratoryRate(22).spo2(93).heartRate(95).build());
        assertEquals(5, s.total());
        assertFalse(s.anySingleThree());
        assertEquals(News2Band.MEDIUM, s.band());
    }

    @Test
    void bandTotal5WithSingleThreeIsStillMedium() {
        // RR 8 -> 3, oxygen -> 2
        News2Score s = News2.score(normal().respiratoryRate(8).supplementalOxygen(true).build());
        assertEquals(5, s.total());
        assertTrue(s.anySingleThree());
        assertEquals(News2Band.MEDIUM, s.band());
    }

    @Test
    void bandTotal6IsMedium() {
        // RR 22 -> 2, oxygen -> 2, SBP 100 -> 2
        News2Score s = News2.score(normal().respiratoryRate(22).supplementalOxygen(true).systolicBp(100).build());
        assertEquals(6, s.total());
        assertFalse(s.anySingleThree());
        assertEquals(News2Band.MEDIUM, s.band());
    }

    @Test
    void bandTotal6WithSingleThreeIsStillMedium() {
        // SBP 90 -> 3, RR 22 -> 2, pulse 95 -> 1
        News2Score s = News2.score(normal().systolicBp(90).respiratoryRate(22).heartRate(95).build());
        assertEquals(6, s.total());
        assertTrue(s.anySingleThree());
        assertEquals(News2Band.MEDIUM, s.band());
    }

    @Test
    void bandTotal7IsHigh() {
        // RR 22 -> 2, oxygen -> 2, SBP 100 -> 2, pulse 95 -> 1
        News2Score s = News2.score(normal().respiratoryRate(22).supplementalOxygen(true).systolicBp(100)
                .heartRate(95).build());
        assertEquals(7, s.total());
        assertEquals(News2Band.HIGH, s.band());
    }

    @Test
    void bandMaximumTotal20IsHigh() {
        VitalSigns worst = VitalSigns.builder().respiratoryRate(25).spo2(91).supplementalOxygen(true)
                .systolicBp(90).heartRate(131).consciousness(Consciousness.UNRESPONSIVE).temperatureC(35.0)
                .build();
        News2Score s = News2.score(worst);
        assertEquals(3 + 3 + 2 + 3 + 3 + 3 + 3, s.total());
        assertEquals(News2Band.HIGH, s.band());
        assertTrue(s.complete());
    }

    @ParameterizedTest(name = "band(total {0}, single 3 {1}) = {2}")
    @CsvSource({
        "0, false, LOW",
        "1, false, LOW",
        "4, false, LOW",
        "3, true, LOW_MEDIUM",
        "4, true, LOW_MEDIUM",
        "5, false, MEDIUM",
        "5, true, MEDIUM",
        "6, false, MEDIUM",
        "6, true, MEDIUM",
        "7, false, HIGH",
        "7, true, HIGH",
        "20, true, HIGH",
    })
    void bandChart4(int total, boolean single3, News2Band expected) {
        assertEquals(expected, News2.band(total, single3));
    }

    // ---------------------------------------------------------------- missing parameters

    @Test
    void missingNothingMeasuredListsAllSevenInChartOrder() {
        News2Score s = News2.score(VitalSigns.NONE);
        assertEquals(0, s.total());
        assertFalse(s.complete());
        assertEquals(List.of(News2Parameter.RESPIRATORY_RATE, News2Parameter.SPO2, News2Parameter.AIR_OR_OXYGEN,
                News2Parameter.SYSTOLIC_BP, News2Parameter.PULSE, News2Parameter.CONSCIOUSNESS,
                News2Parameter.TEMPERATURE), s.missing());
        assertEquals(List.of(), s.parameters());
    }

    @Test
    void missingTotalIsSumOfPresentParametersAndMissingInChartOrder() {
        // RR 25 -> 3, SBP 100 -> 2, T 39.1 -> 2: total 7 from three of seven parameters
        VitalSigns v = VitalSigns.builder().temperatureC(39.1).systolicBp(100).respiratoryRate(25).build();
        News2Score s = News2.score(v);
        assertEquals(7, s.total());
        assertEquals(News2Band.HIGH, s.band());
        assertFalse(s.complete());
        assertEquals(List.of(News2Parameter.SPO2, News2Parameter.AIR_OR_OXYGEN, News2Parameter.PULSE,
                News2Parameter.CONSCIOUSNESS), s.missing());
        assertEquals(List.of(News2Parameter.RESPIRATORY_RATE, News2Parameter.SYSTOLIC_BP,
                News2Parameter.TEMPERATURE), s.parameters().stream().map(ParameterScore::parameter).toList());
    }

    @Test
    void missingSingleMissingParameter() {
        VitalSigns v = VitalSigns.builder().respiratoryRate(21).spo2(95).supplementalOxygen(false)
                .systolicBp(120).heartRate(70).temperatureC(37.0).build(); // no consciousness
        News2Score s = News2.score(v);
        assertEquals(2 + 1, s.total());
        assertEquals(List.of(News2Parameter.CONSCIOUSNESS), s.missing());
        assertFalse(s.complete());
    }

    @Test
    void missingScoredParametersAreInChartOrder() {
        News2Score s = News2.score(normal().build());
        assertEquals(List.of(News2Parameter.RESPIRATORY_RATE, News2Parameter.SPO2, News2Parameter.AIR_OR_OXYGEN,
                News2Parameter.SYSTOLIC_BP, News2Parameter.PULSE, News2Parameter.CONSCIOUSNESS,
                News2Parameter.TEMPERATURE), s.parameters().stream().map(ParameterScore::parameter).toList());
    }

    // ---------------------------------------------------------------- applicability (RCP 2017: adults >= 16)

    private final VitalSigns sick = normal().respiratoryRate(25).heartRate(131).build(); // 3 + 3

    @Test
    void assessAge15_99IsNotApplicable() {
        News2Score s = News2.assess(adult(15.99), sick);
        assertFalse(s.applicable());
        assertEquals(0, s.total());
        assertTrue(!s.notes().isEmpty());
    }

    @Test
    void assessAge16IsApplicable() {
        News2Score s = News2.assess(adult(16), sick);
        assertTrue(s.applicable());
        assertEquals(6, s.total());
        assertEquals(News2Band.MEDIUM, s.band());
        assertEquals(List.of(), s.notes());
    }

    @Test
    void assessUnknownAgeIsApplicable() {
        News2Score s = News2.assess(Patient.UNKNOWN, sick);
        assertTrue(s.applicable());
        assertEquals(6, s.total());
    }

    @Test
    void assessPregnancyAddsNoteButKeepsScore() {
        Patient pregnant = new Patient(OptionalDouble.of(30), Sex.FEMALE, Optional.of(true));
        News2Score s = News2.assess(pregnant, sick);
        assertTrue(s.applicable());
        assertEquals(6, s.total());
        assertEquals(News2Band.MEDIUM, s.band());
        assertTrue(!s.notes().isEmpty());
        assertTrue(s.notes().getFirst().toLowerCase().contains("pregnan"), s.notes().getFirst());
    }

    @Test
    void assessNotPregnantOrUnknownPregnancyHasNoNote() {
        assertEquals(List.of(), News2.assess(adult(30), sick).notes());
        Patient unknownPregnancy = new Patient(OptionalDouble.of(30), Sex.FEMALE, Optional.empty());
        assertEquals(List.of(), News2.assess(unknownPregnancy, sick).notes());
    }

    @Test
    void pregnancyNoteDoesNotHideTheScale2OxygenCaveat() {
        VitalSigns scale2UnknownOxygen = VitalSigns.builder().respiratoryRate(16).spo2(95).systolicBp(120)
                .heartRate(70).consciousness(Consciousness.ALERT).temperatureC(37.0)
                .hypercapnicRespiratoryFailure(true).build();
        Patient pregnant = new Patient(OptionalDouble.of(30), Sex.FEMALE, Optional.of(true));
        List<String> notes = News2.assess(pregnant, scale2UnknownOxygen).notes();
        assertEquals(2, notes.size(), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("on air")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("pregnancy")), notes.toString());
    }

    @Test
    void assessAgreesWithScoreForAdults() {
        VitalSigns v = normal().respiratoryRate(22).spo2(93).heartRate(95).build();
        assertEquals(News2.score(v), News2.assess(adult(70), v));
    }
}
