package health.vclinic.inference.monitoring;

import java.util.Objects;
import java.util.Optional;

/**
 * NEWS2 (RCP 2017) on two time scales, as <b>one</b> alert per patient: the smoothed path
 * ({@link News2Detector} held for {@link MonitoringConfig#news2Hold()}) for slow deterioration such as
 * sepsis, and the acute path ({@link AcuteDetector}) for a patient deteriorating now. Both are
 * evaluated on every sample; the acute finding wins while it holds. So an acute episode RAISES a HIGH
 * alert (it pages), or escalates an open MEDIUM NEWS2 alert to HIGH (an UPDATE that pages) instead of
 * raising a second one; when the acute criteria clear, the alert returns to what the smoothed path
 * says, and resolves when neither holds.
 */
public final class News2Monitor implements Detector<News2Monitor.State> {

    private final Detector<Persistent.State<News2Detector.State>> smoothed;
    private final Detector<Persistent.State<AcuteDetector.State>> acute;

    /** Both paths' states. */
    public static final class State {
        final Persistent.State<News2Detector.State> smoothed;
        final Persistent.State<AcuteDetector.State> acute;

        State(Persistent.State<News2Detector.State> smoothed, Persistent.State<AcuteDetector.State> acute) {
            this.smoothed = smoothed;
            this.acute = acute;
        }
    }

    private News2Monitor(Detector<Persistent.State<News2Detector.State>> smoothed,
                         Detector<Persistent.State<AcuteDetector.State>> acute) {
        this.smoothed = Objects.requireNonNull(smoothed, "smoothed");
        this.acute = Objects.requireNonNull(acute, "acute");
    }

    /** Both paths with the persistence and hysteresis of {@code config}. */
    public static News2Monitor of(MonitoringConfig config) {
        return new News2Monitor(Persistent.of(new News2Detector(), config.news2Hold(), config.news2Clear()),
                // The acute path keeps its own persistence (a run of readings in device time); it only clears here.
                Persistent.of(new AcuteDetector(), java.time.Duration.ZERO, config.acuteClear()));
    }

    @Override
    public String name() {
        return "news2";
    }

    @Override
    public String version() {
        return News2Detector.VERSION;
    }

    @Override
    public AlertKind kind() {
        return AlertKind.NEWS2;
    }

    @Override
    public State newState() {
        return new State(smoothed.newState(), acute.newState());
    }

    @Override
    public Optional<Finding> evaluate(Evaluation evaluation, State state) {
        Optional<Finding> slow = smoothed.evaluate(evaluation, state.smoothed);
        Optional<Finding> fast = acute.evaluate(evaluation, state.acute);
        return fast.isPresent() ? fast : slow;
    }

    @Override
    public String resolvedReason(Evaluation evaluation, State state) {
        return smoothed.resolvedReason(evaluation, state.smoothed) + "; " + acute.resolvedReason(evaluation, state.acute);
    }

    @Override
    public Evidence resolvedEvidence(Evaluation evaluation, State state) {
        return smoothed.resolvedEvidence(evaluation, state.smoothed);
    }
}
