package health.vclinic.inference.monitoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * Unusual vital-sign patterns: the {@link AnomalyForest} scores the patient's {@link WindowFeatures}
 * at most once per window bucket (the features move little within one), and a score at or above the
 * card's thresholds is a finding: LOW from the low threshold, MEDIUM from the medium one. The forest
 * was trained on stays without sepsis, so "unusual" means unlike those patients; the reason names the
 * three features furthest from their training median.
 */
public final class AnomalyDetector implements Detector<AnomalyDetector.State> {

    private final AnomalyForest forest;

    /** Per patient: the last score and when it was computed. */
    public static final class State {
        long scoredAt = Long.MIN_VALUE;
        double score = Double.NaN;
        double[] features;
    }

    public AnomalyDetector(AnomalyForest forest) {
        this.forest = forest;
    }

    /** Refuses a forest whose features were computed on other buckets than this configuration's. */
    void check(MonitoringConfig config) {
        if (forest.resolutionMillis() != config.resolution().toMillis()) {
            throw new IllegalArgumentException(forest.id() + " was trained on " + forest.resolutionMillis() / 60_000
                    + "-minute buckets, the monitoring resolution is " + config.resolution().toMinutes() + " min");
        }
        if (config.windowSpan().toMillis() < WindowFeatures.LOOKBACK_MILLIS) {
            throw new IllegalArgumentException("the anomaly features look back 6 h; the window span is shorter");
        }
    }

    @Override
    public String name() {
        return "isolation-forest";
    }

    @Override
    public String version() {
        return forest.id();
    }

    @Override
    public AlertKind kind() {
        return AlertKind.ANOMALY;
    }

    @Override
    public State newState() {
        return new State();
    }

    @Override
    public Optional<Finding> evaluate(Evaluation e, State state) {
        long now = e.nowMillis();
        long bucket = Math.floorDiv(now, forest.resolutionMillis());
        if (state.scoredAt == Long.MIN_VALUE || Math.floorDiv(state.scoredAt, forest.resolutionMillis()) != bucket) {
            Optional<double[]> features = WindowFeatures.compute(e.window());
            state.scoredAt = now;
            state.features = features.orElse(null);
            state.score = features.isPresent() ? forest.score(features.get()) : Double.NaN;
        }
        if (Double.isNaN(state.score) || state.score < forest.lowThreshold()) {
            return Optional.empty();
        }
        AlertSeverity severity = state.score >= forest.mediumThreshold() ? AlertSeverity.MEDIUM : AlertSeverity.LOW;
        double threshold = severity == AlertSeverity.MEDIUM ? forest.mediumThreshold() : forest.lowThreshold();
        long span = WindowFeatures.LOOKBACK_MILLIS;
        // The features array is replaced, never changed, when the patient is scored again: safe to keep.
        return Optional.of(Finding.deferred(severity, severity.name(), new Unusual(forest, state.score, threshold,
                state.features, e.window().windowStart(span), e.nowMillis(), e.window().samples(span))));
    }

    /** The words and values of an anomaly finding, as scored at the sample that found it. */
    private record Unusual(AnomalyForest forest, double score, double threshold, double[] features, long from, long to,
                           int samples) implements Finding.Details {

        @Override
        public String reason() {
            double[] median = forest.featureMedian();
            StringJoiner unusual = new StringJoiner(", ");
            for (int i : forest.mostUnusual(features, 3)) {
                unusual.add(String.format(Locale.ROOT, "%s %.1f (training median %.1f)",
                        WindowFeatures.NAMES.get(i).replace('_', ' '), features[i], median[i]));
            }
            return String.format(Locale.ROOT, "Unusual combination of vital signs for patients without sepsis"
                    + " (isolation-forest score %.3f, alert at %.3f); most unusual: %s", score, threshold, unusual);
        }

        @Override
        public Evidence evidence() {
            List<Measurement> m = new ArrayList<>();
            for (int i : forest.mostUnusual(features, 3)) {
                m.add(Measurement.of(WindowFeatures.NAMES.get(i), Math.round(features[i] * 100) / 100.0, ""));
            }
            return new Evidence(m, Instant.ofEpochMilli(from), Instant.ofEpochMilli(to), samples,
                    OptionalDouble.of(Math.round(score * 1e4) / 1e4), OptionalDouble.of(threshold));
        }
    }

    @Override
    public String resolvedReason(Evaluation e, State state) {
        return Double.isNaN(state.score) ? "too few vital signs to score"
                : String.format(Locale.ROOT, "isolation-forest score %.3f, below %.3f", state.score, forest.lowThreshold());
    }
}
