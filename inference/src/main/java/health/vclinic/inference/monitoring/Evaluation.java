package health.vclinic.inference.monitoring;

import health.vclinic.datasets.monitoring.VitalSample;
import java.time.Instant;
import java.util.Objects;

/**
 * What a detector sees at one evaluation.
 *
 * @param sample the sample just added (its values are already in the window)
 * @param window the patient's window
 * @param config the engine's configuration
 */
public record Evaluation(VitalSample sample, PatientWindow window, MonitoringConfig config) {

    public Evaluation {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(config, "config");
    }

    /** "Now" in sample time: the newest sample time of the patient (epoch ms). */
    public long nowMillis() {
        return window.newestMillis();
    }

    /** The start of the last {@code spanMillis} of data, as an instant, for evidence. */
    public Instant windowStart(long spanMillis) {
        return Instant.ofEpochMilli(window.windowStart(spanMillis));
    }

    /** Now, as an instant. */
    public Instant now() {
        return Instant.ofEpochMilli(window.newestMillis());
    }
}
