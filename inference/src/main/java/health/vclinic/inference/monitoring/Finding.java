package health.vclinic.inference.monitoring;

import java.util.Objects;

/**
 * A detector's statement that its condition holds for a patient now.
 *
 * @param severity how urgent
 * @param reason in plain words for a clinician, with the values ("NEWS2 7 (high): respiratory rate 26
 *     scores 3, ..."); never the patient's reference
 * @param evidence the values and window behind it
 * @param topic what the finding is about in a few stable words (e.g. {@code heart_rate,spo2} for the
 *     vitals trending); an open alert is UPDATED when its severity or topic changes, not on every sample
 */
public record Finding(AlertSeverity severity, String reason, Evidence evidence, String topic) {

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(topic, "topic");
    }
}
