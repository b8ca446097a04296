package health.vclinic.inference.monitoring;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.news2.News2;
import health.vclinic.inference.news2.News2Parameter;
import health.vclinic.inference.news2.News2Score;
import health.vclinic.inference.news2.ParameterScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;

/**
 * NEWS2 (Royal College of Physicians, 2017, Charts 1 and 4) on smoothed vital signs: each vital is
 * the median of its bucket means over {@link MonitoringConfig#smoothingSpan()} (carried forward up to
 * {@link MonitoringConfig#carryForward()}), scored by the same {@link News2} the triage path uses.
 *
 * <p>Value hysteresis: the condition starts at a total of {@link MonitoringConfig#news2RaiseAt()} (5,
 * the RCP threshold for an urgent response) and, once started, lasts until the total falls below
 * {@link MonitoringConfig#news2ClearBelow()}. Severity follows Chart 4: 7 or more HIGH (emergency
 * response), otherwise MEDIUM; a HIGH alert returns to MEDIUM only at 5 or less, so a score hovering
 * at 6-7 is not a stream of updates. Time persistence comes from wrapping it in {@link Persistent}.
 *
 * <p>Missing parameters score nothing, so the total is a lower bound; the reason lists what was not
 * measured. This is the slow path; {@link AcuteDetector} is the fast one, and {@link News2Monitor}
 * makes them one alert.
 */
public final class News2Detector implements Detector<News2Detector.State> {

    /** The rule set reported with each alert. */
    public static final String VERSION = "rcp-2017";

    private static final Vital[] SCORED = {Vital.RESPIRATORY_RATE, Vital.SPO2, Vital.SYSTOLIC_BP, Vital.HEART_RATE,
            Vital.TEMPERATURE};

    /** Per patient: whether the condition is engaged, at which severity, and the latest inputs and score. */
    public static final class State {
        boolean engaged;
        boolean high;
        int lastTotal;
        final double[] smoothed = new double[Vital.ALL.length];
        Optional<Finding> lastFound = Optional.empty();
        int foundTotal = -1;
        boolean foundBelowRaise;
    }

    /** Total at which the severity becomes HIGH (RCP Chart 4: 7 or more is the emergency response). */
    static final int HIGH_AT = 7;
    /** A HIGH alert goes back to MEDIUM only at or below this total, so a score hovering at 6-7 does not flap. */
    static final int HIGH_UNTIL_ABOVE = 5;

    @Override
    public String name() {
        return "news2";
    }

