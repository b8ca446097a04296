package health.vclinic.inference.monitoring;

import health.vclinic.datasets.monitoring.VitalSample;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Remote monitoring: per-patient windows, the detectors, and the alerts they lead to.
 *
 * <p>For every sample: the patient's {@link PatientWindow} takes it (or ignores it as a duplicate or
 * too late); {@link SignalQualityDetector} gates it (a poor signal is not analysed); then each
 * detector evaluates the patient, and the engine turns findings into alert state changes with
 * <b>one open alert per patient and kind</b>: a finding with no open alert RAISES one; a finding whose
 * severity or topic differs from the open alert UPDATES it; no finding RESOLVES it. Nothing else is
 * sent, so a condition that persists for hours is one alert, not one per sample.
 *
 * <p><b>Bounded memory:</b> at most {@link MonitoringConfig#maxPatients()} patients are held, each in
 * a window of bounded size. A patient silent for {@link MonitoringConfig#idleTimeout()} is evicted and
 * any alert still open is resolved with the reason, delivered to the last sender's {@link AlertSink}.
 * Silence is measured on two clocks: the server's wall clock, where only a sample newer than the
 * patient's newest counts as a sign of life (so re-sending old readings cannot keep a patient alive),
 * checked by {@link #evictIdle()} (the service calls it periodically, and the engine itself when it is
 * full); and the devices' clock of the patient's stream, the newest sample time of any patient on that
 * sink, checked as that clock advances, so that in a replay (device time faster than the wall clock) a
 * silent patient's open alert resolves at the same device time as it would live. A device whose clock
 * runs ahead cannot drag its stream's clock along (and evict the others on it): the stream's clock never
 * passes the server's wall clock by more than {@link #MAX_DEVICE_CLOCK_LEAD}. A new patient beyond the
 * limit is {@link Disposition#REFUSED}, never silently
 * dropped: callers tell the sender with {@link #notMonitoredNotice}.
 *
 * <p>Thread-safe: patients are independent and each is evaluated under its own lock, so samples for
 * different patients proceed in parallel and those for one patient in order.
 */
public final class MonitoringEngine {

    /** What happened to a sample. */
    public enum Disposition {
        /** Analysed. */
        ACCEPTED,
        /** Taken, but its signal was too poor to analyse (only signal-quality gating saw it). */
        POOR_SIGNAL,
        /** The same device and instant as a recent sample: ignored. */
        DUPLICATE,
        /** Older than the patient's newest sample by more than the allowed lateness: ignored. */
        LATE,
        /** A new patient while the engine monitors its maximum: not monitored. */
        REFUSED
    }

    /**
     * The result of one sample.
     *
     * @param disposition what happened to the sample
     * @param alerts the alert state changes it caused, in detector order
     */
    public record Outcome(Disposition disposition, List<AlertEvent> alerts) {
        public Outcome {
            Objects.requireNonNull(disposition, "disposition");
            alerts = List.copyOf(alerts);
        }
    }

    /**
     * The sender of a patient's samples, as the engine remembers it: where alerts that no sample caused
     * (eviction) go, and whether the alerts it received may have been lost. Must not block.
     */
    @FunctionalInterface
    public interface AlertSink {
        /** A sink that drops notices: for callers with nobody to tell (batch evaluation). */
        AlertSink NONE = alert -> { };

        void deliver(AlertEvent alert);

        /**
         * False once the sender is gone (its stream ended). When the patient's next sample comes from
         * another sink, the engine sends that sink the patient's open alerts again, so an alert raised
         * on a stream that broke is not lost.
         */
        default boolean open() {
            return true;
        }
    }

    /**
     * Counters since start.
     *
     * @param patients monitored now
     */
    public record Stats(int patients, long accepted, long poorSignal, long duplicates, long late, long refused,
                        long evicted, long raised, long updated, long resolved) {
    }

    /**
     * How far ahead of the server's wall clock a stream's device clock may run: a device set to the
     * wrong day or time zone moves its stream's clock no further than this. Its own samples are still
     * analysed on its own time.
     */
    public static final java.time.Duration MAX_DEVICE_CLOCK_LEAD = java.time.Duration.ofMinutes(5);

    private static final Outcome DUPLICATE = new Outcome(Disposition.DUPLICATE, List.of());
    private static final Outcome LATE = new Outcome(Disposition.LATE, List.of());
    private static final Outcome REFUSED = new Outcome(Disposition.REFUSED, List.of());
    private static final Outcome ACCEPTED_QUIET = new Outcome(Disposition.ACCEPTED, List.of());
    private static final Outcome POOR_QUIET = new Outcome(Disposition.POOR_SIGNAL, List.of());

    private final MonitoringConfig config;
    private final List<Detector<Object>> detectors;
    private final SignalQualityDetector gate = new SignalQualityDetector();
    private final LongSupplier nanoClock;
    private final long idleNanos;
    private final long sweepEveryNanos;
    /** The wall clock (epoch ms) when {@link #nanoClock} read {@link #nanoAtStart}: the wall clock follows the nano clock. */
    private final long wallAtStart = System.currentTimeMillis();
    private final long nanoAtStart;

    private final ConcurrentHashMap<String, PatientState> patients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<AlertSink, StreamClock> clocks = new ConcurrentHashMap<>();
    private final long deviceSweepEveryMillis;
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);
    private final LongAdder accepted = new LongAdder();
    private final LongAdder poorSignal = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder raised = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder resolved = new LongAdder();

    /** One patient: the window, each detector's state and open alert, and who to tell on eviction. */
    private static final class PatientState {
        final String ref;
        final PatientWindow window;
        final Object[] states;
        final OpenAlert[] open;
        long lastSeenNanos;
        AlertSink sink = AlertSink.NONE;
        StreamClock clock;
        /** The stream's device clock just after this patient's last new sample. */
        long lifeMark;
        boolean evicted;

        PatientState(String ref, PatientWindow window, int detectors) {
            this.ref = ref;
            this.window = window;
            this.states = new Object[detectors];
            this.open = new OpenAlert[detectors];
        }
    }

    /**
     * The devices' clock of one sender (stream): the newest sample time of any of its patients, and the
     * patients it carries, so a device-time sweep looks only at them.
     */
    private static final class StreamClock {
        final AlertSink sink;
        final AtomicLong newest = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
        final java.util.Set<PatientState> patients = ConcurrentHashMap.newKeySet();

        StreamClock(AlertSink sink) {
            this.sink = sink;
        }
    }

    private static final class OpenAlert {
        final String id;
        final Instant raisedAt;
        AlertSeverity severity;
        String topic;
        Finding last;

        OpenAlert(String id, Instant raisedAt, Finding finding) {
            this.id = id;
            this.raisedAt = raisedAt;
            this.severity = finding.severity();
            this.topic = finding.topic();
            this.last = finding;
        }
    }

    @SuppressWarnings("unchecked")
    private MonitoringEngine(MonitoringConfig config, List<Detector<?>> detectors, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        List<Detector<Object>> all = new ArrayList<>();
        all.add((Detector<Object>) (Detector<?>) gate);
        for (Detector<?> d : detectors) {
            all.add((Detector<Object>) d);
        }
        this.detectors = List.copyOf(all);
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.nanoAtStart = nanoClock.getAsLong();
        this.idleNanos = config.idleTimeout().toNanos();
        this.sweepEveryNanos = Math.max(1_000_000_000L, idleNanos / 10);
        // A silent patient's alert resolves at most this much device time after its deadline.
        this.deviceSweepEveryMillis = Math.max(1, Math.min(60_000L, config.idleTimeout().toMillis() / 10));
    }

    /**
     * An engine with the given detectors (evaluated in this order, after signal-quality gating).
     *
     * @param nanoClock wall clock for idle eviction, {@link System#nanoTime} in production
     */
    public static MonitoringEngine create(MonitoringConfig config, List<Detector<?>> detectors, LongSupplier nanoClock) {
        return new MonitoringEngine(config, detectors, nanoClock);
    }

    /**
     * The standard detectors, each with its persistence and hysteresis from {@code config}: NEWS2 (its
     * smoothed and acute paths, {@link News2Monitor}) and trends always; the isolation forest and the ECG beat model when given.
     */
    public static List<Detector<?>> standardDetectors(MonitoringConfig config, Optional<AnomalyForest> forest,
                                                      Optional<BeatClassifier> beats) {
        List<Detector<?>> d = new ArrayList<>();
        d.add(News2Monitor.of(config));
        d.add(Persistent.of(new TrendDetector(), config.trendHold(), config.trendClear()));
        forest.ifPresent(f -> {
            AnomalyDetector detector = new AnomalyDetector(f);
            detector.check(config);
            d.add(Persistent.of(detector, config.anomalyHold(), config.anomalyClear()));
        });
        beats.ifPresent(b -> d.add(Persistent.of(new EcgBeatDetector(b, config), java.time.Duration.ZERO, config.ecgClear())));
        return List.copyOf(d);
    }

    public MonitoringConfig config() {
        return config;
    }

    /** Names and versions of the detectors, in evaluation order (gating first). */
    public List<String> detectorIds() {
        return detectors.stream().map(d -> d.name() + "@" + d.version()).toList();
    }

    /** {@link #accept(VitalSample, AlertSink)} with nobody to tell about evictions. */
    public Outcome accept(VitalSample sample) {
        return accept(sample, AlertSink.NONE);
    }

    /**
     * Takes one sample and returns the alert state changes it caused.
     *
     * @param sink where to deliver alerts about this patient that no sample causes (eviction); the
     *     latest sender's sink wins
     */
    public Outcome accept(VitalSample sample, AlertSink sink) {
        for (;;) {
            PatientState state = admit(sample.patientRef());
            if (state == null) {
                refused.increment();
                return REFUSED;
            }
            Outcome outcome;
            StreamClock clock;
            synchronized (state) {
                if (state.evicted) {
                    continue;
                }
                long before = state.window.newestMillis();
                List<AlertEvent> resent = state.sink != sink && !state.sink.open() ? resend(state, sample) : List.of();
                if (state.sink != sink || (state.clock == null) != (sink == AlertSink.NONE)) {
                    moveTo(state, sink);
                }
                if (state.sink != sink) {
                    // Only when it changes (here and in the detectors' states): a reference stored into a patient's
                    // long-lived state dirties a card that the next young collection scans. With 19,000 patients
                    // sending every second, those stores took 8-12 ms of each pause.
                    state.sink = sink;
                }
                clock = state.clock;
                outcome = evaluate(state, sample);
                long after = state.window.newestMillis();
                if (after == before) {
                    // Nothing newer than what the patient already sent: no sign of life on either clock.
                    return withResent(resent, outcome);
                }
                state.lastSeenNanos = nanoClock.getAsLong();
                if (clock != null) {
                    long latest = Math.min(after, wallMillis() + MAX_DEVICE_CLOCK_LEAD.toMillis());
                    state.lifeMark = clock.newest.accumulateAndGet(latest, Math::max);
                }
                outcome = withResent(resent, outcome);
            }
            if (clock != null) {
                sweepDeviceIdle(clock);
            }
            return outcome;
        }
    }

    private static Outcome withResent(List<AlertEvent> resent, Outcome outcome) {
        if (resent.isEmpty()) {
            return outcome;
        }
        List<AlertEvent> all = new ArrayList<>(resent);
        all.addAll(outcome.alerts());
        return new Outcome(outcome.disposition(), all);
    }

    /** The server's wall clock in epoch ms, read through the engine's nano clock so that tests can move it. */
    private long wallMillis() {
        return wallAtStart + (nanoClock.getAsLong() - nanoAtStart) / 1_000_000;
    }

    /**
     * Puts the patient on its sender's device clock (a patient belongs to the stream that sent last).
     * {@link AlertSink#NONE} is no stream (batch callers on many threads share it): no device clock.
     */
    private void moveTo(PatientState state, AlertSink sink) {
        if (state.clock != null) {
            state.clock.patients.remove(state);
            state.clock = null;
        }
        if (sink != AlertSink.NONE) {
            StreamClock clock = clocks.computeIfAbsent(sink, StreamClock::new);
            clock.patients.add(state);
            state.clock = clock;
        }
    }

    /**
     * When the stream's device clock has moved on by {@link #deviceSweepEveryMillis} since the last look,
     * evicts its patients that sent nothing new while it advanced by the idle timeout (a patient whose
     * own readings lag the stream's, a phone uploading a buffer, is alive as long as they advance). Runs
     * outside any patient's lock.
     */
    private void sweepDeviceIdle(StreamClock clock) {
        long now = clock.newest.get();
        long due = clock.nextSweep.get();
        if (now < due || !clock.nextSweep.compareAndSet(due, now + deviceSweepEveryMillis)) {
            return;
        }
        long idle = config.idleTimeout().toMillis();
        for (PatientState state : clock.patients) {
            evict(state, s -> s.clock == clock && now - s.lifeMark > idle);
        }
    }

    private Outcome evaluate(PatientState state, VitalSample sample) {
        boolean poor = sample.poorSignal(config.minSignalQuality());
        PatientWindow.Admission admission = state.window.add(sample, !poor);
        if (admission == PatientWindow.Admission.DUPLICATE) {
            duplicates.increment();
            return DUPLICATE;
        }
        if (admission == PatientWindow.Admission.LATE) {
            late.increment();
            return LATE;
        }
        (poor ? poorSignal : accepted).increment();
        Evaluation evaluation = new Evaluation(sample, state.window, config);
        List<AlertEvent> out = null;
        int n = poor ? 1 : detectors.size();
        for (int i = 0; i < n; i++) {
            out = apply(state, i, evaluation, out);
        }
        if (out == null) {
            return poor ? POOR_QUIET : ACCEPTED_QUIET;
        }
        return new Outcome(poor ? Disposition.POOR_SIGNAL : Disposition.ACCEPTED, out);
    }

    private List<AlertEvent> apply(PatientState state, int i, Evaluation evaluation, List<AlertEvent> out) {
        Detector<Object> d = detectors.get(i);
        Object s = state.states[i];
        if (s == null) {
            s = d.newState();
            state.states[i] = s;
        }
        Optional<Finding> found = d.evaluate(evaluation, s);
        OpenAlert open = state.open[i];
        Instant sampleTime = evaluation.sample().timestamp();
        if (found.isPresent()) {
            Finding f = found.get();
            if (open == null) {
                Instant raisedAt = evaluation.now();
                open = new OpenAlert(alertId(state.ref, d.kind(), raisedAt), raisedAt, f);
                state.open[i] = open;
                raised.increment();
                return add(out, event(state.ref, open, AlertState.RAISED, f.severity(), d, f.reason(), f.evidence(), sampleTime,
                        pages(d, f.severity())));
            }
            open.last = f;
            if (open.severity != f.severity() || !open.topic.equals(f.topic())) {
                boolean escalation = f.severity().compareTo(open.severity) > 0;
                open.severity = f.severity();
                open.topic = f.topic();
                updated.increment();
                return add(out, event(state.ref, open, AlertState.UPDATED, f.severity(), d, f.reason(), f.evidence(), sampleTime,
                        escalation && pages(d, f.severity())));
            }
            return out;
        }
        if (open == null) {
            return out;
        }
        state.open[i] = null;
        resolved.increment();
        String reason = "Resolved: " + d.resolvedReason(evaluation, s);
        return add(out, event(state.ref, open, AlertState.RESOLVED, open.severity, d, reason,
                d.resolvedEvidence(evaluation, s), sampleTime, false));
    }

    /** The patient's open alerts again, for a new sender after the previous one went away. */
    private List<AlertEvent> resend(PatientState state, VitalSample sample) {
        List<AlertEvent> out = new ArrayList<>();
        for (int i = 0; i < state.open.length; i++) {
            OpenAlert open = state.open[i];
            if (open != null) {
                updated.increment();
                out.add(event(state.ref, open, AlertState.UPDATED, open.severity, detectors.get(i),
                        "Sent again: the stream that received this alert has ended. " + open.last.reason(),
                        open.last.evidence(), sample.timestamp(), pages(detectors.get(i), open.severity)));
            }
        }
        return out;
    }

    private static List<AlertEvent> add(List<AlertEvent> out, AlertEvent e) {
        List<AlertEvent> list = out == null ? new ArrayList<>(2) : out;
        list.add(e);
        return list;
    }

    private static AlertEvent event(String ref, OpenAlert open, AlertState state, AlertSeverity severity, Detector<?> d,
                                    String reason, Evidence evidence, Instant sampleTime, boolean pages) {
        return new AlertEvent(open.id, ref, state, severity, d.kind(), reason, evidence, d.name(), d.version(),
                open.raisedAt, sampleTime, pages);
    }

    private static boolean pages(Detector<?> d, AlertSeverity severity) {
        return severity.pages() && !d.kind().technical();
    }

    /** Stable alert id: the same patient, kind and raising time always give the same id. */
    static String alertId(String patientRef, AlertKind kind, Instant raisedAt) {
        return UUID.nameUUIDFromBytes((patientRef + "\n" + kind + "\n" + raisedAt.toEpochMilli())
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ------------------------------------------------------------------ capacity and eviction

    /** The patient's state, admitting a new patient when there is room; null when full. */
    private PatientState admit(String ref) {
        PatientState state = patients.get(ref);
        if (state != null) {
            return state;
        }
        if (!reserve()) {
            maybeSweep();
            if (!reserve()) {
                return null;
            }
        }
        PatientState fresh = new PatientState(ref, config.newWindow(), detectors.size());
        fresh.lastSeenNanos = nanoClock.getAsLong();
        PatientState previous = patients.putIfAbsent(ref, fresh);
        if (previous != null) {
            count.decrementAndGet();
            return previous;
        }
        return fresh;
    }

    private boolean reserve() {
        for (;;) {
            int c = count.get();
            if (c >= config.maxPatients()) {
                return false;
            }
            if (count.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    /** At capacity, a sweep at most every second (or a tenth of the idle timeout): refusals stay cheap. */
    private void maybeSweep() {
        long now = nanoClock.getAsLong();
        long last = lastSweep.get();
        if ((last == Long.MIN_VALUE || now - last >= sweepEveryNanos) && lastSweep.compareAndSet(last, now)) {
            evictIdle();
        }
    }

    /**
     * Forgets every patient silent for longer than {@link MonitoringConfig#idleTimeout()}. Each alert
     * still open is resolved with the reason and delivered to the patient's last sink.
     *
     * @return the resolutions delivered
     */
    public List<AlertEvent> evictIdle() {
        long now = nanoClock.getAsLong();
        List<AlertEvent> notices = new ArrayList<>();
        for (PatientState state : patients.values()) {
            notices.addAll(evict(state, s -> now - s.lastSeenNanos > idleNanos));
        }
        clocks.values().removeIf(c -> c.patients.isEmpty() && !c.sink.open());
        return notices;
    }

    /** Evicts the patient when {@code silent} says so (under its lock), delivering its resolutions to its sink. */
    private List<AlertEvent> evict(PatientState state, java.util.function.Predicate<PatientState> silent) {
        List<AlertEvent> mine = null;
        AlertSink sink;
        synchronized (state) {
            if (state.evicted || !silent.test(state)) {
                return List.of();
            }
            state.evicted = true;
            patients.remove(state.ref, state);
            if (state.clock != null) {
                state.clock.patients.remove(state);
            }
            count.decrementAndGet();
            evicted.increment();
            sink = state.sink;
            for (int i = 0; i < state.open.length; i++) {
                OpenAlert open = state.open[i];
                if (open == null) {
                    continue;
                }
                Detector<Object> d = detectors.get(i);
                resolved.increment();
                Instant last = Instant.ofEpochMilli(state.window.newestMillis());
                String reason = "Resolved unreviewed: monitoring stopped, no samples for "
                        + Persistent.words(config.idleTimeout().toMillis())
                        + " while this alert was open; check the device and the patient. Last finding: "
                        + open.last.reason();
                mine = add(mine, event(state.ref, open, AlertState.RESOLVED, open.severity, d, reason,
                        open.last.evidence(), last, false));
            }
        }
        if (mine == null) {
            return List.of();
        }
        mine.forEach(sink::deliver);
        return mine;
    }

    /**
     * Erases a patient from memory (the right to erasure, GDPR art. 17): the window, the trends and every
     * open alert go, without a resolution being sent (nothing of the patient may be produced after the
     * erasure). A later sample starts a new patient.
     *
     * @return true when the patient was held
     */
    public boolean forget(String patientRef) {
        PatientState state = patients.get(patientRef);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            if (state.evicted) {
                return false;
            }
            state.evicted = true;
            patients.remove(state.ref, state);
            count.decrementAndGet();
        }
        return true;
    }

    /**
     * The notice for a {@link Disposition#REFUSED} sample: a technical NOT_MONITORED alert telling the
     * sender that this patient is not being analysed and why.
     */
    public AlertEvent notMonitoredNotice(VitalSample sample) {
        Instant t = sample.timestamp();
        Evidence evidence = Evidence.of(List.of(Measurement.of("max_patients", config.maxPatients(), "")), t, t, 1);
        return new AlertEvent(alertId(sample.patientRef(), AlertKind.NOT_MONITORED, t), sample.patientRef(),
                AlertState.RAISED, AlertSeverity.INFO, AlertKind.NOT_MONITORED,
                "Not monitored: the service is at its limit of " + config.maxPatients() + " patients, so this"
                        + " patient's samples are not analysed; raise the limit or add capacity. Technical notice",
                evidence, "capacity", "engine-1", t, t, false);
    }

    /** Patients held now. */
    public int patients() {
        return count.get();
    }

    public Stats stats() {
        return new Stats(count.get(), accepted.sum(), poorSignal.sum(), duplicates.sum(), late.sum(), refused.sum(),
                evicted.sum(), raised.sum(), updated.sum(), resolved.sum());
    }
}
