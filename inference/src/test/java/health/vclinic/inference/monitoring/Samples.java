package health.vclinic.inference.monitoring;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.EcgBeat;
import health.vclinic.datasets.monitoring.VitalSample;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/** Test samples: a fixed start, times as offsets, vitals by builder. */
final class Samples {

    static final Instant T0 = Instant.parse("2025-01-06T08:00:00Z");

    private Samples() {
    }

    static Instant at(Duration offset) {
        return T0.plus(offset);
    }

    /** Normal adult vitals: NEWS2 0. */
    static VitalSigns.Builder normal() {
        return VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(124).diastolicBp(78).temperatureC(36.8)
                .spo2(97).supplementalOxygen(false);
    }

    /** NEWS2 6: RR 23 (2), SpO2 93 (2), HR 112 (2), SBP 120, T 37.9, air. */
    static VitalSigns.Builder medium() {
        return VitalSigns.builder().heartRate(112).respiratoryRate(23).systolicBp(120).diastolicBp(70).temperatureC(37.9)
                .spo2(93).supplementalOxygen(false);
    }

    /** NEWS2 11: RR 26 (3), SpO2 91 (3), HR 125 (2), SBP 98 (2), T 38.4 (1), air. */
    static VitalSigns.Builder high() {
        return VitalSigns.builder().heartRate(125).respiratoryRate(26).systolicBp(98).diastolicBp(60).temperatureC(38.4)
                .spo2(91).supplementalOxygen(false);
    }

    static VitalSample sample(String patient, Duration offset, VitalSigns.Builder vitals) {
        return VitalSample.of(patient, "watch-1", at(offset), vitals, Optional.empty(), OptionalDouble.of(0.95));
    }

    static VitalSample sample(String patient, Duration offset, VitalSigns.Builder vitals, double quality) {
        return VitalSample.of(patient, "watch-1", at(offset), vitals, Optional.empty(), OptionalDouble.of(quality));
    }

    static VitalSample withBeat(String patient, Duration offset, float[] beat) {
        return VitalSample.of(patient, "patch-1", at(offset), normal(), Optional.of(EcgBeat.of(beat, "ecg_beat")),
                OptionalDouble.of(0.9));
    }
}
