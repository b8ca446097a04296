package health.vclinic.inference.monitoring;

import java.time.Duration;
import java.util.Objects;

/**
 * Every setting of remote monitoring, with its default and why. Durations are in sample time (the
 * devices' clocks), except {@link #idleTimeout()}, which is the server's wall clock. Defaults suit
 * devices that report every few seconds to every hour (wearables, home kits, hourly ICU charting);
 * the evaluation report states the configuration it measured.
 *
 * @param resolution bucket width of a patient's window. Default 5 min: fine enough for trends over
 *     hours, coarse enough that a 1 Hz device costs one bucket per 300 samples
 * @param windowSpan history kept per patient. Default 8 h: the longest look-back any detector uses
 *     (trends over 6 h) plus margin
 * @param maxLateness how far behind a patient's newest sample a sample may arrive and still count.
 *     Default 2 h: a phone that buffered readings offline; older ones are ignored and counted as late
 * @param minSignalQuality samples whose device-reported signal quality is below this are not
 *     analysed (a sensor off or a motion artefact must not page a nurse). Default 0.5
 * @param signalLossAfter poor signal for this long raises a technical (INFO) alert. Default 10 min
 * @param smoothingSpan vitals are the median of the bucket means over this span. Default 90 min:
 *     one outlying reading cannot move the score, two hourly chart rows can
 * @param carryForward a vital not measured within the smoothing span keeps its last value this long.
 *     Default 4 h: temperature is charted every 4 h on a ward
 * @param news2RaiseAt NEWS2 total that raises an alert. Default 5: the RCP key threshold for an
 *     urgent response (a single parameter scoring 3 alone does not alert, to limit alarm fatigue)
 * @param news2ClearBelow once raised, the NEWS2 condition holds until the total is below this.
 *     Default 4 (value hysteresis: 5 raises, 3 or less clears)
 * @param news2Hold the NEWS2 condition must hold this long before an alert. Default 30 min (on hourly
 *     data: confirmed by the next reading)
 * @param news2Clear an open NEWS2 alert resolves only after the condition has been absent this long.
 *     Default 2 h
 * @param acuteSpan the acute path ({@link AcuteDetector}) uses a vital only when its last three
 *     readings lie within this span of now. Default 15 min: devices that report every 5 minutes or
 *     more often have an acute path; hourly charting has only the smoothed one
 * @param acuteHold the readings that meet an acute criterion must span at least this much device time
 *     before it pages. Default 1 min: a jump that reverses within a minute is an artefact, and at a
 *     1-minute interval two consecutive readings suffice (bedside monitors delay SpO2 alarms 10-30 s)
 * @param acuteClear an acute alert returns to the smoothed path's view only after no acute criterion
 *     has held for this long. Default 10 min, so a patient hovering at a limit is one alert
 * @param acuteGoodQuality a reading whose device-reported signal quality is at least this is a good
 *     reading: two of them, corroborated by a second vital, or three of a single vital confirm an acute
 *     criterion. Readings between {@link #minSignalQuality()} and this are marginal: they count, but
 *     alone they confirm only over three holds. Default 0.8: chosen on the acute scenario generator's
 *     training seeds; readings the device flags as doubtful are where motion artefacts are
 * @param trendSpan look-back of trend detection. Default 6 h
 * @param trendHold persistence of a trend before it alerts. Default 2 h: on the training part of the
 *     sepsis subset it cut trend alerts on stays without sepsis by 40 % for one septic stay fewer
 *     detected (see the monitoring evaluation report)
 * @param trendClear an open trend alert resolves after the trend has been absent this long. Default 2 h
 * @param anomalyHold persistence of an anomalous forest score. Default 1 h
 * @param anomalyClear an open anomaly alert resolves after normal scores for this long. Default 2 h
 * @param ecgBeats how many recent beats the ECG detector looks at. Default 10
 * @param ecgLowAt abnormal beats among them that raise a LOW alert. Default 3 (frequent ectopy)
 * @param ecgMediumAt abnormal beats among them that make it MEDIUM. Default 6
 * @param ecgClear an open ECG alert resolves after this long below the LOW count. Default 5 min
 * @param maxPatients patients monitored at once: with {@link PatientWindow#maxBytes} this bounds the
 *     memory of the whole service. Default 20,000 (under 150 MB of windows). A new patient beyond it
 *     is refused with a NOT_MONITORED notice, never silently
 * @param idleTimeout a patient with no new sample for this long is forgotten, and any alert still open
 *     is resolved with the reason. Measured on both clocks: the server's wall clock (only a sample newer
 *     than the patient's newest counts, so re-sending old readings cannot keep a patient alive) and the
 *     devices' clock of the patient's stream (the newest sample time of any patient on it), so a silent
 *     patient's alerts resolve on time in a replay as well. Default 30 min
 */
