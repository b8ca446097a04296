package health.vclinic.api.app;

import health.vclinic.api.record.v1.VitalSummary;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.news2.News2;
import health.vclinic.inference.news2.News2Parameter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.Function;

/**
 * A monitored patient's vital signs as trend plots, one per vital sign (heart rate, SpO2, respiratory rate, blood
 * pressure, temperature), drawn as server-side SVG: the per-minute mean as a line, NEWS2 bands shaded behind it
 * (Royal College of Physicians, NEWS2, 2017, Chart 1: 1, 2 and 3 points as increasingly strong tints, computed by
 * the same scoring code the service uses, SpO2 on Scale 1), and the alert's evidence window and the time it was
 * raised marked.
 */
final class TrendChart {

    private static final int WIDTH = 640;
    private static final int HEIGHT = 150;
    private static final int LEFT = 44;
    private static final int RIGHT = 8;
    private static final int TOP = 8;
    private static final int BOTTOM = 22;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** One vital sign: how to read it from a window, its axis, and how NEWS2 scores a value of it. */
    private record Vital(String id, String title, String unit, double low, double high, double step,
                         Function<VitalsWindow, Optional<VitalSummary>> read,
                         Optional<DoubleFunction<Integer>> points) {
    }

    /** What to mark: the evidence window and when the alert was raised, when known. */
    record Marks(Optional<Instant> windowStart, Optional<Instant> windowEnd, Optional<Instant> raisedAt) {
    }

    private static final List<Vital> VITALS = List.of(
            new Vital("hr", "Heart rate", "/min", 30, 180, 1,
                    w -> w.hasHeartRate() ? Optional.of(w.getHeartRate()) : Optional.empty(),
                    Optional.of(v -> points(VitalSigns.builder().heartRate(v).build(), News2Parameter.PULSE))),
            new Vital("spo2", "SpO2", "%", 80, 100, 1,
                    w -> w.hasSpo2() ? Optional.of(w.getSpo2()) : Optional.empty(),
                    Optional.of(v -> points(VitalSigns.builder().spo2(v).build(), News2Parameter.SPO2))),
            new Vital("rr", "Respiratory rate", "/min", 4, 40, 1,
                    w -> w.hasRespiratoryRate() ? Optional.of(w.getRespiratoryRate()) : Optional.empty(),
                    Optional.of(v -> points(VitalSigns.builder().respiratoryRate(v).build(),
                            News2Parameter.RESPIRATORY_RATE))),
            new Vital("sbp", "Systolic blood pressure", "mmHg", 60, 240, 1,
                    w -> w.hasSystolicBp() ? Optional.of(w.getSystolicBp()) : Optional.empty(),
                    Optional.of(v -> points(VitalSigns.builder().systolicBp(v).build(), News2Parameter.SYSTOLIC_BP))),
            new Vital("dbp", "Diastolic blood pressure", "mmHg", 30, 140, 1,
                    w -> w.hasDiastolicBp() ? Optional.of(w.getDiastolicBp()) : Optional.empty(), Optional.empty()),
            new Vital("temp", "Temperature", "°C", 34, 41, 0.1,
                    w -> w.hasTemperatureC() ? Optional.of(w.getTemperatureC()) : Optional.empty(),
                    Optional.of(v -> points(VitalSigns.builder().temperatureC(v).build(),
                            News2Parameter.TEMPERATURE))));

    /**
     * One chart.
     *
     * @param title the vital sign
     * @param svg the plot
     * @param latest the latest per-minute mean in words, or "no readings"
     */
    record Plot(String title, String svg, String latest) {
    }

    private TrendChart() {
    }

    /** A plot per vital sign over {@code from} to {@code to}. */
    static List<Plot> plots(List<VitalsWindow> windows, Instant from, Instant to, Marks marks) {
        return VITALS.stream().map(v -> plot(v, windows, from, to, marks)).toList();
    }

