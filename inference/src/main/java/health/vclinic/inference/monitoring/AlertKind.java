package health.vclinic.inference.monitoring;

/**
 * What an alert is about. A patient has at most one open alert of each kind: a later finding of the
 * same kind updates it instead of raising another.
 */
public enum AlertKind {
    /**
     * NEWS2 (RCP 2017): on smoothed vital signs for slow deterioration, or on the recent raw values for
     * acute deterioration ({@link News2Monitor}); one alert for both.
     */
    NEWS2("NEWS2"),
    /** A vital sign moving steadily the wrong way over hours. */
    TREND("vital-sign trend"),
    /** An unusual combination of vital signs for the population the forest was trained on. */
    ANOMALY("vital-sign anomaly"),
    /** Frequent abnormal heartbeats. */
    ECG_BEAT("abnormal heartbeats"),
    /** A technical alert: the device's signal is poor or lost. Never a clinical alarm. */
    SIGNAL_QUALITY("signal quality"),
    /** A technical notice: the service did not monitor this patient (at capacity). */
    NOT_MONITORED("not monitored");

    private final String words;

    AlertKind(String words) {
        this.words = words;
    }

    /** Plain words for reasons ("abnormal heartbeats"). */
    public String words() {
        return words;
    }

    /** True for technical alerts, which go to whoever looks after devices, never page a nurse. */
    public boolean technical() {
        return this == SIGNAL_QUALITY || this == NOT_MONITORED;
    }
}