    @Override
    public String version() {
        return VERSION;
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
    public Optional<Finding> evaluate(Evaluation e, State state) {
        MonitoringConfig c = e.config();
        double[] smoothed = smoothed(e, state.smoothed);
        // The total without allocating on every sample; the full score (with its words) only for a new finding.
        long carry = c.carryForward().toMillis();
        int total = News2Points.total(smoothed[Vital.RESPIRATORY_RATE.ordinal()], smoothed[Vital.SPO2.ordinal()],
                smoothed[Vital.SYSTOLIC_BP.ordinal()], smoothed[Vital.HEART_RATE.ordinal()],
                smoothed[Vital.TEMPERATURE.ordinal()], e.window().oxygen(carry).map(o -> o ? 1 : 0).orElse(-1),
                e.window().consciousness(carry).map(Enum::ordinal).orElse(-1), false);
        state.lastTotal = total;
        state.engaged = state.engaged ? total >= c.news2ClearBelow() : total >= c.news2RaiseAt();
        if (!state.engaged) {
            state.high = false;
            if (state.lastFound.isPresent()) {
                // Stored only when it changes: see MonitoringEngine.accept.
                state.lastFound = Optional.empty();
            }
            return state.lastFound;
        }
        state.high = state.high ? total > HIGH_UNTIL_ABOVE : total >= HIGH_AT;
        AlertSeverity severity = state.high ? AlertSeverity.HIGH : AlertSeverity.MEDIUM;
        boolean belowRaise = total < c.news2RaiseAt();
        if (state.lastFound.isPresent() && state.foundTotal == total && state.lastFound.get().severity() == severity
                && state.foundBelowRaise == belowRaise) {
            // The engine sends a finding only when its severity or topic changes: the words of the last one stand.
            return state.lastFound;
        }
        News2Score score = News2.score(vitals(e, smoothed));
        String reason = "NEWS2 " + total + " (" + score.band().name().toLowerCase(Locale.ROOT).replace('_', '-') + ": "
                + score.band().clinicalResponse() + ") on vitals smoothed over "
                + Persistent.words(c.smoothingSpan().toMillis()) + ": " + contributors(score, smoothed)
                + (belowRaise ? "; still open: it clears below " + c.news2ClearBelow() : "")
                + (score.complete() ? "" : "; not measured, scored 0: " + missing(score));
        state.foundTotal = total;
        state.foundBelowRaise = belowRaise;
        state.lastFound = Optional.of(new Finding(severity, reason, evidence(e, score, smoothed), severity.name()));
        return state.lastFound;
    }

    @Override
    public String resolvedReason(Evaluation e, State state) {
        return "NEWS2 now " + state.lastTotal + ", below " + e.config().news2ClearBelow();
    }

    @Override
    public Evidence resolvedEvidence(Evaluation e, State state) {
        double[] smoothed = smoothed(e, new double[Vital.ALL.length]);
        return evidence(e, News2.score(vitals(e, smoothed)), smoothed);
    }

    private static double[] smoothed(Evaluation e, double[] values) {
        MonitoringConfig c = e.config();
        for (Vital v : SCORED) {
            values[v.ordinal()] = e.window().smoothed(v, c.smoothingSpan().toMillis(), c.carryForward().toMillis());
        }
        return values;
    }

    private static VitalSigns vitals(Evaluation e, double[] smoothed) {
        VitalSigns.Builder b = VitalSigns.builder();
        double v;
        if (!Double.isNaN(v = smoothed[Vital.RESPIRATORY_RATE.ordinal()])) {
            b.respiratoryRate(v);
        }
        if (!Double.isNaN(v = smoothed[Vital.SPO2.ordinal()])) {
            b.spo2(v);
        }
        if (!Double.isNaN(v = smoothed[Vital.SYSTOLIC_BP.ordinal()])) {
            b.systolicBp(v);
        }
        if (!Double.isNaN(v = smoothed[Vital.HEART_RATE.ordinal()])) {
            b.heartRate(v);
        }
        if (!Double.isNaN(v = smoothed[Vital.TEMPERATURE.ordinal()])) {
            b.temperatureC(v);
        }
        long carry = e.config().carryForward().toMillis();
        e.window().oxygen(carry).ifPresent(b::supplementalOxygen);
        e.window().consciousness(carry).ifPresent(b::consciousness);
        return b.build();
    }

    private static String contributors(News2Score score, double[] smoothed) {
        StringJoiner j = new StringJoiner(", ");
        for (ParameterScore p : score.parameters()) {
            if (p.points() > 0) {
                j.add(p.parameter() == News2Parameter.AIR_OR_OXYGEN ? "supplemental oxygen scores " + p.points()
                        : p.parameter().words() + " " + p.value() + unit(p.parameter()) + " scores " + p.points());
            }
        }
        return j.length() == 0 ? "no single parameter scores" : j.toString();
    }

    private static String unit(News2Parameter p) {
        return p.unit().isEmpty() ? "" : (p.unit().equals("/min") ? "/min" : " " + p.unit());
    }

    private static String missing(News2Score score) {
        StringJoiner j = new StringJoiner(", ");
        score.missing().forEach(p -> j.add(p.words()));
        return j.toString();
    }

    private static Evidence evidence(Evaluation e, News2Score score, double[] smoothed) {
        List<Measurement> m = new ArrayList<>(8);
        m.add(Measurement.of("news2_total", score.total(), ""));
        for (ParameterScore p : score.parameters()) {
            Vital v = vital(p.parameter());
            OptionalInt points = OptionalInt.of(p.points());
            if (v != null) {
                m.add(new Measurement(v.id(), round(smoothed[v.ordinal()]), v.unit(), points));
            } else {
                m.add(new Measurement(p.parameter().id(), p.parameter() == News2Parameter.AIR_OR_OXYGEN
                        ? (p.value().equals("oxygen") ? 1 : 0) : (p.points() > 0 ? 1 : 0), "", points));
            }
        }
        long span = e.config().smoothingSpan().toMillis();
        return Evidence.of(m, e.windowStart(span), e.now(), e.window().samples(span));
    }

    private static Vital vital(News2Parameter p) {
        return switch (p) {
            case RESPIRATORY_RATE -> Vital.RESPIRATORY_RATE;
            case SPO2 -> Vital.SPO2;
            case SYSTOLIC_BP -> Vital.SYSTOLIC_BP;
            case PULSE -> Vital.HEART_RATE;
            case TEMPERATURE -> Vital.TEMPERATURE;
            case AIR_OR_OXYGEN, CONSCIOUSNESS -> null;
        };
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
