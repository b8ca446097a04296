package health.vclinic.inference.monitoring;

import java.time.Instant;
import java.util.Objects;

/**
 * An alert as it goes out: one state change of one alert.
 *
 * @param alertId stable for the alert's whole life (RAISED, UPDATED..., RESOLVED), derived from the
 *     patient reference, the kind and the raising sample time, so a replay gives the same ids
 * @param patientRef the patient's pseudonymous reference
 * @param state RAISED, UPDATED or RESOLVED
 * @param severity at this state change
 * @param kind what it is about
 * @param reason in plain words
 * @param evidence the values and the window
 * @param detector the detector that decided ({@code news2}, {@code isolation-forest})
 * @param modelVersion the rule set or model and version ({@code rcp-2017}, {@code ecg-beat@1})
 * @param raisedAt sample time at which the alert was raised
 * @param sampleTime sample time of the sample that caused this state change
 * @param pages true when this state change should page a nurse: a clinical alert raised at MEDIUM or
 *     HIGH, or escalated to a higher severity that is MEDIUM or HIGH (or sent again to a new stream at
 *     one). An update that lowers the severity, a resolution and a technical alert never page
 */
public record AlertEvent(String alertId, String patientRef, AlertState state, AlertSeverity severity, AlertKind kind,
                         String reason, Evidence evidence, String detector, String modelVersion, Instant raisedAt,
                         Instant sampleTime, boolean pages) {

    public AlertEvent {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(patientRef, "patientRef");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(raisedAt, "raisedAt");
        Objects.requireNonNull(sampleTime, "sampleTime");
        if (pages && (state == AlertState.RESOLVED || kind.technical() || !severity.pages())) {
            throw new IllegalArgumentException("only a clinical MEDIUM or HIGH alert that is raised or updated pages");
        }
    }
}
