package health.vclinic.datasets;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One set of vital signs. Every value is optional: absent means "not measured", never zero.
 *
 * <p>The accepted ranges are wide physiological limits, not normal ranges: a value outside them
 * cannot be a real measurement of a living patient (a typo, a unit mix-up, a sensor fault) and is
 * rejected rather than scored. Heart rate 20 to 350 /min (infant SVT reaches 300), respiratory rate 1
 * to 100 /min (neonates breathe up to 60-80), systolic 30 to 300 mmHg, diastolic 10 to 250 mmHg and
 * below systolic, temperature 25 to 45 °C (severe hypothermia to hyperpyrexia), SpO2 30 to 100 %.
 *
 * @param supplementalOxygen true on oxygen, false on room air
 * @param hypercapnicRespiratoryFailure selects NEWS2 SpO2 scale 2 (prescribed target 88-92 %)
 */
public record VitalSigns(
        OptionalDouble heartRate,
        OptionalDouble respiratoryRate,
        OptionalDouble systolicBp,
        OptionalDouble diastolicBp,
        OptionalDouble temperatureC,
        OptionalDouble spo2,
        Optional<Boolean> supplementalOxygen,
        Optional<Consciousness> consciousness,
        Optional<Boolean> hypercapnicRespiratoryFailure) {

    /** Nothing measured. */
    public static final VitalSigns NONE = builder().build();

    public VitalSigns {
        Objects.requireNonNull(heartRate, "heartRate");
        Objects.requireNonNull(respiratoryRate, "respiratoryRate");
        Objects.requireNonNull(systolicBp, "systolicBp");
        Objects.requireNonNull(diastolicBp, "diastolicBp");
        Objects.requireNonNull(temperatureC, "temperatureC");
        Objects.requireNonNull(spo2, "spo2");
        Checks.present(supplementalOxygen, "supplementalOxygen");
        Checks.present(consciousness, "consciousness");
        Checks.present(hypercapnicRespiratoryFailure, "hypercapnicRespiratoryFailure");
        Checks checks = new Checks();
        checks.range("vitals.heart_rate", heartRate, 20, 350, "beats/min");
        checks.range("vitals.respiratory_rate", respiratoryRate, 1, 100, "breaths/min");
        checks.range("vitals.systolic_bp", systolicBp, 30, 300, "mmHg");
        checks.range("vitals.diastolic_bp", diastolicBp, 10, 250, "mmHg");
        checks.range("vitals.temperature_c", temperatureC, 25, 45, "°C");
        checks.range("vitals.spo2", spo2, 30, 100, "%");
        if (systolicBp.isPresent() && diastolicBp.isPresent()
                && diastolicBp.getAsDouble() >= systolicBp.getAsDouble()) {
            checks.fail("vitals.diastolic_bp", "must be below vitals.systolic_bp");
        }
        checks.throwIfAny();
    }

    /** True when not a single value was measured. */
    public boolean empty() {
        return this.equals(NONE);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds vital signs one measured value at a time; unset values stay absent. */
    public static final class Builder {
        private OptionalDouble heartRate = OptionalDouble.empty();
        private OptionalDouble respiratoryRate = OptionalDouble.empty();
        private OptionalDouble systolicBp = OptionalDouble.empty();
        private OptionalDouble diastolicBp = OptionalDouble.empty();
        private OptionalDouble temperatureC = OptionalDouble.empty();
        private OptionalDouble spo2 = OptionalDouble.empty();
        private Optional<Boolean> supplementalOxygen = Optional.empty();
        private Optional<Consciousness> consciousness = Optional.empty();
        private Optional<Boolean> hypercapnicRespiratoryFailure = Optional.empty();

        private Builder() {
        }

        public Builder heartRate(double v) {
            heartRate = OptionalDouble.of(v);
            return this;
        }

        public Builder respiratoryRate(double v) {
            respiratoryRate = OptionalDouble.of(v);
            return this;
        }

        public Builder systolicBp(double v) {
            systolicBp = OptionalDouble.of(v);
            return this;
        }

        public Builder diastolicBp(double v) {
            diastolicBp = OptionalDouble.of(v);
            return this;
        }

        public Builder temperatureC(double v) {
            temperatureC = OptionalDouble.of(v);
            return this;
        }

        public Builder spo2(double v) {
            spo2 = OptionalDouble.of(v);
            return this;
        }

        public Builder supplementalOxygen(boolean v) {
            supplementalOxygen = Optional.of(v);
            return this;
        }

        public Builder consciousness(Consciousness v) {
            consciousness = Optional.of(v);
            return this;
        }

        public Builder hypercapnicRespiratoryFailure(boolean v) {
            hypercapnicRespiratoryFailure = Optional.of(v);
            return this;
        }

        public VitalSigns build() {
            return new VitalSigns(heartRate, respiratoryRate, systolicBp, diastolicBp, temperatureC, spo2,
                    supplementalOxygen, consciousness, hypercapnicRespiratoryFailure);
        }
    }
}
