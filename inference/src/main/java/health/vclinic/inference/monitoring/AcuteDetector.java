package health.vclinic.inference.monitoring;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.news2.News2;
import health.vclinic.inference.news2.News2Score;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;

/**
 * Acute deterioration on the <b>recent raw values</b>: the fast path beside the smoothed
 * {@link News2Detector}, for a patient who is desaturating, shocked or arrhythmic now.
 *
 * <p>Each scored vital is the median of its last {@value #READINGS} readings, provided all of them lie
 * within {@link MonitoringConfig#acuteSpan()} of now; a vital read less often than that is "sparse" and
 * contributes its smoothed value to the score (it cannot trigger the fast path by itself). Without any
 * dense vital the detector stays silent: hourly charting has no acute path, it has the smoothed one.
 * The criteria (RCP 2017 NEWS2, Chart 4: 7 or more is the emergency response; the single-parameter
 * limits are the extreme end of the chart's red bands, those that bedside monitors alarm on):
 * <ul>
 *   <li>NEWS2 of the medians (sparse vitals smoothed) at least {@value #NEWS2_AT};</li>
 *   <li>SpO2 at most {@value #SPO2_SCALE1_AT} % (scale 1) or {@value #SPO2_SCALE2_AT} % (scale 2, where
 *       the patient's device reports hypercapnic respiratory failure);</li>
 *   <li>heart rate at most {@value #HR_LOW_AT} or at least {@value #HR_HIGH_AT} /min; systolic BP at
 *       most {@value #SBP_LOW_AT} mmHg; respiratory rate at most {@value #RR_LOW_AT} or at least
 *       {@value #RR_HIGH_AT} /min.</li>
 * </ul>
 * Values are rounded to the chart's precision first, as {@link News2} does.
 *
 * <p><b>Artefacts never page</b>, by three gates: samples with a poor signal never reach a clinical
 * detector ({@link SignalQualityDetector}); one implausible reading cannot move a median of three; and
 * a criterion holds only once the readings that meet it on their own span at least
 * {@link MonitoringConfig#acuteHold()} of device time (a jump that reverses within a minute is not
 * physiology: Görges et al., Anesth Analg 2009, found that a 14-19 s delay removes half to two thirds
 * of ignored alarms; Philips IntelliVue's SpO2 alarm delay is 0-30 s). A run of abnormal readings
 * survives one dissenting reading while the median still meets the criterion. Time is the devices'.
 *
 * <p>The severity is always HIGH (emergency response), which pages. Clearing is left to
 * {@link Persistent} ({@link MonitoringConfig#acuteClear()}).
 */
public final class AcuteDetector implements Detector<AcuteDetector.State> {

    /** Readings per vital in the median: with three, one bad reading never decides. */
    public static final int READINGS = 3;
    /** NEWS2 total of the recent values that is an emergency (RCP 2017, Chart 4). */
    public static final int NEWS2_AT = 7;
    public static final int SPO2_SCALE1_AT = 88;
    public static final int SPO2_SCALE2_AT = 83;
    public static final int HR_LOW_AT = 40;
    public static final int HR_HIGH_AT = 140;
    public static final int SBP_LOW_AT = 90;
    public static final int RR_LOW_AT = 8;
    public static final int RR_HIGH_AT = 25;

    /** The vitals NEWS2 scores, in the order this detector keeps them. */
    static final Vital[] SCORED = {Vital.RESPIRATORY_RATE, Vital.SPO2, Vital.SYSTOLIC_BP, Vital.HEART_RATE,
            Vital.TEMPERATURE};
    private static final int RR = 0;
    private static final int SPO2 = 1;
    private static final int SBP = 2;
    private static final int HR = 3;
    private static final int TEMP = 4;