    private static Plot plot(Vital v, List<VitalsWindow> windows, Instant from, Instant to, Marks marks) {
        double[] xs = new double[windows.size()];
        double[] ys = new double[windows.size()];
        int n = 0;
        double low = v.low();
        double high = v.high();
        for (VitalsWindow w : windows) {
            Optional<VitalSummary> s = v.read().apply(w);
            if (s.isPresent()) {
                low = Math.min(low, Math.floor(s.get().getMean()));
                high = Math.max(high, Math.ceil(s.get().getMean()));
            }
        }
        double span = Math.max(1, Duration.between(from, to).toSeconds());
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double lo = low;
        double hi = high;
        DoubleFunction<Double> x = t -> LEFT + plotW * t / span;
        DoubleFunction<Double> y = value -> TOP + plotH * (hi - value) / (hi - lo);
        VitalSummary last = null;
        Instant lastAt = null;
        for (VitalsWindow w : windows) {
            Optional<VitalSummary> s = v.read().apply(w);
            if (s.isEmpty()) {
                continue;
            }
            Instant at = instant(w);
            xs[n] = x.apply(Duration.between(from, at).toSeconds());
            ys[n] = y.apply(s.get().getMean());
            n++;
            last = s.get();
            lastAt = at;
        }
        String latest = last == null ? "no readings in this period"
                : "latest " + value(v, last.getMean()) + " at " + CLOCK.format(lastAt) + " UTC";
        Svg svg = new Svg("trend-" + v.id(), WIDTH, HEIGHT, v.title() + " (" + v.unit() + ")",
                v.title() + " per minute from " + CLOCK.format(from) + " to " + CLOCK.format(to) + " UTC, " + n
                        + " minutes with readings; " + latest + (v.points().isPresent()
                        ? "; shading marks the NEWS2 bands scoring 1, 2 and 3 points" : "")
                        + (marks.windowStart().isPresent() ? "; the alert's evidence window is outlined" : ""));
        svg.rect(LEFT, TOP, plotW, plotH, "plot-area");
        v.points().ifPresent(p -> bands(svg, v, p, lo, hi, y, plotW));
        if (marks.windowStart().isPresent() && marks.windowEnd().isPresent()) {
            double x0 = x.apply(clamp(Duration.between(from, marks.windowStart().get()).toSeconds(), span));
            double x1 = x.apply(clamp(Duration.between(from, marks.windowEnd().get()).toSeconds(), span));
            svg.rect(x0, TOP, Math.max(2, x1 - x0), plotH, "alert-window");
        }
        marks.raisedAt().ifPresent(r -> {
            double xr = x.apply(clamp(Duration.between(from, r).toSeconds(), span));
            svg.line(xr, TOP, xr, TOP + plotH, "alert-raised");
        });
        double tick = tick(hi - lo);
        for (double value = Math.ceil(lo / tick) * tick; value <= hi + 1e-9; value += tick) {
            svg.line(LEFT - 3, y.apply(value), LEFT, y.apply(value), "tick");
            svg.text(LEFT - 5, y.apply(value) + 4, "end", "axis", Clinical.rounded(value, tick < 1 ? 1 : 0));
        }
        for (int i = 0; i <= 4; i++) {
            Instant t = from.plusSeconds((long) (span * i / 4));
            svg.text(x.apply(span * i / 4), HEIGHT - 6, i == 0 ? "start" : i == 4 ? "end" : "middle", "axis",
                    CLOCK.format(t));
        }
        svg.polyline(xs, ys, n, "trend-line");
        if (n == 1) {
            svg.circle(xs[0], ys[0], 3, "trend-dot");
        }
        return new Plot(v.title() + " (" + v.unit() + ")", svg.end(), latest);
    }

    /** Shades each run of values that scores the same NEWS2 points (1 to 3; 0 is left unshaded). */
    private static void bands(Svg svg, Vital v, DoubleFunction<Integer> points, double lo, double hi,
                              DoubleFunction<Double> y, double plotW) {
        long steps = Math.round((hi - lo) / v.step());
        double runStart = lo;
        int runPoints = points.apply(lo);
        for (long i = 1; i <= steps + 1; i++) {
            double value = lo + i * v.step();
            int p = i > steps ? -1 : points.apply(value);
            if (p != runPoints) {
                if (runPoints > 0) {
                    double top = y.apply(Math.min(hi, value - v.step() / 2));
                    double bottom = y.apply(Math.max(lo, runStart - v.step() / 2));
                    svg.rect(LEFT, top, plotW, bottom - top, "news2-p" + runPoints);
                }
                runStart = value;
                runPoints = p;
            }
        }
    }

    /** A round step for about three to seven labels over {@code span}: 1, 2, 2.5 or 5 times a power of ten. */
    static double tick(double span) {
        double raw = span / 6;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double[] steps = {1, 2, 2.5, 5, 10};
        for (double s : steps) {
            if (raw <= s * power) {
                return s * power;
            }
        }
        return 10 * power;
    }

    private static int points(VitalSigns vitals, News2Parameter parameter) {
        return News2.score(vitals).parameter(parameter).orElseThrow().points();
    }

    private static String value(Vital v, double mean) {
        return Clinical.rounded(mean, v.step() < 1 ? 1 : 0) + (v.unit().equals("%") ? "" : " ") + v.unit();
    }

    private static double clamp(double seconds, double span) {
        return Math.max(0, Math.min(span, seconds));
    }

    private static Instant instant(VitalsWindow w) {
        return Instant.ofEpochSecond(w.getWindowStart().getSeconds(), w.getWindowStart().getNanos());
    }
}
