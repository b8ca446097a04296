package health.vclinic.inference.monitoring;

import static health.vclinic.inference.monitoring.Samples.normal;
import static health.vclinic.inference.monitoring.Samples.sample;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The acute path through the engine as served, criterion by criterion at its published boundary (RCP
 * 2017, Chart 1 and 4; the extreme limits of {@link AcuteDetector}), one unit inside it and one
 * outside, and each artefact that must not page. Device time only: no clock is read.
 */
class AcuteDetectorTest {

    private static MonitoringEngine engine(MonitoringConfig config) {
        return MonitoringEngine.create(config, MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty()),
                () -> 0L);
    }

    /** Ten well minutes at one sample a minute, then {@code ill} from minute 10 to 20. */
    private static List<VitalSample> oneMinute(UnaryOperator<VitalSigns.Builder> ill) {
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            s.add(sample("pt", Duration.ofMinutes(m), m < 10 ? normal() : ill.apply(normal())));
        }
        return s;
    }

    private static List<AlertEvent> pages(MonitoringEngine engine, List<VitalSample> samples) {
        List<AlertEvent> out = new ArrayList<>();
        for (VitalSample s : samples) {
            engine.accept(s).alerts().stream().filter(AlertEvent::pages).forEach(out::add);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}: pages {2}")
    @CsvSource({
            "spo2, 88, true", "spo2, 89, false",
            "heart_rate, 40, true", "heart_rate, 41, false",
            "heart_rate, 140, true", "heart_rate, 139, false",
            "systolic_bp, 90, true", "systolic_bp, 91, false",
            "respiratory_rate, 8, true", "respiratory_rate, 9, false",
            "respiratory_rate, 25, true", "respiratory_rate, 24, false",
            // Rounded to whole units first, as NEWS2 is: 88.4 is 88, 88.5 is 89.
            "spo2, 88.4, true", "spo2, 88.5, false"})
    void eachSingleParameterPagesAtItsExtremeLimitWithinTwoMinutes(String vital, double value, boolean pages) {
        List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), oneMinute(v -> set(v, vital, value)));
        if (!pages) {
            assertEquals(List.of(), p);
            return;
        }
        assertEquals(1, p.size(), p.toString());
        AlertEvent page = p.getFirst();
        assertAll(
                () -> assertEquals(AlertKind.NEWS2, page.kind()),
                () -> assertEquals(AlertState.RAISED, page.state()),
                () -> assertEquals(AlertSeverity.HIGH, page.severity()),
                // One vital alone, nothing corroborating it: three good readings, two minutes from the first.
                () -> assertEquals(Samples.at(Duration.ofMinutes(12)), page.raisedAt()),
                () -> assertTrue(page.reason().startsWith("Acute deterioration: "), page.reason()),
                () -> assertTrue(page.reason().contains("confirmed by 3 good readings"), page.reason()));
    }

    @ParameterizedTest(name = "{0} {1} with {2} {3}")
    @CsvSource({
            "spo2, 86, respiratory_rate, 22", "spo2, 86, heart_rate, 112",
            "respiratory_rate, 27, spo2, 93", "respiratory_rate, 27, heart_rate, 115",
            "heart_rate, 150, systolic_bp, 98", "heart_rate, 38, systolic_bp, 96",
            "systolic_bp, 85, heart_rate, 118", "systolic_bp, 85, respiratory_rate, 22"})
    void aSingleParameterCorroboratedByASecondVitalPagesAtTheSecondReading(String vital, double value, String other,
                                                                           double otherValue) {
        // The second vital was already there before (so this is no change of two vitals together).
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            VitalSigns.Builder v = set(normal(), other, otherValue);
            s.add(sample("pt", Duration.ofMinutes(m), m < 10 ? v : set(v, vital, value)));
        }
        List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), s);
        assertEquals(1, p.size(), p.toString());
        assertEquals(Samples.at(Duration.ofMinutes(11)), p.getFirst().raisedAt());
        assertTrue(p.getFirst().reason().contains("corroborated by another vital"), p.getFirst().reason());
    }

    @Test
    void aDeteriorationThatRampsPagesAtTheFirstReadingPastTheLimit() {
        // Desaturation over two minutes from minute 10: SpO2 97 -> 91 -> 85, RR 14 -> 20 -> 27, HR 72 -> 95 -> 118.
        double[][] ramp = {{91, 20, 95}, {85, 27, 118}};
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            double[] x = m < 10 ? new double[] {97, 14, 72} : ramp[Math.min(1, m - 10)];
            s.add(sample("pt", Duration.ofMinutes(m), normal().spo2(x[0]).respiratoryRate(x[1]).heartRate(x[2])));
        }
        List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), s);
        assertEquals(1, p.size(), p.toString());
        // Minute 10 showed three vitals changing together; minute 11 crosses the limits and pages.
        assertEquals(Samples.at(Duration.ofMinutes(11)), p.getFirst().raisedAt());
        assertTrue(p.getFirst().reason().contains("first reading past the limit after a clear change of 3 vitals"),
                p.getFirst().reason());
        assertEquals(8, MonitoringEngineTest.measurement(p.getFirst(), "news2_total"), "the latest reading's NEWS2");
    }

    private static VitalSigns.Builder set(VitalSigns.Builder b, String vital, double value) {
        return switch (vital) {
            case "spo2" -> b.spo2(value);
            case "heart_rate" -> b.heartRate(value);
            case "systolic_bp" -> b.systolicBp(value);
            case "respiratory_rate" -> b.respiratoryRate(value);
            default -> throw new IllegalArgumentException(vital);
        };
    }

    @Test
    void onScaleTwoSpO2PagesAt83NotAt84() {
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()),
                oneMinute(v -> v.hypercapnicRespiratoryFailure(true).spo2(84))));
        assertEquals(1, pages(engine(MonitoringConfig.defaults()),
                oneMinute(v -> v.hypercapnicRespiratoryFailure(true).spo2(83))).size());
    }

    @Test
    void news2SevenOnRecentValuesPagesAndSixDoesNot() {
        // RR 22 (2), SpO2 93 (2), HR 115 (2): 6 points, no single parameter at an extreme limit.
        UnaryOperator<VitalSigns.Builder> six = v -> v.respiratoryRate(22).spo2(93).heartRate(115);
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), oneMinute(six)));
        // With a temperature of 38.5 (1): 7.
        List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), oneMinute(v -> six.apply(v).temperatureC(38.5)));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.getFirst().reason().contains("NEWS2 7 or more"), p.getFirst().reason());
        assertEquals(7, MonitoringEngineTest.measurement(p.getFirst(), "news2_total"));
    }

    @Test
    void oneImplausibleReadingNeverPages() {
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            // A probe dropping to 82 % for one reading, a heart-rate spike of 180 for another.
            s.add(sample("pt", Duration.ofMinutes(m), m == 12 ? normal().spo2(82) : m == 20 ? normal().heartRate(180) : normal()));
        }
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), s));
    }

    @Test
    void aJumpThatReversesWithinAMinuteDoesNotPageOneThatLastsAMinuteDoes() {
        for (int abnormal : new int[] {4, 5}) {
            List<VitalSample> s = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                boolean low = i >= 20 && i < 20 + abnormal;
                s.add(sample("pt", Duration.ofSeconds(15L * i), low ? normal().spo2(80) : normal()));
            }
            List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), s);
            if (abnormal == 4) {
                assertEquals(List.of(), p, "readings at 0, 15, 30 and 45 s span 45 s");
            } else {
                assertEquals(1, p.size(), "readings spanning 60 s");
                assertEquals(Samples.at(Duration.ofSeconds(15 * 24)), p.getFirst().raisedAt());
            }
        }
    }

    /** {@code abnormal} at the given minutes (with their signal quality), normal readings otherwise. */
    private static List<VitalSample> minutes(int n, java.util.Map<Integer, VitalSigns.Builder> abnormal,
                                             java.util.Map<Integer, Double> quality) {
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            s.add(sample("pt", Duration.ofMinutes(m), abnormal.getOrDefault(m, normal()), quality.getOrDefault(m, 0.95)));
        }
        return s;
    }

    @Test
    void twoImplausibleReadingsOfOneVitalInARowDoNotPage() {
        // As on the generator's stable patients: a respiratory rate of 33 then 31, both rated good, then 18
        // again; a heart rate doubled twice by a counting error; a probe reading 80 % then 82 %.
        for (var pair : List.of(List.of(normal().respiratoryRate(33), normal().respiratoryRate(31)),
                List.of(normal().heartRate(144), normal().heartRate(146)), List.of(normal().spo2(80), normal().spo2(82)))) {
            List<VitalSample> s = minutes(30, java.util.Map.of(12, pair.get(0), 13, pair.get(1)), java.util.Map.of());
            assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), s));
        }
    }

    @Test
    void motionThatTheDeviceRatesMarginalDoesNotPage() {
        // Two readings in a row that read, to a rule, as a desaturation with tachycardia (SpO2 83 and 80,
        // heart rate 161 and 132), rated 0.65 and 0.58: motion the device did not quite flag.
        List<VitalSample> s = minutes(30, java.util.Map.of(12, normal().spo2(83).heartRate(161).respiratoryRate(23),
                13, normal().spo2(80).heartRate(132).respiratoryRate(15)), java.util.Map.of(12, 0.65, 13, 0.58));
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), s));
        // Every 15 s, a burst of 75 s: readings it flagged (quality under 0.5, never analysed) between
        // wild ones it rated marginal, which meet SpO2 88 % or less for more than a minute.
        double[][] burst = {{0.68, 131, 36, 75}, {0.35, 138, 35, 76}, {0.65, 159, 37, 83}, {0.20, 175, 11, 84},
                {0.72, 135, 19, 86}, {0.61, 186, 36, 84}};
        List<VitalSample> b = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double[] r = i >= 30 && i < 30 + burst.length ? burst[i - 30] : null;
            b.add(r == null ? sample("pt", Duration.ofSeconds(15L * i), normal())
                    : sample("pt", Duration.ofSeconds(15L * i), normal().heartRate(r[1]).respiratoryRate(r[2]).spo2(r[3]), r[0]));
        }
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), b));
    }

    @Test
    void aDeviceThatRatesEveryReadingMarginalStillPagesOverThreeHolds() {
        // Shock with poor perfusion: HR 135, SBP 82, RR 27 from minute 10, every reading rated 0.6.
        java.util.Map<Integer, VitalSigns.Builder> shock = new java.util.HashMap<>();
        java.util.Map<Integer, Double> quality = new java.util.HashMap<>();
        for (int m = 10; m < 20; m++) {
            shock.put(m, normal().heartRate(135).systolicBp(82).respiratoryRate(27));
            quality.put(m, 0.6);
        }
        List<AlertEvent> p = pages(engine(MonitoringConfig.defaults()), minutes(20, shock, quality));
        assertEquals(1, p.size(), p.toString());
        assertEquals(Samples.at(Duration.ofMinutes(13)), p.getFirst().raisedAt(), "readings at 10 to 13 span 3 min");
        assertTrue(p.getFirst().reason().contains("marginal signal quality"), p.getFirst().reason());
    }

    @Test
    void aReadingThatReversesEndsTheRun() {
        // Every 15 s: SpO2 80 % three times, 96 % once, 80 % three times: never a minute without a reversal,
        // though the median of three stays at 80 % throughout.
        List<VitalSample> s = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean low = i >= 20 && i < 27 && i != 23;
            s.add(sample("pt", Duration.ofSeconds(15L * i), low ? normal().spo2(80) : normal()));
        }
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), s));
    }

    @Test
    void theHoldIsMeasuredInDeviceTime() {
        MonitoringConfig config = MonitoringConfig.builder().acuteHold(Duration.ofSeconds(90)).build();
        List<AlertEvent> p = pages(engine(config), oneMinute(v -> v.heartRate(150)));
        assertEquals(Samples.at(Duration.ofMinutes(12)), p.getFirst().raisedAt(), "60 s is not 90 s; 120 s is");
    }

    @Test
    void aPoorSignalNeverPages() {
        List<VitalSample> s = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            s.add(m < 10 ? sample("pt", Duration.ofMinutes(m), normal())
                    : sample("pt", Duration.ofMinutes(m), normal().spo2(75).heartRate(170), 0.3));
        }
        assertEquals(List.of(), pages(engine(MonitoringConfig.defaults()), s));
    }

    @Test
    void hourlyChartingHasNoAcutePath() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<AlertEvent> all = new ArrayList<>();
        for (int h = 0; h < 5; h++) {
            all.addAll(engine.accept(sample("pt", Duration.ofHours(h), h < 2 ? normal() : normal().spo2(85).heartRate(145)))
                    .alerts());
        }
        AlertEvent first = all.stream().filter(a -> a.kind() == AlertKind.NEWS2).findFirst().orElseThrow();
        assertFalse(first.reason().startsWith("Acute"), first.reason());
        // The smoothed score reaches 6 at 3 h (two ill rows in 90 min) and is confirmed by the next row.
        assertEquals(Samples.at(Duration.ofHours(4)), first.raisedAt());
    }

    @Test
    void anAcuteEpisodeEscalatesTheOpenNews2AlertInsteadOfRaisingAnother() {
        MonitoringEngine engine = engine(MonitoringConfig.builder().news2Hold(Duration.ZERO).build());
        List<AlertEvent> all = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            // NEWS2 6 (MEDIUM on the smoothed path, which stays 6 over 90 min) from minute 0, then SpO2 84 from 20.
            VitalSigns.Builder v = normal().respiratoryRate(22).spo2(m < 20 ? 93 : 84).heartRate(115);
            all.addAll(engine.accept(sample("pt", Duration.ofMinutes(m), v)).alerts());
        }
        List<AlertEvent> news2 = all.stream().filter(a -> a.kind() == AlertKind.NEWS2).toList();
        assertEquals(List.of(AlertState.RAISED, AlertState.UPDATED), news2.stream().map(AlertEvent::state).toList(),
                news2.toString());
        AlertEvent escalation = news2.get(1);
        assertAll(
                () -> assertEquals(AlertSeverity.MEDIUM, news2.getFirst().severity()),
                () -> assertEquals(news2.getFirst().alertId(), escalation.alertId()),
                () -> assertEquals(AlertSeverity.HIGH, escalation.severity()),
                () -> assertTrue(escalation.pages()),
                () -> assertEquals(Samples.at(Duration.ofMinutes(21)), escalation.sampleTime()));
    }

    @Test
    void anAcuteAlertResolvesAfterTheClearTimeWithoutACriterion() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<AlertEvent> all = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            VitalSigns.Builder v = m >= 10 && m < 15 ? normal().heartRate(35) : normal();
            all.addAll(engine.accept(sample("pt", Duration.ofMinutes(m), v)).alerts());
        }
        assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), all.stream().map(AlertEvent::state).toList());
        // Readings at 10-14; the median is normal again from 16; 10 min later the alert resolves.
        assertEquals(Samples.at(Duration.ofMinutes(26)), all.getLast().sampleTime());
    }

    @Test
    void aLateSampleDoesNotChangeTheAcuteView() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<AlertEvent> all = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            all.addAll(engine.accept(sample("pt", Duration.ofMinutes(m), normal())).alerts());
        }
        // Two old readings of bradycardia arriving late (a buffered upload) are history, not now.
        all.addAll(engine.accept(sample("pt", Duration.ofSeconds(30), normal().heartRate(35))).alerts());
        all.addAll(engine.accept(sample("pt", Duration.ofSeconds(90), normal().heartRate(35))).alerts());
        all.addAll(engine.accept(sample("pt", Duration.ofMinutes(10), normal())).alerts());
        assertEquals(List.of(), all);
    }
}