    /** One acute criterion: what it is in words and which vital decides it (-1: the total). */
    enum Criterion {
        NEWS2_HIGH("NEWS2 " + NEWS2_AT + " or more on recent values", -1),
        SPO2_LOW("SpO2 at or below its extreme limit", SPO2),
        HEART_RATE_LOW("heart rate " + HR_LOW_AT + "/min or less", HR),
        HEART_RATE_HIGH("heart rate " + HR_HIGH_AT + "/min or more", HR),
        SYSTOLIC_LOW("systolic BP " + SBP_LOW_AT + " mmHg or less", SBP),
        RESPIRATORY_RATE_LOW("respiratory rate " + RR_LOW_AT + "/min or less", RR),
        RESPIRATORY_RATE_HIGH("respiratory rate " + RR_HIGH_AT + "/min or more", RR);

        static final Criterion[] ALL = values();
        final String words;
        final int vital;

        Criterion(String words, int vital) {
            this.words = words;
            this.vital = vital;
        }
    }

    /** Per patient: the last readings of each scored vital, and each criterion's run of abnormal readings. */
    public static final class State {
        final double[] values = new double[SCORED.length * READINGS];
        final long[] times = new long[SCORED.length * READINGS];
        final int[] count = new int[SCORED.length];
        final int[] next = new int[SCORED.length];
        final long[] runStart = new long[Criterion.ALL.length];
        final long[] runLast = new long[Criterion.ALL.length];
        long newest = Long.MIN_VALUE;
        boolean scale2;
        Optional<Finding> last = Optional.empty();
        int lastMet;
        int lastTotal;
        final double[] medians = new double[SCORED.length];
        final double[] current = new double[SCORED.length];
        final boolean[] dense = new boolean[SCORED.length];
        final boolean[] present = new boolean[SCORED.length];

        State() {
            java.util.Arrays.fill(runStart, Long.MIN_VALUE);
            java.util.Arrays.fill(runLast, Long.MIN_VALUE);
        }
    }

    @Override
    public String name() {
        return "news2-acute";
    }

    @Override
    public String version() {
        return News2Detector.VERSION + "-acute-1";
    }

    @Override
    public AlertKind kind() {
        return AlertKind.NEWS2;
    }

    @Override
    public State newState() {
        return new State();
    }

    @Override
    public Optional<Finding> evaluate(Evaluation e, State s) {
        long t = e.sample().timestamp().toEpochMilli();
        if (t <= s.newest) {
            // A late or out-of-order sample is history, not "now": the acute view stays as it was.
            return s.last;
        }
        long span = e.config().acuteSpan().toMillis();
        if (s.newest != Long.MIN_VALUE && t - s.newest > span) {
            java.util.Arrays.fill(s.runStart, Long.MIN_VALUE);
            java.util.Arrays.fill(s.runLast, Long.MIN_VALUE);
        }
        s.newest = t;
        VitalSigns v = e.sample().vitals();
        v.hypercapnicRespiratoryFailure().ifPresent(h -> s.scale2 = h);
        boolean anyDense = false;
        for (int i = 0; i < SCORED.length; i++) {
            var value = SCORED[i].of(v);
            s.present[i] = value.isPresent();
            s.current[i] = value.isPresent() ? value.getAsDouble() : Double.NaN;
            if (value.isPresent()) {
                push(s, i, value.getAsDouble(), t);
            }
            s.dense[i] = dense(s, i, t, span);
            anyDense |= s.dense[i];
        }
        if (!anyDense) {
            java.util.Arrays.fill(s.runStart, Long.MIN_VALUE);
            s.lastMet = 0;
            s.last = Optional.empty();
            return s.last;
        }
        for (int i = 0; i < SCORED.length; i++) {
            double fallback = Double.NaN;
            if (!s.dense[i] || Double.isNaN(s.current[i])) {
                fallback = e.window().smoothed(SCORED[i], e.config().smoothingSpan().toMillis(),
                        e.config().carryForward().toMillis());
            }
            s.medians[i] = s.dense[i] ? median(s, i) : fallback;
            if (Double.isNaN(s.current[i])) {
                s.current[i] = s.medians[i];
            }
        }
        long carry = e.config().carryForward().toMillis();
        int oxygen = e.window().oxygen(carry).map(o -> o ? 1 : 0).orElse(-1);
        int consciousness = e.window().consciousness(carry).map(Enum::ordinal).orElse(-1);
        int medianTotal = total(s, s.medians, oxygen, consciousness);
        int currentTotal = total(s, s.current, oxygen, consciousness);
        s.lastTotal = medianTotal;
        long hold = e.config().acuteHold().toMillis();
        int met = 0;
        for (Criterion c : Criterion.ALL) {
            boolean median = meets(c, s, s.medians, medianTotal, true);
            boolean reading = (c.vital < 0 || s.present[c.vital]) && meets(c, s, s.current, currentTotal, false);
            int k = c.ordinal();
            if (!median && !reading) {
                s.runStart[k] = Long.MIN_VALUE;
                continue;
            }
            if (reading) {
                if (s.runStart[k] == Long.MIN_VALUE) {
                    s.runStart[k] = t;
                }
                s.runLast[k] = t;
            }
            if (median && s.runStart[k] != Long.MIN_VALUE && s.runLast[k] - s.runStart[k] >= hold) {
                met |= 1 << k;
            }
        }
        if (met == 0) {
            s.lastMet = 0;
            s.last = Optional.empty();
            return s.last;
        }
        if (met != s.lastMet || s.last.isEmpty()) {
            // Words and evidence only when what is met changes: the engine sends a finding only then.
            s.lastMet = met;
            s.last = Optional.of(finding(e, s, medianTotal, words(met, s.scale2)));
        }
        return s.last;
    }

