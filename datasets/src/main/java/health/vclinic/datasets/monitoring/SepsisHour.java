package health.vclinic.datasets.monitoring;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One hourly row of a PhysioNet/CinC 2019 stay, the vital-sign columns only (the labs are not used by
 * remote monitoring). Values are as recorded: absent where the file says {@code NaN}.
 *
 * @param iculos hours since ICU admission ({@code ICULOS}), 1 for the first row
 * @param heartRate {@code HR}, beats/min
 * @param spo2 {@code O2Sat}, %
 * @param temperatureC {@code Temp}, °C
 * @param systolicBp {@code SBP}, mmHg
 * @param meanArterialPressure {@code MAP}, mmHg
 * @param diastolicBp {@code DBP}, mmHg
 * @param respiratoryRate {@code Resp}, breaths/min
 * @param fio2 {@code FiO2}, fraction of inspired oxygen (0.21 is room air)
 * @param sepsisLabel {@code SepsisLabel}: 1 from 6 hours before the Sepsis-3 onset onwards
 */
public record SepsisHour(int iculos, OptionalDouble heartRate, OptionalDouble spo2, OptionalDouble temperatureC,
                         OptionalDouble systolicBp, OptionalDouble meanArterialPressure, OptionalDouble diastolicBp,
                         OptionalDouble respiratoryRate, OptionalDouble fio2, boolean sepsisLabel) {

    public SepsisHour {
        Objects.requireNonNull(heartRate, "heartRate");
        Objects.requireNonNull(spo2, "spo2");
        Objects.requireNonNull(temperatureC, "temperatureC");
        Objects.requireNonNull(systolicBp, "systolicBp");
        Objects.requireNonNull(meanArterialPressure, "meanArterialPressure");
        Objects.requireNonNull(diastolicBp, "diastolicBp");
        Objects.requireNonNull(respiratoryRate, "respiratoryRate");
        Objects.requireNonNull(fio2, "fio2");
        if (iculos < 0) {
            throw new IllegalArgumentException("ICULOS is hours since ICU admission, never negative");
        }
    }

    /** True when no vital sign was recorded in this hour (a device would send nothing). */
    public boolean noVitals() {
        return heartRate.isEmpty() && spo2.isEmpty() && temperatureC.isEmpty() && systolicBp.isEmpty()
                && diastolicBp.isEmpty() && respiratoryRate.isEmpty();
    }
}
