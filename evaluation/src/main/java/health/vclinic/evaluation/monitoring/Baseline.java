package health.vclinic.evaluation.monitoring;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.news2.News2;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The published scores as a bedside rule would apply them to the same samples: at every sample, each
 * vital's latest value no older than {@value #CARRY_HOURS} h (as a chart is read), no smoothing, no
 * persistence, no hysteresis. An alert episode starts when the rule becomes true and ends when it
 * becomes false; every episode is an alert, and each asks for an urgent response, so each pages. For
 * NEWS2, as for the service's alerts, a rise to 7 or more within an episode (the emergency response)
 * pages again.
 *
 * <p>On wearable streams the rule reads only samples whose signal quality the device rates usable
 * ({@link #MIN_SIGNAL_QUALITY}, the service's own gate): a raw rule that also read sensor-off samples
 * would be a straw man. The sepsis stays carry no quality index, so every row counts there.
 *
 * <ul>
 *   <li>NEWS2 >= 5: the RCP 2017 key threshold for an urgent response (Chart 4), scored by the same
 *       {@link News2} as the service; consciousness is not recorded in the data and scores 0.</li>
 *   <li>NEWS2 >= 7: the RCP 2017 threshold for an emergency response (Chart 4); an episode pages once.</li>
 *   <li>qSOFA >= 2 (Seymour et al., JAMA 2016): respiratory rate >= 22/min, systolic BP <= 100 mmHg,
 *       altered mentation; mentation is not recorded in the data, so here both vital-sign criteria are
 *       needed.</li>
 * </ul>
 */
enum Baseline {
    NEWS2_5("NEWS2 >= 5"),
    NEWS2_7("NEWS2 >= 7"),
    QSOFA_2("qSOFA >= 2");

    /** Samples below this device-reported quality are not read (MonitoringConfig's default gate). */
    static final double MIN_SIGNAL_QUALITY = 0.5;

    static final int CARRY_HOURS = 4;
    private static final long CARRY_MILLIS = CARRY_HOURS * 3_600_000L;

    private final String title;

    Baseline(String title) {
        this.title = title;
    }

    String title() {
        return title;
    }

    StayOutcome run(SepsisStay stay, Instant admission) {
        Episodes e = replay(stay.samples(admission));
        return new StayOutcome(stay, e.raised(), e.pages().size(), Map.of(title, e.raised().size()));
    }

    /**
     * The rule applied at every usable sample.
     *
     * @param raised when each episode started
     * @param pages when the rule paged (each episode's start, and for NEWS2 >= 5 a rise to 7 or more)
     */
    record Episodes(List<Instant> raised, List<Instant> pages) {
    }

    Episodes replay(Iterable<VitalSample> samples) {
        Latest latest = new Latest();
        int tier = 0;
        List<Instant> raised = new ArrayList<>();
        List<Instant> pages = new ArrayList<>();
        for (VitalSample s : samples) {
            if (s.poorSignal(MIN_SIGNAL_QUALITY)) {
                continue;
            }
            latest.update(s);
            int now = tier(latest, s.timestamp().toEpochMilli());
            if (now > 0 && tier == 0) {
                raised.add(s.timestamp());
            }
            if (now > tier) {
                pages.add(s.timestamp());
            }
            tier = now;
        }
        return new Episodes(raised, pages);
    }

    /** 0 when the rule does not hold; 1 when it does; 2 for NEWS2 >= 5 at 7 or more. */
    private int tier(Latest l, long t) {
        OptionalDouble rr = l.get(0, t);
        OptionalDouble sbp = l.get(1, t);
        return switch (this) {
            case QSOFA_2 -> rr.isPresent() && rr.getAsDouble() >= 22 && sbp.isPresent() && sbp.getAsDouble() <= 100 ? 1 : 0;
            case NEWS2_5, NEWS2_7 -> {
                VitalSigns.Builder b = VitalSigns.builder();
                rr.ifPresent(b::respiratoryRate);
                sbp.ifPresent(b::systolicBp);
                l.get(2, t).ifPresent(b::heartRate);
                l.get(3, t).ifPresent(b::spo2);
                l.get(4, t).ifPresent(b::temperatureC);
                if (l.oxygenAt != Long.MIN_VALUE && t - l.oxygenAt <= CARRY_MILLIS) {
                    b.supplementalOxygen(l.oxygen);
                }
                int total = News2.score(b.build()).total();
                yield this == NEWS2_7 ? (total >= 7 ? 1 : 0) : total >= 7 ? 2 : total >= 5 ? 1 : 0;
            }
        };
    }

    /** The latest respiratory rate, systolic BP, heart rate, SpO2 and temperature, with their times. */
    private static final class Latest {
        final double[] value = new double[5];
        final long[] at = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        boolean oxygen;
        long oxygenAt = Long.MIN_VALUE;

        void update(VitalSample s) {
            long t = s.timestamp().toEpochMilli();
            var v = s.vitals();
            set(0, v.respiratoryRate(), t);
            set(1, v.systolicBp(), t);
            set(2, v.heartRate(), t);
            set(3, v.spo2(), t);
            set(4, v.temperatureC(), t);
            if (v.supplementalOxygen().isPresent()) {
                oxygen = v.supplementalOxygen().get();
                oxygenAt = t;
            }
        }

        private void set(int i, OptionalDouble v, long t) {
            if (v.isPresent()) {
                value[i] = v.getAsDouble();
                at[i] = t;
            }
        }

        OptionalDouble get(int i, long t) {
            return at[i] != Long.MIN_VALUE && t - at[i] <= CARRY_MILLIS ? OptionalDouble.of(value[i]) : OptionalDouble.empty();
        }
    }
}
