package health.vclinic.evaluation.monitoring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SepsisHour;
import health.vclinic.datasets.monitoring.SepsisStay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The early-warning definitions on hand-made stays, where every number can be worked out by hand. */
class EarlyWarningTest {

    private static final Instant T0 = MonitoringEvaluation.ADMISSION;

    /** A stay of {@code hours} rows; septic from {@code firstLabel} (onset = firstLabel + 6), or never (-1). */
    private static SepsisStay stay(String id, int hours, int firstLabel, double rr, double sbp) {
        List<SepsisHour> rows = new ArrayList<>();
        for (int h = 1; h <= hours; h++) {
            rows.add(new SepsisHour(h, OptionalDouble.of(80), OptionalDouble.of(97), OptionalDouble.of(37),
                    OptionalDouble.of(sbp), OptionalDouble.empty(), OptionalDouble.of(60), OptionalDouble.of(rr),
                    OptionalDouble.empty(), firstLabel > 0 && h >= firstLabel));
        }
        return new SepsisStay(id, 60, rows);
    }

    private static Instant hour(double h) {
        return T0.plus(Duration.ofMinutes((long) (h * 60)));
    }

    @Test
    void leadTimeSensitivityAndFalseAlertsFollowTheirDefinitions() {
        // Onset at hour 40 for both septic stays.
        StayOutcome early = new StayOutcome(stay("s1", 50, 34, 16, 120), List.of(hour(30), hour(38)), 2, Map.of());
        StayOutcome tooEarly = new StayOutcome(stay("s2", 50, 34, 16, 120), List.of(hour(-10), hour(41)), 1, Map.of());
        // Two stays without sepsis, 24 h and 48 h: 3 alerts in 3 days, 1 page.
        StayOutcome quiet = new StayOutcome(stay("n1", 24, -1, 16, 120), List.of(hour(5)), 0, Map.of("NEWS2", 1));
        StayOutcome noisy = new StayOutcome(stay("n2", 48, -1, 16, 120), List.of(hour(1), hour(2)), 1, Map.of("TREND", 2));
        ObjectNode m = EarlyWarning.metrics(List.of(early, tooEarly, quiet, noisy), T0);
        assertAll(
                () -> assertEquals(2, m.get("septic_stays").asInt()),
                () -> assertEquals(0.5, m.at("/sensitivity_at_onset/value").asDouble(), "s2's alert is 50 h early, then late"),
                () -> assertEquals(10, m.at("/lead_time_hours/median").asDouble(), 1e-9, "40 - 30"),
                () -> assertEquals(0.5, m.at("/sensitivity_within_12h/value").asDouble(), "s1 at 38 h"),
                () -> assertEquals(3, m.get("patient_days").asDouble(), 1e-9),
                () -> assertEquals(1.0, m.get("false_alerts_per_patient_day").asDouble(), 1e-9),
                () -> assertEquals(1 / 3.0, m.get("pages_per_patient_day").asDouble(), 1e-9),
                () -> assertEquals(1, m.at("/false_alerts_by_kind/NEWS2").asInt()),
                () -> assertEquals(2, m.at("/false_alerts_by_kind/TREND").asInt()));
    }

    @Test
    void baselinesCountEpisodesOfTheirRuleOnLatestValues() {
        List<SepsisHour> rows = new ArrayList<>();
        double[] rr = {16, 24, 24, 16, 24, 16};
        double[] sbp = {120, 95, 120, 95, 95, 120};
        for (int h = 0; h < rr.length; h++) {
            rows.add(new SepsisHour(h + 1, OptionalDouble.of(80), OptionalDouble.empty(), OptionalDouble.empty(),
                    OptionalDouble.of(sbp[h]), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(rr[h]),
                    OptionalDouble.empty(), false));
        }
        SepsisStay stay = new SepsisStay("b", 50, rows);
        // qSOFA >= 2 needs RR >= 22 and SBP <= 100: hours 2 and 5, two episodes.
        assertEquals(List.of(hour(2), hour(5)), Baseline.QSOFA_2.run(stay, T0).raised());
        // NEWS2 at most RR 24 (2) + SBP 95 (2) = 4, SpO2 and temperature not charted: never 5 on this stay.
        assertEquals(List.of(), Baseline.NEWS2_5.run(stay, T0).raised());
    }
}
