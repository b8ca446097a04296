package health.vclinic.inference.monitoring;

import health.vclinic.datasets.monitoring.EcgBeat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Frequent abnormal heartbeats: every beat a sample carries is classified by the {@link BeatClassifier}
 * (the DJL {@code ecg-beat} model), and the last {@link MonitoringConfig#ecgBeats()} beats of the last
 * {@value #LOOKBACK_MINUTES} minutes are counted. {@link MonitoringConfig#ecgLowAt()} abnormal beats
 * among them (3 of 10 by default: frequent ectopy) is a LOW finding, {@link MonitoringConfig#ecgMediumAt()}
 * (6 of 10) MEDIUM. A beat is abnormal when the model gives it a probability of at least 0.5 of not
 * being normal. Flat beats (electrode off, standard deviation below {@value #FLAT_STD}) are not
 * classified: they are a signal problem, not an arrhythmia.
 */
public final class EcgBeatDetector implements Detector<EcgBeatDetector.State> {

    /** Beats older than this (sample time) no longer count. */
    public static final int LOOKBACK_MINUTES = 10;
    /** Below this standard deviation a beat is a flat line. */
    public static final double FLAT_STD = 1e-3;

    private static final long LOOKBACK_MILLIS = LOOKBACK_MINUTES * 60_000L;

    private final BeatClassifier classifier;
    private final int beats;

    /** Per patient: a ring of the latest beats' predicted class and time. */
    public static final class State {
        final byte[] classes;
        final boolean[] abnormal;
        final long[] times;
        int size;
        int next;
        double lastAbnormalProbability = Double.NaN;

        State(int capacity) {
            classes = new byte[capacity];
            abnormal = new boolean[capacity];
            times = new long[capacity];
        }
    }

    /** A detector over {@code config}'s {@link MonitoringConfig#ecgBeats()} most recent beats. */
    public EcgBeatDetector(BeatClassifier classifier, MonitoringConfig config) {
        this.classifier = classifier;
        this.beats = config.ecgBeats();
    }

    @Override
    public String name() {
        return "ecg-beat-cnn";
    }

    @Override
    public String version() {
        return classifier.id();
    }

    @Override
    public AlertKind kind() {
        return AlertKind.ECG_BEAT;
    }

    @Override
    public State newState() {
        return new State(beats);
    }

    @Override
    public Optional<Finding> evaluate(Evaluation e, State state) {
        Optional<EcgBeat> beat = e.sample().ecgBeat();
        if (beat.isPresent() && beat.get().std() >= FLAT_STD) {
            BeatPrediction p = classifier.classify(beat.get());
            state.classes[state.next] = (byte) p.predictedClass();
            state.abnormal[state.next] = p.abnormalProbability() >= 0.5;
            state.times[state.next] = e.sample().timestamp().toEpochMilli();
            state.next = (state.next + 1) % state.classes.length;
            state.size = Math.min(state.size + 1, state.classes.length);
            state.lastAbnormalProbability = p.abnormalProbability();
        }
        int[] byClass = new int[BeatPrediction.CLASSES + 1];
        int counted = 0;
        int abnormal = 0;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < state.size; i++) {
            if (e.nowMillis() - state.times[i] > LOOKBACK_MILLIS) {
                continue;
            }
            counted++;
            oldest = Math.min(oldest, state.times[i]);
            if (state.abnormal[i]) {
                abnormal++;
                byClass[state.classes[i]]++;
            }
        }
        MonitoringConfig c = e.config();
        if (abnormal < c.ecgLowAt()) {
            return Optional.empty();
        }
        AlertSeverity severity = abnormal >= c.ecgMediumAt() ? AlertSeverity.MEDIUM : AlertSeverity.LOW;
        StringJoiner kinds = new StringJoiner(", ");
        List<Measurement> m = new ArrayList<>();
        m.add(Measurement.of("abnormal_beats", abnormal, ""));
        m.add(Measurement.of("beats_considered", counted, ""));
        for (int k = 1; k <= BeatPrediction.CLASSES; k++) {
            if (byClass[k] > 0) {
                kinds.add(byClass[k] + " " + BeatPrediction.CLASS_NAMES[k - 1]);
                m.add(Measurement.of("beats_ucr_class_" + k, byClass[k], ""));
            }
        }
        if (!Double.isNaN(state.lastAbnormalProbability)) {
            m.add(Measurement.of("last_beat_abnormal_probability", Math.round(state.lastAbnormalProbability * 1000) / 1000.0, ""));
        }
        String reason = abnormal + " of the last " + counted + " heartbeats abnormal (" + kinds + ")"
                + (severity == AlertSeverity.MEDIUM ? ": frequent ectopy, review the ECG" : ": review the ECG when convenient");
        Evidence evidence = Evidence.of(m, java.time.Instant.ofEpochMilli(Math.min(oldest, e.nowMillis())), e.now(), counted);
        return Optional.of(new Finding(severity, reason, evidence, severity.name()));
    }

    @Override
    public String resolvedReason(Evaluation e, State state) {
        return "fewer than " + e.config().ecgLowAt() + " abnormal beats among the recent ones";
    }
}