public record MonitoringConfig(
        Duration resolution,
        Duration windowSpan,
        Duration maxLateness,
        double minSignalQuality,
        Duration signalLossAfter,
        Duration smoothingSpan,
        Duration carryForward,
        int news2RaiseAt,
        int news2ClearBelow,
        Duration news2Hold,
        Duration news2Clear,
        Duration acuteSpan,
        Duration acuteHold,
        Duration acuteClear,
        double acuteGoodQuality,
        Duration trendSpan,
        Duration trendHold,
        Duration trendClear,
        Duration anomalyHold,
        Duration anomalyClear,
        int ecgBeats,
        int ecgLowAt,
        int ecgMediumAt,
        Duration ecgClear,
        int maxPatients,
        Duration idleTimeout) {

    public MonitoringConfig {
        for (Duration d : new Duration[] {resolution, windowSpan, maxLateness, signalLossAfter, smoothingSpan,
                carryForward, news2Hold, news2Clear, acuteSpan, acuteHold, acuteClear, trendSpan, trendHold, trendClear, anomalyHold, anomalyClear,
                ecgClear, idleTimeout}) {
            Objects.requireNonNull(d, "durations must be given");
            if (d.isNegative()) {
                throw new IllegalArgumentException("durations must not be negative");
            }
        }
        if (resolution.isZero() || windowSpan.compareTo(resolution) < 0) {
            throw new IllegalArgumentException("resolution must be positive and at most the window span");
        }
        if (maxLateness.compareTo(windowSpan) > 0 || trendSpan.compareTo(windowSpan) > 0
                || smoothingSpan.compareTo(windowSpan) > 0 || carryForward.compareTo(windowSpan) > 0) {
            throw new IllegalArgumentException("lateness, trend, smoothing and carry-forward spans must fit in the window span");
        }
        if (acuteSpan.isZero() || acuteSpan.compareTo(Duration.ofHours(1)) > 0 || acuteHold.compareTo(acuteSpan) > 0) {
            throw new IllegalArgumentException("acute span: more than 0, at most 1 h; acute hold at most the span");
        }
        if (!(minSignalQuality >= 0 && minSignalQuality <= 1)) {
            throw new IllegalArgumentException("min signal quality is 0 to 1");
        }
        if (!(acuteGoodQuality >= minSignalQuality && acuteGoodQuality <= 1)) {
            throw new IllegalArgumentException("acute good quality: from the min signal quality to 1");
        }
        if (news2RaiseAt < 1 || news2RaiseAt > 20 || news2ClearBelow < 1 || news2ClearBelow > news2RaiseAt) {
            throw new IllegalArgumentException("NEWS2 thresholds: 1 <= clear-below <= raise-at <= 20");
        }
        if (ecgBeats < 1 || ecgBeats > 64 || ecgLowAt < 1 || ecgLowAt > ecgMediumAt || ecgMediumAt > ecgBeats) {
            throw new IllegalArgumentException("ECG counts: 1 <= low-at <= medium-at <= beats <= 64");
        }
        if (maxPatients < 1) {
            throw new IllegalArgumentException("max patients must be at least 1");
        }
    }

    /** The defaults documented on each component. */
    public static MonitoringConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Heap upper bound of all patient windows at {@link #maxPatients()}. */
    public long maxWindowBytes() {
        return maxPatients * PatientWindow.maxBytes(resolution.toMillis(), windowSpan.toMillis());
    }

    /** A new, empty window with these settings. */
    PatientWindow newWindow() {
        return new PatientWindow(resolution.toMillis(), windowSpan.toMillis(), maxLateness.toMillis());
    }

    /** Builds a configuration; every setter is optional and starts at the documented default. */
    public static final class Builder {
        private Duration resolution = Duration.ofMinutes(5);
        private Duration windowSpan = Duration.ofHours(8);
        private Duration maxLateness = Duration.ofHours(2);
        private double minSignalQuality = 0.5;
        private Duration signalLossAfter = Duration.ofMinutes(10);
        private Duration smoothingSpan = Duration.ofMinutes(90);
        private Duration carryForward = Duration.ofHours(4);
        private int news2RaiseAt = 5;
        private int news2ClearBelow = 4;
        private Duration news2Hold = Duration.ofMinutes(30);
        private Duration news2Clear = Duration.ofHours(2);
        private Duration acuteSpan = Duration.ofMinutes(15);
        private Duration acuteHold = Duration.ofMinutes(1);
        private Duration acuteClear = Duration.ofMinutes(10);
        private double acuteGoodQuality = 0.8;
        private Duration trendSpan = Duration.ofHours(6);
        private Duration trendHold = Duration.ofHours(2);
        private Duration trendClear = Duration.ofHours(2);
        private Duration anomalyHold = Duration.ofHours(1);
        private Duration anomalyClear = Duration.ofHours(2);
        private int ecgBeats = 10;
        private int ecgLowAt = 3;
        private int ecgMediumAt = 6;
        private Duration ecgClear = Duration.ofMinutes(5);
        private int maxPatients = 20_000;
        private Duration idleTimeout = Duration.ofMinutes(30);

        private Builder() {
        }

        private Builder(MonitoringConfig c) {
            resolution = c.resolution;
            windowSpan = c.windowSpan;
            maxLateness = c.maxLateness;
            minSignalQuality = c.minSignalQuality;
            signalLossAfter = c.signalLossAfter;
            smoothingSpan = c.smoothingSpan;
            carryForward = c.carryForward;
            news2RaiseAt = c.news2RaiseAt;
            news2ClearBelow = c.news2ClearBelow;
            news2Hold = c.news2Hold;
            news2Clear = c.news2Clear;
            acuteSpan = c.acuteSpan;
            acuteHold = c.acuteHold;
            acuteClear = c.acuteClear;
            acuteGoodQuality = c.acuteGoodQuality;
            trendSpan = c.trendSpan;
            trendHold = c.trendHold;
            trendClear = c.trendClear;
            anomalyHold = c.anomalyHold;
            anomalyClear = c.anomalyClear;
            ecgBeats = c.ecgBeats;
            ecgLowAt = c.ecgLowAt;
            ecgMediumAt = c.ecgMediumAt;
            ecgClear = c.ecgClear;
            maxPatients = c.maxPatients;
            idleTimeout = c.idleTimeout;
        }

        public Builder resolution(Duration v) { resolution = v; return this; }
        public Builder windowSpan(Duration v) { windowSpan = v; return this; }
        public Builder maxLateness(Duration v) { maxLateness = v; return this; }
        public Builder minSignalQuality(double v) { minSignalQuality = v; return this; }
        public Builder signalLossAfter(Duration v) { signalLossAfter = v; return this; }
        public Builder smoothingSpan(Duration v) { smoothingSpan = v; return this; }
        public Builder carryForward(Duration v) { carryForward = v; return this; }
        public Builder news2RaiseAt(int v) { news2RaiseAt = v; return this; }
        public Builder news2ClearBelow(int v) { news2ClearBelow = v; return this; }
        public Builder news2Hold(Duration v) { news2Hold = v; return this; }
        public Builder news2Clear(Duration v) { news2Clear = v; return this; }
        public Builder acuteSpan(Duration v) { acuteSpan = v; return this; }
        public Builder acuteHold(Duration v) { acuteHold = v; return this; }
        public Builder acuteClear(Duration v) { acuteClear = v; return this; }
        public Builder acuteGoodQuality(double v) { acuteGoodQuality = v; return this; }
        public Builder trendSpan(Duration v) { trendSpan = v; return this; }
        public Builder trendHold(Duration v) { trendHold = v; return this; }
        public Builder trendClear(Duration v) { trendClear = v; return this; }
        public Builder anomalyHold(Duration v) { anomalyHold = v; return this; }
        public Builder anomalyClear(Duration v) { anomalyClear = v; return this; }
        public Builder ecgBeats(int v) { ecgBeats = v; return this; }
        public Builder ecgLowAt(int v) { ecgLowAt = v; return this; }
        public Builder ecgMediumAt(int v) { ecgMediumAt = v; return this; }
        public Builder ecgClear(Duration v) { ecgClear = v; return this; }
        public Builder maxPatients(int v) { maxPatients = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }

        public MonitoringConfig build() {
            return new MonitoringConfig(resolution, windowSpan, maxLateness, minSignalQuality, signalLossAfter,
                    smoothingSpan, carryForward, news2RaiseAt, news2ClearBelow, news2Hold, news2Clear, acuteSpan, acuteHold, acuteClear, acuteGoodQuality,
                    trendSpan, trendHold, trendClear, anomalyHold, anomalyClear, ecgBeats, ecgLowAt, ecgMediumAt, ecgClear,
                    maxPatients, idleTimeout);
        }
    }
}
