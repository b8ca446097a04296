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
 * <p><b>Confirmation.</b> A criterion pages only once consecutive readings confirm it, in device time.
 * A run is the consecutive readings that meet the criterion on their own; one that does not ends it (a
 * jump that reverses within a minute is not physiology: Görges et al., Anesth Analg 2009, found that a
 * 14-19 s alarm delay removes half to two thirds of ignored alarms; Philips IntelliVue's SpO2 alarm
 * delay is 0-30 s), and a reading that does not measure the criterion's vital neither extends nor ends
 * it. A run spanning at least {@link MonitoringConfig#acuteHold()} pages when, besides the median of
 * the last three readings meeting the criterion:
 * <ul>
 *   <li>two of its readings are of good signal quality ({@link MonitoringConfig#acuteGoodQuality()})
 *       and the emergency is <b>corroborated</b>: NEWS2 {@value #NEWS2_AT} needs several parameters by
 *       itself, and a single parameter needs another vital of the latest reading to score 2 or more
 *       NEWS2 points in the direction that emergency moves it (a low SpO2 with a fast breathing or heart
 *       rate, a low blood pressure with a fast or slow pulse, a slow pulse with a low blood pressure);</li>
 *   <li>or three of its readings are of good quality: one vital alone at its limit for two readings is
 *       what two artefacts in a row look like (a probe reading 80 % twice, a doubled heart rate twice);</li>
 *   <li>or, whatever their quality, three or more readings spanning three holds: a device that rates
 *       every reading marginal (poor perfusion in shock) still pages, later, while motion, whose readings
 *       the device rates marginal, does not last that long.</li>
 * </ul>
 * And, <b>at the first reading past the limit</b>, when the reading before it already showed the
 * same clear change: {@value #CHANGED} or more vitals moved together in the directions of deterioration
 * from their smoothed values ({@link MonitoringConfig#smoothingSpan()}) by at least {@value #CHANGE_SPO2}
 * % SpO2, {@value #CHANGE_RR} /min respiratory rate, {@value #CHANGE_HR} /min heart rate or
 * {@value #CHANGE_SBP} mmHg systolic BP, in good-quality readings spanning the hold. A deterioration
 * that ramps over a minute or two is then paged as it crosses the limit instead of a reading later;
 * an artefact moves one vital, or several at random, and not in two readings running. The margins
 * are about the accuracy such devices must reach (SpO2 Arms at most 4 %, ISO 80601-2-61; blood
 * pressure 5 ± 8 mmHg, ISO 81060-2) and were chosen on the acute scenario generator's training seeds
 * from a small grid; the quality level was chosen there too.
 *
 * <p>Once paged, a criterion holds while the median of three still meets it or the latest reading does.
 * Samples with a poor signal never reach a clinical detector ({@link SignalQualityDetector}).
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
    /** Vitals that must change together for the first reading past a limit to page. */
    public static final int CHANGED = 2;
    /** A clear fall in SpO2 from its smoothed value, %. */
    public static final int CHANGE_SPO2 = 3;
    /** A clear rise or fall of the respiratory rate, /min. */
    public static final int CHANGE_RR = 3;
    /** A clear rise or fall of the heart rate, /min. */
    public static final int CHANGE_HR = 10;
    /** A clear fall in systolic BP, mmHg. */
    public static final int CHANGE_SBP = 10;
    /** The bits of {@link #changed} per scored vital (a rise and a fall of RR and HR; a fall of SpO2 and SBP). */
    private static final int[] CHANGE_BITS = {1 | 2, 4, 8, 16 | 32, 0};
    /** Good-quality readings that confirm a single vital without corroboration. */
    static final int ALONE = 3;
    /** Holds that readings of any quality must span to confirm. */
    static final int MARGINAL_HOLDS = 3;

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

    /** How a criterion was confirmed, for the words of the finding. */
    enum Confirmation {
        CHANGE("the first reading past the limit after a clear change of %d vitals together"),
        CORROBORATED("2 good readings, corroborated by another vital"),
        ALONE(AcuteDetector.ALONE + " good readings"),
        MARGINAL("readings of marginal signal quality");

        final String words;

        Confirmation(String words) {
            this.words = words;
        }
    }

    /** Per patient: the last readings of each scored vital, and each criterion's run of readings that meet it. */
    public static final class State {
        final double[] values = new double[SCORED.length * READINGS];
        final long[] times = new long[SCORED.length * READINGS];
        final int[] count = new int[SCORED.length];
        final int[] next = new int[SCORED.length];
        final long[] runStart = new long[Criterion.ALL.length];
        final int[] runReadings = new int[Criterion.ALL.length];
        final int[] runGood = new int[Criterion.ALL.length];
        final Confirmation[] confirmation = new Confirmation[Criterion.ALL.length];
        /** Criteria confirmed and still met. */
        int confirmed;
        /** The run of good readings showing the same clear change of {@value #CHANGED} or more vitals. */
        long changeStart = Long.MIN_VALUE;
        int changeMask;
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
            resetRuns();
        }

        void resetRuns() {
            java.util.Arrays.fill(runStart, Long.MIN_VALUE);
            java.util.Arrays.fill(runReadings, 0);
            java.util.Arrays.fill(runGood, 0);
            changeStart = Long.MIN_VALUE;
        }
    }

    @Override
    public String name() {
        return "news2-acute";
    }

    @Override
    public String version() {
        return News2Detector.VERSION + "-acute-2";
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
            s.resetRuns();
        }
        s.newest = t;
        VitalSigns v = e.sample().vitals();
        Optional<Boolean> scale2 = v.hypercapnicRespiratoryFailure();
        if (scale2.isPresent()) {
            s.scale2 = scale2.get();
        }
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
            s.resetRuns();
            s.confirmed = 0;
            s.lastMet = 0;
            if (s.last.isPresent()) {
                s.last = Optional.empty();
            }
            return s.last;
        }
        long smoothing = e.config().smoothingSpan().toMillis();
        long carry = e.config().carryForward().toMillis();
        for (int i = 0; i < SCORED.length; i++) {
            double fallback = Double.NaN;
            if (!s.dense[i] || Double.isNaN(s.current[i])) {
                fallback = e.window().smoothed(SCORED[i], smoothing, carry);
            }
            s.medians[i] = s.dense[i] ? median(s, i) : fallback;
            if (Double.isNaN(s.current[i])) {
                s.current[i] = s.medians[i];
            }
        }
        int oxygen = e.window().oxygen(carry).map(o -> o ? 1 : 0).orElse(-1);
        int consciousness = e.window().consciousness(carry).map(Enum::ordinal).orElse(-1);
        int medianTotal = total(s, s.medians, oxygen, consciousness);
        int currentTotal = total(s, s.current, oxygen, consciousness);
        s.lastTotal = medianTotal;
        boolean good = e.sample().signalQuality().orElse(1) >= e.config().acuteGoodQuality();
        long hold = e.config().acuteHold().toMillis();
        int changed = changed(e, s, t, good, smoothing, carry, hold);
        int met = 0;
        boolean news = false;
        for (Criterion c : Criterion.ALL) {
            int k = c.ordinal();
            int bit = 1 << k;
            if (c.vital >= 0 && !s.present[c.vital]) {
                // This reading does not measure the criterion's vital: its run neither grows nor ends.
                met |= s.lastMet & bit;
                continue;
            }
            boolean median = meets(c, s, s.medians, medianTotal, true);
            boolean reading = meets(c, s, s.current, currentTotal, false);
            if (reading) {
                s.runStart[k] = s.runStart[k] == Long.MIN_VALUE ? t : s.runStart[k];
                s.runReadings[k]++;
                s.runGood[k] += good ? 1 : 0;
                Confirmation how = (s.confirmed & bit) == 0 ? confirmation(c, s, t, hold, median, changed) : null;
                if (how != null) {
                    s.confirmed |= bit;
                    s.confirmation[k] = how;
                    news = true;
                }
            } else {
                s.runStart[k] = Long.MIN_VALUE;
                s.runReadings[k] = 0;
                s.runGood[k] = 0;
                if (!median) {
                    s.confirmed &= ~bit;
                }
            }
            met |= s.confirmed & bit;
        }
        if (met == 0) {
            s.lastMet = 0;
            if (s.last.isPresent()) {
                s.last = Optional.empty();
            }
            return s.last;
        }
        if (met != s.lastMet || news || s.last.isEmpty()) {
            // Words and evidence only when what is met changes: the engine sends a finding only then.
            s.lastMet = met;
            s.last = Optional.of(finding(e, s, met, medianTotal, currentTotal, Integer.bitCount(changed)));
        }
        return s.last;
    }

    /** How this reading confirms the criterion's run, or null when it does not yet. */
    private static Confirmation confirmation(Criterion c, State s, long t, long hold, boolean median, int changed) {
        int k = c.ordinal();
        if (changed != 0 && (c.vital < 0 || (changed & CHANGE_BITS[c.vital]) != 0)) {
            return Confirmation.CHANGE;
        }
        long runSpan = t - s.runStart[k];
        if (!median || runSpan < hold || s.runReadings[k] < 2) {
            return null;
        }
        if (s.runGood[k] >= 2 && corroborated(c, s)) {
            return Confirmation.CORROBORATED;
        }
        if (s.runGood[k] >= ALONE) {
            return Confirmation.ALONE;
        }
        return s.runReadings[k] >= ALONE && runSpan >= MARGINAL_HOLDS * hold ? Confirmation.MARGINAL : null;
    }

    /**
     * Another vital of the latest reading scores 2 or more NEWS2 points in the direction this emergency
     * moves it; NEWS2 {@value #NEWS2_AT} is several parameters by itself.
     */
    private static boolean corroborated(Criterion c, State s) {
        boolean rrHigh = s.present[RR] && News2Points.whole(s.current[RR]) >= 21;
        boolean spo2Low = s.present[SPO2] && News2Points.whole(s.current[SPO2]) <= (s.scale2 ? 85 : 93);
        boolean sbpLow = s.present[SBP] && News2Points.whole(s.current[SBP]) <= 100;
        boolean hrHigh = s.present[HR] && News2Points.whole(s.current[HR]) >= 111;
        boolean hrLow = s.present[HR] && News2Points.whole(s.current[HR]) <= HR_LOW_AT;
        return switch (c) {
            case NEWS2_HIGH -> true;
            case SPO2_LOW -> rrHigh || hrHigh;
            case RESPIRATORY_RATE_HIGH -> spo2Low || hrHigh;
            case RESPIRATORY_RATE_LOW -> spo2Low;
            case HEART_RATE_HIGH -> sbpLow || rrHigh || spo2Low;
            case HEART_RATE_LOW -> sbpLow;
            case SYSTOLIC_LOW -> hrHigh || hrLow || rrHigh;
        };
    }

    /**
     * Tracks the run of good readings in which the same {@value #CHANGED} or more vitals have moved
     * clearly from their smoothed values in the directions of deterioration; returns the vitals changed
     * (one bit per vital and direction) when that run now spans the hold, else 0.
     */
    private static int changed(Evaluation e, State s, long t, boolean good, long smoothing, long carry, long hold) {
        int mask = 0;
        for (int i = 0; good && i < TEMP; i++) {
            if (!s.present[i]) {
                continue;
            }
            double base = e.window().smoothed(SCORED[i], smoothing, carry);
            double d = s.current[i] - base;
            mask |= switch (i) {
                case RR -> d >= CHANGE_RR ? 1 : d <= -CHANGE_RR ? 2 : 0;
                case SPO2 -> d <= -CHANGE_SPO2 ? 4 : 0;
                case SBP -> d <= -CHANGE_SBP ? 8 : 0;
                default -> d >= CHANGE_HR ? 16 : d <= -CHANGE_HR ? 32 : 0;
            };
        }
        int common = s.changeStart == Long.MIN_VALUE ? mask : mask & s.changeMask;
        if (Integer.bitCount(common) < CHANGED) {
            s.changeStart = Integer.bitCount(mask) >= CHANGED ? t : Long.MIN_VALUE;
            s.changeMask = mask;
            return 0;
        }
        s.changeStart = s.changeStart == Long.MIN_VALUE ? t : s.changeStart;
        s.changeMask = common;
        return t - s.changeStart >= hold ? common : 0;
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

    private static Finding finding(Evaluation e, State s, int met, int medianTotal, int currentTotal, int changedVitals) {
        Confirmation how = s.confirmation[Integer.numberOfTrailingZeros(met)];
        // Confirmed at the first reading past the limit: that reading is what the evidence shows.
        boolean latest = how == Confirmation.CHANGE;
        double[] shown = latest ? s.current : s.medians;
        int total = latest ? currentTotal : medianTotal;
        StringJoiner values = new StringJoiner(", ");
        List<Measurement> m = new ArrayList<>(SCORED.length + 1);
        m.add(Measurement.of("news2_total", total, ""));
        long from = s.newest;
        int readings = 0;
        News2Score score = News2.score(vitals(e, s, shown));
        for (int i = 0; i < SCORED.length; i++) {
            if (Double.isNaN(shown[i])) {
                continue;
            }
            double value = News2Detector.round(shown[i]);
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
        String confirmed = how == Confirmation.CHANGE ? String.format(Locale.ROOT, how.words, changedVitals) : how.words;
        String reason = "Acute deterioration: " + words(met, s.scale2) + " (NEWS2 " + total + (latest ? " on the latest reading"
                : " on the median of the last " + READINGS + " readings") + "; confirmed by " + confirmed + " over "
                + Persistent.words(e.config().acuteHold().toMillis()) + " or more): " + values
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
