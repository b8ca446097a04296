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
                // Two readings a minute apart: the second one pages.
                () -> assertEquals(Samples.at(Duration.ofMinutes(11)), page.raisedAt()),
                () -> assertTrue(page.reason().startsWith("Acute deterioration: "), page.reason()));
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
