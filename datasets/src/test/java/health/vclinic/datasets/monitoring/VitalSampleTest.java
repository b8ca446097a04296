package health.vclinic.datasets.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.VitalSigns;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class VitalSampleTest {

    private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

    @Test
    void namesEveryBadFieldByItsWireNameWithoutTheValue() {
        var e = assertThrows(InvalidInputException.class, () -> VitalSample.of("", "dev 1", Instant.EPOCH.minusSeconds(1),
                VitalSigns.builder().heartRate(913).spo2(140), Optional.empty(), OptionalDouble.of(1.5)));
        List<String> fields = e.violations().stream().map(InvalidInputException.Violation::field).toList();
        assertEquals(List.of("patient_ref", "device_id", "timestamp", "signal_quality", "heart_rate", "spo2"), fields);
        assertFalse(e.getMessage().contains("913"), e.getMessage());
        assertFalse(e.getMessage().contains("140"), e.getMessage());
    }

    @Test
    void aValidSampleKeepsItsValues() {
        VitalSample s = VitalSample.of("pt-1", "", T, VitalSigns.builder().heartRate(72).spo2(97),
                Optional.empty(), OptionalDouble.of(0.9));
        assertEquals(72, s.vitals().heartRate().getAsDouble());
        assertTrue(s.poorSignal(0.95));
        assertFalse(s.poorSignal(0.5));
    }

    @Test
    void ecgBeatsNeedTheEcg5000LengthAndFiniteValues() {
        float[] ok = new float[EcgBeat.LENGTH];
        assertEquals(EcgBeat.LENGTH, EcgBeat.of(ok, "ecg_beat").samples().length);
        assertThrows(InvalidInputException.class, () -> EcgBeat.of(new float[139], "ecg_beat"));
        float[] nan = new float[EcgBeat.LENGTH];
        nan[5] = Float.NaN;
        var e = assertThrows(InvalidInputException.class, () -> EcgBeat.of(nan, "ecg_beat"));
        assertEquals("ecg_beat", e.violations().getFirst().field());
        float[] copy = ok.clone();
        EcgBeat beat = EcgBeat.of(copy, "ecg_beat");
        copy[0] = 42;
        assertEquals(0, beat.at(0), "the beat keeps its own copy");
        assertEquals(0, beat.std());
    }
}
