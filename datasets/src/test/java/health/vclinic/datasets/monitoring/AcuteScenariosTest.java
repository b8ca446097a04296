package health.vclinic.datasets.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.monitoring.AcuteScenarios.Scenario;
import health.vclinic.datasets.monitoring.AcuteScenarios.ScriptedPatient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcuteScenariosTest {

    private static final Instant START = Instant.parse("2025-03-01T00:00:00Z");

    @Test
    void theSameSeedGivesTheSameSamplesAndAnotherSeedOthers() {
        ScriptedPatient a = AcuteScenarios.generate(Scenario.SHOCK, Duration.ofMinutes(1), 7, START, Duration.ofMinutes(30));
        ScriptedPatient b = AcuteScenarios.generate(Scenario.SHOCK, Duration.ofMinutes(1), 7, START, Duration.ofMinutes(30));
        ScriptedPatient c = AcuteScenarios.generate(Scenario.SHOCK, Duration.ofMinutes(1), 8, START, Duration.ofMinutes(30));
        assertEquals(a, b);
        assertNotEquals(a.samples(), c.samples());
    }

    @Test
    void theOnsetIsRandomWithinTheWellHourAndTheSamplesKeepTheInterval() {
        for (long seed = 0; seed < 20; seed++) {
            ScriptedPatient p = AcuteScenarios.generate(Scenario.DESATURATION, Duration.ofSeconds(15), seed, START,
                    Duration.ofMinutes(20));
            Duration onset = Duration.between(START, p.onset().orElseThrow());
            assertTrue(onset.compareTo(Duration.ofMinutes(30)) >= 0 && onset.compareTo(Duration.ofMinutes(90)) <= 0, onset::toString);
            List<VitalSample> s = p.samples();
            for (int i = 1; i < s.size(); i++) {
                assertEquals(Duration.ofSeconds(15), Duration.between(s.get(i - 1).timestamp(), s.get(i).timestamp()));
            }
        }
    }

    @Test
    void afterTheRampTheScenarioHoldsItsTargets() {
        ScriptedPatient p = AcuteScenarios.generate(Scenario.BRADYCARDIA, Duration.ofMinutes(1), 3, START, Duration.ofMinutes(30));
        Instant settled = p.onset().orElseThrow().plusSeconds(AcuteScenarios.MAX_RAMP_SECONDS);
        double[] hr = p.samples().stream().filter(s -> s.timestamp().isAfter(settled) && !s.poorSignal(0.5))
                .mapToDouble(s -> s.vitals().heartRate().orElse(Double.NaN)).filter(v -> !Double.isNaN(v)).sorted().toArray();
        assertTrue(hr[hr.length / 2] <= 42, "median heart rate after the ramp: " + hr[hr.length / 2]);
    }

    @Test
    void aStablePatientHasNoOnsetButDoesHaveArtefacts() {
        ScriptedPatient p = AcuteScenarios.generate(Scenario.STABLE, Duration.ofSeconds(15), 1, START, Duration.ofHours(12));
        assertTrue(p.onset().isEmpty());
        assertTrue(p.hours() > 12);
        assertTrue(p.samples().stream().anyMatch(s -> s.poorSignal(0.5)), "sensor off and motion");
        assertTrue(p.samples().stream().anyMatch(s -> !s.poorSignal(0.5) && s.vitals().spo2().orElse(100) < 86),
                "an implausible reading with a good quality index");
    }

    @Test
    void anIntervalOutsideItsRangeIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> AcuteScenarios.generate(Scenario.SHOCK, Duration.ZERO, 1, START, Duration.ofMinutes(10)));
    }
}
