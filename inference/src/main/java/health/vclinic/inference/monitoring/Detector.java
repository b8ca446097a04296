package health.vclinic.inference.monitoring;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One way of noticing that a monitored patient needs attention. Detectors are small, independent and
 * composable ({@link Persistent} adds persistence and hysteresis to any of them); the
 * {@link MonitoringEngine} turns their findings into alerts, one open alert per patient and kind.
 *
 * <p>A detector keeps no per-patient data itself: it declares a state type {@code S}, the engine
 * creates one with {@link #newState()} for each patient and hands it back on every evaluation, under
 * the patient's lock. A detector without per-patient state uses {@link NoState}.
 *
 * @param <S> the per-patient state
 */
public interface Detector<S> {

    /** Short stable name, reported with every alert ({@code news2}, {@code trend}, {@code isolation-forest}). */
    String name();

    /** The rule set or model version, reported with every alert ({@code rcp-2017}, {@code ecg-beat@1}). */
    String version();

    /** The kind of alert this detector raises. */
    AlertKind kind();

    /** A fresh per-patient state. */
    S newState();

    /**
     * Evaluates the patient after a sample was added: a finding while the condition holds, empty when
     * it does not. Called for every accepted sample with a usable signal, in sample order per patient.
     */
    Optional<Finding> evaluate(Evaluation evaluation, S state);

    /**
     * Why an open alert of this detector resolved, in plain words with the current values
     * ("NEWS2 now 3"); called once, when the engine resolves it.
     */
    default String resolvedReason(Evaluation evaluation, S state) {
        return kind().words() + " condition no longer met";
    }

    /** The evidence to report with a resolution: by default the window's extent without values. */
    default Evidence resolvedEvidence(Evaluation evaluation, S state) {
        Instant now = Instant.ofEpochMilli(evaluation.nowMillis());
        return Evidence.of(List.of(), now, now, 0);
    }

    /** The state of a detector that keeps none. */
    enum NoState {
        INSTANCE
    }
}
