package health.vclinic.inference.monitoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Vital signs moving steadily the wrong way: a least-squares line through the bucket means of the
 * last {@link MonitoringConfig#trendSpan()} (6 h by default), needing at least 3 points over at least
 * a third of the span. A trend counts only when the fitted change is large <i>and</i> the current
 * (smoothed) value has left the normal range, so a fall from 150 to 120 mmHg or a climb from 60 to
 * 80 /min does not alert:
 *
 * <table>
 *   <caption>Trend rules</caption>
 *   <tr><th>vital</th><th>fitted change over the span</th><th>and now</th></tr>
 *   <tr><td>heart rate</td><td>+20 /min or more</td><td>at least 100 /min</td></tr>
 *   <tr><td>respiratory rate</td><td>+6 /min or more</td><td>at least 22 /min (qSOFA's limit)</td></tr>
 *   <tr><td>SpO2</td><td>-4 points or more</td><td>at most 94 %</td></tr>
 *   <tr><td>systolic BP</td><td>-30 mmHg or more</td><td>at most 100 mmHg (qSOFA's limit)</td></tr>
 *   <tr><td>temperature</td><td>+1.0 °C or more</td><td>at least 38.0 °C</td></tr>
 * </table>
 *
 * <p>The limits are NEWS2's scoring edges (RCP 2017) and qSOFA's (Seymour et al., JAMA 2016). One
 * vital trending is LOW; two or more at once, the pattern of early sepsis, is MEDIUM.
 *
 * <p>A trend over hours moves little within one window bucket, so it is fitted once per bucket of
 * sample time (and whenever a sample lands in an older bucket): a 1 Hz device costs one fit per 300
 * samples, not one per sample.
 */
public final class TrendDetector implements Detector<TrendDetector.State> {

    /** The rule set reported with each alert. */
    public static final String VERSION = "trend-rules-1";

    private record Rule(Vital vital, int direction, double minChange, double limit) {
        boolean abnormal(double value) {
            return direction > 0 ? value >= limit : value <= limit;
        }
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Vital.HEART_RATE, +1, 20, 100),
            new Rule(Vital.RESPIRATORY_RATE, +1, 6, 22),
            new Rule(Vital.SPO2, -1, 4, 94),
            new Rule(Vital.SYSTOLIC_BP, -1, 30, 100),
            new Rule(Vital.TEMPERATURE, +1, 1.0, 38.0));

    private static final int MIN_POINTS = 3;

    /** The topic of each set of trending vitals (bit i: rule i), written once rather than per fit. */
    private static final String[] TOPICS = new String[1 << RULES.size()];

    static {
        for (int mask = 0; mask < TOPICS.length; mask++) {
            StringJoiner topic = new StringJoiner(",");
            for (int i = 0; i < RULES.size(); i++) {
                if ((mask & 1 << i) != 0) {
                    topic.add(RULES.get(i).vital().id());
                }
            }
            TOPICS[mask] = topic.toString();
        }
    }

    /** Per patient: the bucket last fitted and what the fit found. */
    public static final class State {
        long fittedBucket = Long.MIN_VALUE;
        int fittedBuckets = -1;
        Optional<Finding> finding = Optional.empty();
    }

    @Override
    public String name() {
        return "trend";
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public AlertKind kind() {
        return AlertKind.TREND;
    }

    @Override
    public State newState() {
        return new State();
    }

    @Override
    public Optional<Finding> evaluate(Evaluation e, State state) {
        long bucket = Math.floorDiv(e.nowMillis(), e.config().resolution().toMillis());
        int buckets = e.window().buckets();
        if (bucket != state.fittedBucket || buckets != state.fittedBuckets
                || e.sample().timestamp().toEpochMilli() < bucket * e.config().resolution().toMillis()) {
            state.fittedBucket = bucket;
            state.fittedBuckets = buckets;
            state.finding = fit(e);
        }
        return state.finding;
    }

    private Optional<Finding> fit(Evaluation e) {
        MonitoringConfig c = e.config();
        long span = c.trendSpan().toMillis();
        double minHours = span / 3.0 / 3_600_000.0;
        List<Trending> trending = null;
        int trendingMask = 0;
        for (int i = 0; i < RULES.size(); i++) {
            Rule r = RULES.get(i);
            PatientWindow.Trend t = e.window().trend(r.vital(), span);
            if (t.points() < MIN_POINTS || t.coveredHours() < minHours || t.change() * r.direction() < r.minChange()) {
                continue;
            }
            double now = e.window().smoothed(r.vital(), c.smoothingSpan().toMillis(), c.carryForward().toMillis());
            if (Double.isNaN(now) || !r.abnormal(now)) {
                continue;
            }
            if (trending == null) {
                trending = new ArrayList<>(RULES.size());
            }
            trending.add(new Trending(r, t, now));
            trendingMask |= 1 << i;
        }
        if (trending == null) {
            return Optional.empty();
        }
        AlertSeverity severity = trending.size() >= 2 ? AlertSeverity.MEDIUM : AlertSeverity.LOW;
        return Optional.of(Finding.deferred(severity, TOPICS[trendingMask], new Fit(List.copyOf(trending),
                e.window().windowStart(span), e.nowMillis(), e.window().samples(span))));
    }

    /** One vital trending out of range: its rule, the fitted line and the smoothed value now. */
    private record Trending(Rule rule, PatientWindow.Trend trend, double now) {
    }

    /** The words and values of a trend finding, as fitted at the sample that found it. */
    private record Fit(List<Trending> trending, long from, long to, int samples) implements Finding.Details {

        @Override
        public String reason() {
            StringJoiner reasons = new StringJoiner("; ");
            for (Trending v : trending) {
                Vital vital = v.rule().vital();
                PatientWindow.Trend t = v.trend();
                reasons.add(String.format(Locale.ROOT, "%s %s by %.1f %s over %.1f h (now %.1f %s)", vital.words(),
                        v.rule().direction() > 0 ? "rising" : "falling", Math.abs(t.change()), vital.unit(),
                        t.coveredHours(), v.now(), vital.unit()));
            }
            return (trending.size() >= 2 ? "Several vital signs deteriorating together: " : "Vital sign deteriorating: ")
                    + reasons;
        }

        @Override
        public Evidence evidence() {
            List<Measurement> evidence = new ArrayList<>(3 * trending.size());
            for (Trending v : trending) {
                Vital vital = v.rule().vital();
                PatientWindow.Trend t = v.trend();
                evidence.add(Measurement.of(vital.id(), News2Detector.round(v.now()), vital.unit()));
                evidence.add(Measurement.of(vital.id() + "_change", News2Detector.round(t.change()), vital.unit()));
                evidence.add(Measurement.of(vital.id() + "_slope_per_h", Math.round(t.slopePerHour() * 100) / 100.0,
                        vital.unit() + "/h"));
            }
            return Evidence.of(evidence, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), samples);
        }
    }

    @Override
    public String resolvedReason(Evaluation e, State state) {
        return "no vital sign trending out of range over the last " + Persistent.words(e.config().trendSpan().toMillis());
    }
}
