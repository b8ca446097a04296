package health.vclinic.inference.monitoring;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Persistence and hysteresis in time for any detector: a condition alerts only after it has held for
 * {@code hold}, and an alert resolves only after the condition has been absent for {@code clear}
 * (sample time). In between, the last finding stands. This is the standard remedy for alarm fatigue
 * from transient excursions (e.g. Welch, "An intelligent approach to alarm management", 2011, and the
 * alarm-delay evidence reviewed by the AAMI Foundation's alarm safety compendium).
 *
 * <p>With sparse data "held for" means "seen at the first sample and still seen at a sample at least
 * {@code hold} later": on hourly charting a 30-minute hold is confirmation by the next reading.
 *
 * @param <S> the wrapped detector's state
 */
public final class Persistent<S> implements Detector<Persistent.State<S>> {

    private final Detector<S> inner;
    private final long holdMillis;
    private final long clearMillis;

    private Persistent(Detector<S> inner, Duration hold, Duration clear) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.holdMillis = hold.toMillis();
        this.clearMillis = clear.toMillis();
        if (holdMillis < 0 || clearMillis < 0) {
            throw new IllegalArgumentException("hold and clear must not be negative");
        }
    }

    /** Wraps {@code inner}: alert after {@code hold}, resolve after {@code clear} without the condition. */
    public static <S> Persistent<S> of(Detector<S> inner, Duration hold, Duration clear) {
        return new Persistent<>(inner, hold, clear);
    }

    /** Per-patient timers around the wrapped detector's own state. */
    public static final class State<S> {
        final S inner;
        long conditionSince = Long.MIN_VALUE;
        long absentSince = Long.MIN_VALUE;
        Finding last;

        State(S inner) {
            this.inner = inner;
        }
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String version() {
        return inner.version();
    }

    @Override
    public AlertKind kind() {
        return inner.kind();
    }

    @Override
    public State<S> newState() {
        return new State<>(inner.newState());
    }

    @Override
    public Optional<Finding> evaluate(Evaluation evaluation, State<S> state) {
        long now = evaluation.nowMillis();
        Optional<Finding> found = inner.evaluate(evaluation, state.inner);
        if (found.isPresent()) {
            state.absentSince = Long.MIN_VALUE;
            if (state.last == null) {
                if (state.conditionSince == Long.MIN_VALUE) {
                    state.conditionSince = now;
                }
                if (now - state.conditionSince < holdMillis) {
                    return Optional.empty();
                }
            }
            state.last = found.get();
            return found;
        }
        state.conditionSince = Long.MIN_VALUE;
        if (state.last == null) {
            return Optional.empty();
        }
        if (state.absentSince == Long.MIN_VALUE) {
            state.absentSince = now;
        }
        if (now - state.absentSince >= clearMillis) {
            state.last = null;
            state.absentSince = Long.MIN_VALUE;
            return Optional.empty();
        }
        return Optional.of(state.last);
    }

    @Override
    public String resolvedReason(Evaluation evaluation, State<S> state) {
        return inner.resolvedReason(evaluation, state.inner) + " for " + words(clearMillis);
    }

    @Override
    public Evidence resolvedEvidence(Evaluation evaluation, State<S> state) {
        return inner.resolvedEvidence(evaluation, state.inner);
    }

    /** A duration in plain words: "2 h", "90 min", "5 h 30 min". */
    static String words(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toHours() > 0 && d.toMinutesPart() == 0 && d.toSecondsPart() == 0) {
            return d.toHours() + " h";
        }
        if (d.toHours() < 3) {
            return d.toMinutes() + " min";
        }
        return d.toHours() + " h " + d.toMinutesPart() + " min";
    }
}
