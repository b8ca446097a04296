package health.vclinic.datasets.monitoring;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.VitalSigns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.DoubleConsumer;

/**
 * One ICU stay of the PhysioNet/CinC Challenge 2019 (Reyna et al., Crit Care Med 2020): hourly vital
 * signs with the hour-by-hour sepsis label.
 *
 * <p>Onset: the Challenge labels a septic stay from 6 hours before the Sepsis-3 onset time onwards, so
 * the onset is the first labelled hour plus 6. For a stay labelled from its first row (septic on
 * arrival) the true onset may be earlier than that; {@link #septicOnArrival()} says so.
 *
 * @param patientId the file name without {@code .psv}, e.g. {@code p000009} (a de-identified record id)
 * @param ageYears {@code Age}
 * @param hours the rows in file order (ascending ICULOS)
 */
public record SepsisStay(String patientId, double ageYears, List<SepsisHour> hours) {

    /** Hours between the first positive label and the Sepsis-3 onset (Challenge definition). */
    public static final int LABEL_LEAD_HOURS = 6;
    /** Device id the replayed samples carry. */
    public static final String DEVICE_ID = "icu-monitor";
    /** Below this FiO2 the patient breathes room air. */
    public static final double ROOM_AIR_FIO2 = 0.21;

    public SepsisStay {
        Objects.requireNonNull(patientId, "patientId");
        hours = List.copyOf(hours);
        if (hours.isEmpty()) {
            throw new IllegalArgumentException(patientId + " has no rows");
        }
    }

    /** True when any hour carries the sepsis label. */
    public boolean septic() {
        return hours.stream().anyMatch(SepsisHour::sepsisLabel);
    }

    /** The ICULOS hour of the Sepsis-3 onset (first label + 6), for septic stays. */
    public OptionalInt onsetHour() {
        return hours.stream().filter(SepsisHour::sepsisLabel).mapToInt(h -> h.iculos() + LABEL_LEAD_HOURS).findFirst();
    }

    /** True when the label is already set on the first row: the onset may precede the data. */
    public boolean septicOnArrival() {
        return hours.getFirst().sepsisLabel();
    }

    /** Hours covered, first to last row inclusive. */
    public int lengthHours() {
        return hours.getLast().iculos() - hours.getFirst().iculos() + 1;
    }

    /**
     * The stay as a bedside monitor would stream it: one sample per hour that recorded any vital sign,
     * timestamped {@code admission + ICULOS hours}, device {@value #DEVICE_ID}. Oxygen is "on" when
     * FiO2 was recorded above room air, "off" when recorded at or below it, and unknown otherwise.
     * Values that {@link VitalSigns} rejects as impossible (a diastolic at or above the systolic,
     * in one row of the subset) are left out of the sample, as a device would blank them.
     */
    public List<VitalSample> samples(Instant admission) {
        List<VitalSample> samples = new ArrayList<>(hours.size());
        for (SepsisHour h : hours) {
            if (h.noVitals()) {
                continue;
            }
            samples.add(new VitalSample(patientId, DEVICE_ID, admission.plus(Duration.ofHours(h.iculos())),
                    vitals(h), Optional.empty(), OptionalDouble.empty()));
        }
        return samples;
    }

    /** The vital signs of one row, without values that cannot be real measurements. */
    public static VitalSigns vitals(SepsisHour h) {
        VitalSigns.Builder b = VitalSigns.builder();
        set(h.heartRate(), 20, 350, b::heartRate);
        set(h.respiratoryRate(), 1, 100, b::respiratoryRate);
        set(h.systolicBp(), 30, 300, b::systolicBp);
        boolean diastolicBelowSystolic = h.diastolicBp().isPresent()
                && (h.systolicBp().isEmpty() || h.diastolicBp().getAsDouble() < h.systolicBp().getAsDouble());
        if (diastolicBelowSystolic) {
            set(h.diastolicBp(), 10, 250, b::diastolicBp);
        }
        set(h.temperatureC(), 25, 45, b::temperatureC);
        set(h.spo2(), 30, 100, b::spo2);
        h.fio2().ifPresent(f -> b.supplementalOxygen(f > ROOM_AIR_FIO2));
        try {
            return b.build();
        } catch (InvalidInputException e) {
            throw new IllegalStateException("ranges above mirror VitalSigns; they disagree: " + e.getMessage(), e);
        }
    }

    private static void set(OptionalDouble value, double min, double max, DoubleConsumer setter) {
        if (value.isPresent() && value.getAsDouble() >= min && value.getAsDouble() <= max) {
            setter.accept(value.getAsDouble());
        }
    }
}
