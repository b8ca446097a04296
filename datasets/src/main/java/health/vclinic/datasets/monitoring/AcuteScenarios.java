package health.vclinic.datasets.monitoring;

import health.vclinic.datasets.VitalSigns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * A seeded generator of wearable streams for patients who deteriorate acutely, and of stable patients
 * whose devices misbehave as real ones do: the data behind the time-to-page and false-page figures of
 * the monitoring evaluation, and the scenarios the end-to-end tests play over the Monitor stream.
 *
 * <p>Every patient starts from a well adult baseline (NEWS2 0-2) that wanders slowly (an AR(1) drift)
 * with per-reading noise. An acute scenario moves the vitals towards its targets from a random onset,
 * over a ramp of up to {@value #MAX_RAMP_SECONDS} s; the targets are those of the clinical pictures
 * (and of the issue that asked for this path): desaturation (SpO2 82-86 %, RR 25-30, HR 110-122: NEWS2
 * 8), shock (HR 131-140, SBP 78-88, RR 25-30: NEWS2 9), bradycardia with hypotension (HR 32-39, SBP
 * 80-89), tachyarrhythmia (HR 150-185, sudden), respiratory failure (RR 30-38, SpO2 85-89, HR 105-120).
 *
 * <p>Artefacts, in stable and deteriorating patients alike, as wearable studies describe them
 * (motion artefact and probe displacement in pulse oximetry: Petterson et al., Anesth Analg 2007;
 * false SpO2/HR alarms on wards: Bonafide et al., J Hosp Med 2015):
 * <ul>
 *   <li>a single implausible reading with a good quality index (1 % of readings: a probe reading
 *       70-85 %, a heart rate doubled or halved by a counting error, a respiratory-rate spike);</li>
 *   <li>motion bursts (1.5 an hour, 5-50 s) whose readings are wild; the device flags most of them
 *       with a low signal quality, but a quarter not;</li>
 *   <li>a sensor off (0.3 an hour, 2-15 minutes: quality 0, no values), and readings that miss a value.</li>
 * </ul>
 * Heart rate, respiratory rate and SpO2 come with every reading; systolic and diastolic BP at most once
 * a minute (a cuffless wearable or an automatic cuff); temperature at most every 5 minutes.
 *
 * <p>Deterministic: a (scenario, interval, seed) triple always gives the same samples.
 */
public final class AcuteScenarios {

    /** The longest ramp from onset to the scenario's targets. */
    public static final int MAX_RAMP_SECONDS = 120;
    /** Device id the generated samples carry. */
    public static final String DEVICE_ID = "wearable-sim";
    /** The sample intervals the evaluation reports. */
    public static final List<Duration> INTERVALS = List.of(Duration.ofSeconds(15), Duration.ofMinutes(1),
            Duration.ofMinutes(5));

    /** What happens to a scripted patient. */
    public enum Scenario {
        DESATURATION,
        SHOCK,
        BRADYCARDIA,
        TACHYARRHYTHMIA,
        RESPIRATORY_FAILURE,
        /** No deterioration: a well patient with artefacts, for false pages. */
        STABLE;

        /** The acute scenarios (all but {@link #STABLE}). */
        public static List<Scenario> acute() {
            return List.of(DESATURATION, SHOCK, BRADYCARDIA, TACHYARRHYTHMIA, RESPIRATORY_FAILURE);
        }

        /** The wire-friendly name ({@code respiratory_failure}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One generated patient.
     *
     * @param patientRef a pseudonymous reference naming the scenario, interval and seed
     * @param scenario what happens
     * @param interval the device's sample interval
     * @param seed the seed it was generated from
     * @param onset when the deterioration starts; empty for a stable patient
     * @param samples in time order
     */
    public record ScriptedPatient(String patientRef, Scenario scenario, Duration interval, long seed,
                                  Optional<Instant> onset, List<VitalSample> samples) {
        public ScriptedPatient {
            Objects.requireNonNull(patientRef, "patientRef");
            Objects.requireNonNull(scenario, "scenario");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(onset, "onset");
            samples = List.copyOf(samples);
        }

        /** Hours of device time covered. */
        public double hours() {
            return samples.isEmpty() ? 0 : Duration.between(samples.getFirst().timestamp(), samples.getLast().timestamp())
                    .toMillis() / 3_600_000.0;
        }
    }

    private static final int HR = 0;
    private static final int RR = 1;
    private static final int SPO2 = 2;
    private static final int SBP = 3;
    private static final int DBP = 4;
    private static final int TEMP = 5;

    private AcuteScenarios() {
    }

    /**
     * An acute patient: well for 30-90 minutes (the onset is random), then {@code afterOnset} of the
     * scenario; or, for {@link Scenario#STABLE}, {@code afterOnset} plus the same well start, no onset.
     */
    public static ScriptedPatient generate(Scenario scenario, Duration interval, long seed, Instant start,
                                           Duration afterOnset) {
        Objects.requireNonNull(scenario, "scenario");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("interval: more than 0, at most 1 h");
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + scenario.ordinal() * 7919L
                + interval.toSeconds());
        long step = interval.toMillis();
        long onsetMillis = Duration.ofMinutes(30).toMillis() + (long) (random.nextDouble() * Duration.ofMinutes(60).toMillis());
        long end = onsetMillis + afterOnset.toMillis();
        double[] base = baseline(random);
        double[] target = scenario == Scenario.STABLE ? base.clone() : targets(scenario, base, random);
        long ramp = scenario == Scenario.TACHYARRHYTHMIA ? 0 : (long) (random.nextDouble() * MAX_RAMP_SECONDS * 1000);
        String ref = "sim-" + scenario.id().replace('_', '-') + "-" + interval.toSeconds() + "s-" + seed;
        double[] drift = new double[6];
        List<VitalSample> samples = new ArrayList<>();
        Artefacts artefacts = new Artefacts(random, step);
        long lastBp = Long.MIN_VALUE;
        long lastTemp = Long.MIN_VALUE;
        // A phase within the first interval, so onsets fall anywhere between two readings.
        long first = (long) (random.nextDouble() * step);
        for (long t = first; t <= end; t += step) {
            double x = scenario == Scenario.STABLE || t < onsetMillis ? 0
                    : ramp == 0 ? 1 : Math.min(1, (t - onsetMillis) / (double) ramp);
            double[] v = new double[6];
            for (int i = 0; i < 6; i++) {
                drift[i] = 0.98 * drift[i] + random.nextGaussian() * DRIFT[i] * Math.sqrt(Math.min(step, 60_000) / 60_000.0);
                v[i] = base[i] + (target[i] - base[i]) * x + drift[i] + random.nextGaussian() * NOISE[i];
            }
            boolean bp = lastBp == Long.MIN_VALUE || t - lastBp >= 60_000;
            boolean temp = lastTemp == Long.MIN_VALUE || t - lastTemp >= 300_000;
            Artefacts.Reading r = artefacts.next(t, v, random);
            VitalSigns.Builder b = VitalSigns.builder();
            if (r.quality() > 0) {
                b.supplementalOxygen(false);
                set(b, HR, r.values()[HR], r.missing());
                set(b, RR, r.values()[RR], r.missing());
                set(b, SPO2, r.values()[SPO2], r.missing());
                if (bp) {
                    lastBp = t;
                    set(b, SBP, r.values()[SBP], r.missing());
                    set(b, DBP, Math.min(r.values()[DBP], r.values()[SBP] - 15), r.missing());
                }
                if (temp) {
                    lastTemp = t;
                    set(b, TEMP, r.values()[TEMP], r.missing());
                }
            }
            samples.add(VitalSample.of(ref, DEVICE_ID, start.plusMillis(t), b, Optional.empty(),
                    OptionalDouble.of(Math.round(r.quality() * 100) / 100.0)));
        }
        Optional<Instant> onset = scenario == Scenario.STABLE ? Optional.empty() : Optional.of(start.plusMillis(onsetMillis));
        return new ScriptedPatient(ref, scenario, interval, seed, onset, samples);
    }

    /** Standard deviation of the slow drift per minute, and of each reading's noise. */
    private static final double[] DRIFT = {0.6, 0.25, 0.12, 0.8, 0.5, 0.01};
    private static final double[] NOISE = {2.0, 1.0, 0.6, 4.0, 3.0, 0.05};
    private static final double[] LOW = {20, 1, 30, 30, 10, 25};
    private static final double[] HIGH = {350, 100, 100, 300, 250, 45};

    private static void set(VitalSigns.Builder b, int i, double value, int missing) {
        if (missing == i) {
            return;
        }
        double v = Math.max(LOW[i], Math.min(HIGH[i], i == TEMP ? Math.round(value * 10) / 10.0 : Math.round(value)));
        switch (i) {
            case HR -> b.heartRate(v);
            case RR -> b.respiratoryRate(v);
            case SPO2 -> b.spo2(v);
            case SBP -> b.systolicBp(v);
            case DBP -> b.diastolicBp(v);
            default -> b.temperatureC(v);
        }
    }

    /** A well adult: NEWS2 0-2. */
    private static double[] baseline(SplittableRandom r) {
        return new double[] {
            uniform(r, 60, 88),     // heart rate
            uniform(r, 13, 18),     // respiratory rate
            uniform(r, 95.5, 98.5), // SpO2
            uniform(r, 112, 145),   // systolic
            uniform(r, 65, 88),     // diastolic
            uniform(r, 36.3, 37.4)  // temperature
        };
    }

    private static double[] targets(Scenario s, double[] base, SplittableRandom r) {
        double[] t = base.clone();
        switch (s) {
            case DESATURATION -> {
                t[SPO2] = uniform(r, 82, 86);
                t[RR] = uniform(r, 25, 30);
                t[HR] = uniform(r, 110, 122);
            }
            case SHOCK -> {
                t[HR] = uniform(r, 131, 140);
                t[SBP] = uniform(r, 78, 88);
                t[DBP] = uniform(r, 40, 52);
                t[RR] = uniform(r, 25, 30);
            }
            case BRADYCARDIA -> {
                t[HR] = uniform(r, 32, 39);
                t[SBP] = uniform(r, 80, 89);
                t[DBP] = uniform(r, 42, 55);
            }
            case TACHYARRHYTHMIA -> {
                t[HR] = uniform(r, 150, 185);
                t[SBP] = uniform(r, 95, 115);
            }
            case RESPIRATORY_FAILURE -> {
                t[RR] = uniform(r, 30, 38);
                t[SPO2] = uniform(r, 85, 89);
                t[HR] = uniform(r, 105, 120);
            }
            case STABLE -> throw new IllegalArgumentException("a stable patient has no targets");
        }
        return t;
    }

    private static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + r.nextDouble() * (hi - lo);
    }

    /**
     * The device's failings. Motion bursts and sensor-off episodes happen in time (a Poisson process
     * per hour of wear): a reading is spoiled when it falls inside one, so a device that reads every
     * 5 minutes meets fewer of them than one that reads every 15 s. A single implausible reading is a
     * property of the measurement, so its chance is per reading.
     */
    private static final class Artefacts {
        static final double BURSTS_PER_HOUR = 1.5;
        static final double MAX_BURST_SECONDS = 50;
        static final double SENSOR_OFF_PER_HOUR = 0.3;
        /** Share of readings that are implausible although the device rates them usable. */
        static final double SPIKE = 0.01;
        /** Share of readings missing one value. */
        static final double MISSING = 0.02;
        /** Share of motion-burst readings the device fails to flag. */
        static final double UNFLAGGED = 0.25;

        final long step;
        long burstUntil = Long.MIN_VALUE;
        long offUntil = Long.MIN_VALUE;
        long nextBurst;
        long nextOff;

        Artefacts(SplittableRandom r, long step) {
            this.step = step;
            this.nextBurst = exponential(r, BURSTS_PER_HOUR);
            this.nextOff = exponential(r, SENSOR_OFF_PER_HOUR);
        }

        private static long exponential(SplittableRandom r, double perHour) {
            return (long) (-Math.log(1 - r.nextDouble()) / perHour * 3_600_000);
        }

        record Reading(double[] values, double quality, int missing) {
        }

        Reading next(long t, double[] v, SplittableRandom r) {
            while (nextBurst <= t) {
                burstUntil = Math.max(burstUntil, nextBurst + (long) (uniform(r, 5, MAX_BURST_SECONDS) * 1000));
                nextBurst += Math.max(1, exponential(r, BURSTS_PER_HOUR));
            }
            while (nextOff <= t) {
                offUntil = Math.max(offUntil, nextOff + (long) (uniform(r, 2, 15) * 60_000));
                nextOff += Math.max(1, exponential(r, SENSOR_OFF_PER_HOUR));
            }
            int missing = r.nextDouble() < MISSING ? r.nextInt(3) : -1;
            if (t < offUntil) {
                return new Reading(v, 0, missing);
            }
            if (t < burstUntil) {
                return motion(v, r, missing);
            }
            if (r.nextDouble() < SPIKE) {
                double[] w = v.clone();
                switch (r.nextInt(3)) {
                    case 0 -> w[SPO2] = uniform(r, 70, 85);
                    case 1 -> w[HR] = r.nextBoolean() ? w[HR] * 2 : w[HR] / 2;
                    default -> w[RR] = uniform(r, 30, 45);
                }
                return new Reading(w, uniform(r, 0.6, 0.95), missing);
            }
            return new Reading(v, uniform(r, 0.8, 1.0), missing);
        }

        private static Reading motion(double[] v, SplittableRandom r, int missing) {
            double[] w = v.clone();
            w[HR] = uniform(r, 120, 190);
            w[SPO2] = uniform(r, 72, 90);
            w[RR] = uniform(r, 5, 40);
            boolean flagged = r.nextDouble() >= UNFLAGGED;
            return new Reading(w, flagged ? uniform(r, 0.05, 0.45) : uniform(r, 0.55, 0.8), missing);
        }
    }
}
