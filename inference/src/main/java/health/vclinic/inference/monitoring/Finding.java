package health.vclinic.inference.monitoring;

import java.util.Objects;

/**
 * A detector's statement that its condition holds for a patient now.
 *
 * <p>A condition that holds is found again on every sample, but the engine sends an alert only when
 * the severity or topic changes ({@link MonitoringEngine}); the words and values are read only then, or
 * when an open alert is sent again or resolved unreviewed. So a detector may give them as
 * {@link Details}, written on first reading from values it captured when it made the finding: formatting
 * a reason on every sample was most of what monitoring allocated. Not a record for that reason; two
 * findings are equal when they say the same. Not thread-safe: the engine reads a patient's findings
 * under the patient's lock.
 */
public final class Finding {

    /**
     * The words and values of a finding, written when first read. Must depend only on values captured
     * when the finding was made, never on the patient's window or state read later, so that what is
     * sent is what was true at that sample.
     */
    public interface Details {

        /** The reason, in plain words for a clinician (see {@link Finding#reason()}). */
        String reason();

        /** The values and window behind it. */
        Evidence evidence();
    }

    private final AlertSeverity severity;
    private final String topic;
    private Details details;
    private String reason;
    private Evidence evidence;

    /**
     * A finding with its words and values written already.
     *
     * @param severity how urgent
     * @param reason in plain words for a clinician, with the values ("NEWS2 7 (high): respiratory rate 26
     *     scores 3, ..."); never the patient's reference
     * @param evidence the values and window behind it
     * @param topic what the finding is about in a few stable words (e.g. {@code heart_rate,spo2} for the
     *     vitals trending); an open alert is UPDATED when its severity or topic changes, not on every sample
     */
    public Finding(AlertSeverity severity, String reason, Evidence evidence, String topic) {
        this(severity, topic);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.evidence = Objects.requireNonNull(evidence, "evidence");
    }

    private Finding(AlertSeverity severity, String topic) {
        this.severity = Objects.requireNonNull(severity, "severity");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** A finding whose reason and evidence are written from {@code details} when first read. */
    public static Finding deferred(AlertSeverity severity, String topic, Details details) {
        Finding f = new Finding(severity, topic);
        f.details = Objects.requireNonNull(details, "details");
        return f;
    }

    /** How urgent. */
    public AlertSeverity severity() {
        return severity;
    }

    /** What the finding is about in a few stable words; see {@link #Finding(AlertSeverity, String, Evidence, String)}. */
    public String topic() {
        return topic;
    }

    /** In plain words for a clinician, with the values; never the patient's reference. */
    public String reason() {
        if (reason == null) {
            reason = Objects.requireNonNull(details.reason(), "reason");
        }
        return reason;
    }

    /** The values and window behind it. */
    public Evidence evidence() {
        if (evidence == null) {
            evidence = Objects.requireNonNull(details.evidence(), "evidence");
        }
        return evidence;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f && severity == f.severity && topic.equals(f.topic) && reason().equals(f.reason())
                && evidence().equals(f.evidence());
    }

    @Override
    public int hashCode() {
        return Objects.hash(severity, reason(), evidence(), topic);
    }

    @Override
    public String toString() {
        return "Finding[severity=" + severity + ", reason=" + reason() + ", evidence=" + evidence() + ", topic=" + topic + "]";
    }
}