    private static String words(int met, boolean scale2) {
        StringJoiner j = new StringJoiner("; ");
        for (Criterion c : Criterion.ALL) {
            if ((met & (1 << c.ordinal())) != 0) {
                j.add(c == Criterion.SPO2_LOW ? "SpO2 " + (scale2 ? SPO2_SCALE2_AT : SPO2_SCALE1_AT) + " % or less (scale "
                        + (scale2 ? 2 : 1) + ")" : c.words);
            }
        }
        return j.toString();
    }

    private static void push(State s, int vital, double value, long t) {
        int at = vital * READINGS + s.next[vital];
        s.values[at] = value;
        s.times[at] = t;
        s.next[vital] = (s.next[vital] + 1) % READINGS;
        s.count[vital] = Math.min(READINGS, s.count[vital] + 1);
    }

    /** All {@value #READINGS} last readings of the vital lie within the span. */
    private static boolean dense(State s, int vital, long now, long span) {
        if (s.count[vital] < READINGS) {
            return false;
        }
        for (int j = 0; j < READINGS; j++) {
            if (now - s.times[vital * READINGS + j] > span) {
                return false;
            }
        }
        return true;
    }

    private static double median(State s, int vital) {
        int o = vital * READINGS;
        double a = s.values[o];
        double b = s.values[o + 1];
        double c = s.values[o + 2];
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /**
     * Whether a criterion is met by these values; a single-parameter criterion on medians needs its
     * vital to be dense, so a sparse (smoothed) value never triggers the fast path.
     */
    private static boolean meets(Criterion c, State s, double[] values, int total, boolean medians) {
        if (c == Criterion.NEWS2_HIGH) {
            return total >= NEWS2_AT;
        }
        if (medians && !s.dense[c.vital]) {
            return false;
        }
        double x = values[c.vital];
        if (Double.isNaN(x)) {
            return false;
        }
        int r = News2Points.whole(x);
        return switch (c) {
            case SPO2_LOW -> r <= (s.scale2 ? SPO2_SCALE2_AT : SPO2_SCALE1_AT);
            case HEART_RATE_LOW -> r <= HR_LOW_AT;
            case HEART_RATE_HIGH -> r >= HR_HIGH_AT;
            case SYSTOLIC_LOW -> r <= SBP_LOW_AT;
            case RESPIRATORY_RATE_LOW -> r <= RR_LOW_AT;
            case RESPIRATORY_RATE_HIGH -> r >= RR_HIGH_AT;
            case NEWS2_HIGH -> throw new AssertionError();
        };
    }

    /** The NEWS2 total of these values, without allocating (the acute path scores every sample twice). */
    private static int total(State s, double[] values, int oxygen, int consciousness) {
        return News2Points.total(values[RR], values[SPO2], values[SBP], values[HR], values[TEMP], oxygen, consciousness,
                s.scale2);
    }

    private static VitalSigns vitals(Evaluation e, State s, double[] values) {
        VitalSigns.Builder b = VitalSigns.builder();
        if (!Double.isNaN(values[RR])) {
            b.respiratoryRate(values[RR]);
        }
        if (!Double.isNaN(values[SPO2])) {
            b.spo2(values[SPO2]);
        }
        if (!Double.isNaN(values[SBP])) {
            b.systolicBp(values[SBP]);
        }
        if (!Double.isNaN(values[HR])) {
            b.heartRate(values[HR]);
        }
        if (!Double.isNaN(values[TEMP])) {
            b.temperatureC(values[TEMP]);
        }
        if (s.scale2) {
            b.hypercapnicRespiratoryFailure(true);
        }
        long carry = e.config().carryForward().toMillis();
        e.window().oxygen(carry).ifPresent(b::supplementalOxygen);
        e.window().consciousness(carry).ifPresent(b::consciousness);
        return b.build();
    }

    private static Finding finding(Evaluation e, State s, int total, String met) {
        StringJoiner values = new StringJoiner(", ");
        List<Measurement> m = new ArrayList<>(SCORED.length + 1);
        m.add(Measurement.of("news2_total", total, ""));
        long from = s.newest;
        int readings = 0;
        News2Score score = News2.score(vitals(e, s, s.medians));
        for (int i = 0; i < SCORED.length; i++) {
            if (Double.isNaN(s.medians[i])) {
                continue;
            }
            double value = News2Detector.round(s.medians[i]);
            OptionalInt points = OptionalInt.of(score.parameter(parameter(i)).map(p -> p.points()).orElse(0));
            m.add(new Measurement(SCORED[i].id(), value, SCORED[i].unit(), points));
            values.add(SCORED[i].words() + " " + format(value) + (SCORED[i].unit().equals("/min") ? "/min" : " "
                    + SCORED[i].unit()) + (s.dense[i] ? "" : " (smoothed)"));
            if (s.dense[i]) {
                readings += READINGS;
                for (int j = 0; j < READINGS; j++) {
                    from = Math.min(from, s.times[i * READINGS + j]);
                }
            }
        }
        String reason = "Acute deterioration: " + met + " (NEWS2 " + total + " on the median of the last " + READINGS
                + " readings, held " + Persistent.words(e.config().acuteHold().toMillis()) + " or more): " + values
                + ". Emergency response (RCP 2017, Chart 4)";
        return new Finding(AlertSeverity.HIGH, reason, Evidence.of(m, Instant.ofEpochMilli(from), e.now(), readings),
                "acute");
    }

    private static health.vclinic.inference.news2.News2Parameter parameter(int i) {
        return switch (i) {
            case RR -> health.vclinic.inference.news2.News2Parameter.RESPIRATORY_RATE;
            case SPO2 -> health.vclinic.inference.news2.News2Parameter.SPO2;
            case SBP -> health.vclinic.inference.news2.News2Parameter.SYSTOLIC_BP;
            case HR -> health.vclinic.inference.news2.News2Parameter.PULSE;
            default -> health.vclinic.inference.news2.News2Parameter.TEMPERATURE;
        };
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    @Override
    public String resolvedReason(Evaluation e, State s) {
        return "no acute criterion met on recent values (NEWS2 " + s.lastTotal + ")";
    }
}
