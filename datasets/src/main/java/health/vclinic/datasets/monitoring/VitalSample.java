package health.vclinic.datasets.monitoring;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.VitalSigns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One reading from a patient's wearable or home device: the vital signs measured at one instant, an
 * optional ECG beat, and how much the device trusts its own signal.
 *
 * <p>Field names in violations are those of the wire message ({@code heart_rate}, {@code ecg_beat}),
 * and, as everywhere in vclinic, a violation never repeats the rejected value.
 *
 * @param patientRef the clinic's pseudonymous reference for the patient: 1 to {@value #MAX_REF_LENGTH}
 *     printable ASCII characters without spaces; never a name or a record number
 * @param deviceId the sending device, 0 to {@value #MAX_REF_LENGTH} printable ASCII characters
 *     (empty when unknown); duplicates are recognised per patient and device
 * @param timestamp when the device measured (not when it sent), from 1970 to 2199
 * @param vitals the values measured, validated by {@link VitalSigns}; absent means not measured
 * @param ecgBeat one beat when the device records an ECG
 * @param signalQuality the device's signal quality index, 0 (no signal: sensor off) to 1 (clean);
 *     absent when the device does not report one
 */
public record VitalSample(String patientRef, String deviceId, Instant timestamp, VitalSigns vitals,
                          Optional<EcgBeat> ecgBeat, OptionalDouble signalQuality) {

    /** Longest patient reference or device id. */
    public static final int MAX_REF_LENGTH = 128;
    /** Earliest accepted timestamp. */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** First instant no longer accepted: a timestamp this far out is a clock or unit error. */
    public static final Instant LATEST_EXCLUSIVE = Instant.parse("2200-01-01T00:00:00Z");

    public VitalSample {
        Objects.requireNonNull(vitals, "vitals");
        Objects.requireNonNull(ecgBeat, "ecgBeat");
        Objects.requireNonNull(signalQuality, "signalQuality");
        List<InvalidInputException.Violation> bad = new ArrayList<>();
        if (patientRef == null || patientRef.isEmpty() || !printable(patientRef)) {
            bad.add(new InvalidInputException.Violation("patient_ref", "must be 1 to " + MAX_REF_LENGTH
                    + " printable ASCII characters without spaces (a pseudonymous reference)"));
        }
        if (deviceId == null || !printable(deviceId)) {
            bad.add(new InvalidInputException.Violation("device_id", "must be 0 to " + MAX_REF_LENGTH
                    + " printable ASCII characters without spaces"));
        }
        if (timestamp == null || timestamp.isBefore(EARLIEST) || !timestamp.isBefore(LATEST_EXCLUSIVE)) {
            bad.add(new InvalidInputException.Violation("timestamp",
                    "must be given, from 1970-01-01 to 2199-12-31 (UTC), the time of measurement"));
        }
        if (signalQuality.isPresent() && !(signalQuality.getAsDouble() >= 0 && signalQuality.getAsDouble() <= 1)) {
            bad.add(new InvalidInputException.Violation("signal_quality", "must be a number from 0 to 1"));
        }
        if (!bad.isEmpty()) {
            throw new InvalidInputException(bad);
        }
    }

    /**
     * Builds the vital signs and the sample in one step, reporting vital-sign violations under their
     * wire names ({@code heart_rate}, not {@code vitals.heart_rate}).
     *
     * @throws InvalidInputException listing every bad field of the sample
     */
    public static VitalSample of(String patientRef, String deviceId, Instant timestamp, VitalSigns.Builder vitals,
                                 Optional<EcgBeat> ecgBeat, OptionalDouble signalQuality) {
        List<InvalidInputException.Violation> bad = new ArrayList<>();
        VitalSigns built = VitalSigns.NONE;
        try {
            built = vitals.build();
        } catch (InvalidInputException e) {
            for (InvalidInputException.Violation v : e.violations()) {
                bad.add(new InvalidInputException.Violation(v.field().replaceFirst("^vitals\\.", ""),
                        v.allowed().replace("vitals.", "")));
            }
        }
        try {
            VitalSample sample = new VitalSample(patientRef, deviceId, timestamp, built, ecgBeat, signalQuality);
            if (bad.isEmpty()) {
                return sample;
            }
        } catch (InvalidInputException e) {
            bad.addAll(0, e.violations());
        }
        throw new InvalidInputException(bad);
    }

    /** True when the device says its signal is below {@code threshold} (a sample without an index passes). */
    public boolean poorSignal(double threshold) {
        return signalQuality.isPresent() && signalQuality.getAsDouble() < threshold;
    }

    private static boolean printable(String s) {
        if (s.length() > MAX_REF_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }
}
