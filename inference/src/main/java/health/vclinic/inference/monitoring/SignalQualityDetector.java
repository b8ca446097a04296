package health.vclinic.inference.monitoring;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Signal-quality gating. A sample whose device-reported quality is below
 * {@link MonitoringConfig#minSignalQuality()} (sensor off, motion artefact) is not analysed: the
 * engine keeps its values out of the window and runs no clinical detector on it, so an artefact can
 * neither raise nor resolve a clinical alert. This detector watches those samples: when the signal
 * has been poor without a break for {@link MonitoringConfig#signalLossAfter()}, it raises a
 * technical INFO alert (never a page) so someone checks the device; the first good sample resolves it.
 */
public final class SignalQualityDetector implements Detector<SignalQualityDetector.State> {

    /** Per patient: since when the signal has been poor without a break. */
    public static final class State {
        long poorSince = Long.MIN_VALUE;
        double lastQuality = 1;
    }

    @Override
    public String name() {
        return "signal-quality";
    }

    @Override
    public String version() {
        return "gate-1";
    }

    @Override
    public AlertKind kind() {
        return AlertKind.SIGNAL_QUALITY;
    }

    @Override
    public State newState() {
        return new State();
    }

    /** True when the sample's signal is too poor to analyse. */
    public static boolean poor(Evaluation e) {
        return e.sample().poorSignal(e.config().minSignalQuality());
    }

    @Override
    public Optional<Finding> evaluate(Evaluation e, State state) {
        if (!poor(e)) {
            state.poorSince = Long.MIN_VALUE;
            return Optional.empty();
        }
        long t = e.sample().timestamp().toEpochMilli();
        state.lastQuality = e.sample().signalQuality().orElse(0);
        if (state.poorSince == Long.MIN_VALUE || t < state.poorSince) {
            state.poorSince = t;
        }
        long poorFor = e.nowMillis() - state.poorSince;
        if (poorFor < e.config().signalLossAfter().toMillis()) {
            return Optional.empty();
        }
        String reason = String.format(Locale.ROOT, "Device signal poor for %s (quality %.2f, needs %.2f): readings are"
                        + " not being analysed; check the sensor. Technical alert, not a clinical alarm",
                Persistent.words(poorFor), state.lastQuality, e.config().minSignalQuality());
        Evidence evidence = Evidence.of(List.of(Measurement.of("signal_quality", state.lastQuality, ""),
                        Measurement.of("poor_signal_minutes", poorFor / 60_000.0, "min")),
                java.time.Instant.ofEpochMilli(state.poorSince), e.now(), 0);
        return Optional.of(new Finding(AlertSeverity.INFO, reason, evidence, "poor-signal"));
    }

    @Override
    public String resolvedReason(Evaluation e, State state) {
        return "device signal usable again";
    }
}
