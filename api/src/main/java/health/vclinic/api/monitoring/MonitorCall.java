package health.vclinic.api.monitoring;

import health.vclinic.api.server.Errors;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.monitoring.AlertEvent;
import health.vclinic.inference.monitoring.MonitoringEngine;
import health.vclinic.api.server.ClinicId;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code Monitor} stream: samples in on the stream's own thread, alerts out on a sender thread
 * through a bounded {@link AlertOutbox}.
 *
 * <p><b>Flow control on Helidon 4.5.</b> Helidon hands this stream's messages to {@link #onMessage} on
 * the stream's thread and widens the client's HTTP/2 window as it takes each frame, so the only way to
 * slow a producer is to take longer in {@code onMessage}: when the outbox is full, {@code onMessage}
 * waits for the sender, the window closes and a client that sends when the call is ready pauses.
 * Withholding {@code request(n)} instead does not work there: Helidon keeps parsing into an unbounded
 * queue, and its request counter goes negative, after which the stream never resumes. So every
 * message is requested, and waiting is bounded by {@link StreamLimits#stallTimeout()}: Helidon reads a
 * connection on one thread, so once 32 frames of this stream are waiting the whole connection stops
 * being read, including the client's window updates that would let the sender go on. A reader that
 * does not catch up within the stall timeout therefore gets RESOURCE_EXHAUSTED, after every alert that
 * was queued, with the counts of what was not analysed or not sent, instead of a connection that
 * hangs.
 *
 * <p>Only the sender thread writes to the call ({@code sendMessage}, {@code close}); Helidon's call is
 * not safe for concurrent writes. {@link #onCancel} may come from the connection's thread at any time.
 */
public final class MonitorCall extends ServerCall.Listener<VitalSample> implements MonitoringEngine.AlertSink {

    private static final System.Logger LOG = System.getLogger(MonitorCall.class.getName());

    public static final Metadata.Key<String> SAMPLES_ACCEPTED = key("vclinic-samples-accepted");
    public static final Metadata.Key<String> SAMPLES_POOR_SIGNAL = key("vclinic-samples-poor-signal");
    static final Metadata.Key<String> SAMPLES_DUPLICATE = key("vclinic-samples-duplicate");
    static final Metadata.Key<String> SAMPLES_LATE = key("vclinic-samples-late");
    static final Metadata.Key<String> SAMPLES_REFUSED = key("vclinic-samples-refused");
    static final Metadata.Key<String> SAMPLES_NOT_ANALYSED = key("vclinic-samples-not-analysed");
    static final Metadata.Key<String> ALERTS_SENT = key("vclinic-alerts-sent");
    static final Metadata.Key<String> ALERTS_SUPERSEDED = key("vclinic-alerts-superseded");
    static final Metadata.Key<String> ALERTS_UNDELIVERED = key("vclinic-alerts-undelivered");

    private final ServerCall<VitalSample, Alert> call;
    private final MonitoringEngine engine;
    private final StreamLimits limits;
    private final AlertOutbox outbox;
    private final AlertRecorder recorder;
    private final ClinicId clinic;
    private final VitalsRecorder vitals;
    private final Map<String, Boolean> noticed;

    private volatile boolean cancelled;
    private volatile Status ending;

    // Written by the stream's thread only; read by the sender after the stream ends.
    private volatile long samples;
    private volatile long accepted;
    private volatile long poorSignal;
    private volatile long duplicates;
    private volatile long late;
    private volatile long refused;
    private volatile long notAnalysed;
    private final AtomicLong undelivered = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private boolean headersSent;

    private MonitorCall(ServerCall<VitalSample, Alert> call, MonitoringEngine engine, ClinicId clinic,
                        StreamLimits limits, AlertRecorder recorder, VitalsRecorder vitals) {
        this.clinic = clinic;
        this.call = call;
        this.recorder = recorder;
        this.vitals = vitals;
        this.engine = engine;
        this.limits = limits;
        this.outbox = new AlertOutbox(limits.outboxCapacity());
        int memory = limits.noticeMemory();
        this.noticed = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > memory;
            }
        };
    }

    /** Starts a stream: its sender thread, and the first request for a sample. */
    static MonitorCall start(ServerCall<VitalSample, Alert> call, MonitoringEngine engine, ClinicId clinic,
                             StreamLimits limits, AlertRecorder recorder, VitalsRecorder vitals) {
        MonitorCall c = new MonitorCall(call, engine, clinic, limits, recorder, vitals);
        Thread.ofVirtual().name("monitor-sender").start(c::sendLoop);
        call.request(1);
        return c;
    }

    @Override
    public void onMessage(VitalSample message) {
        try {
            if (ending != null || cancelled) {
                notAnalysed++;
                return;
            }
            samples++;
            process(message);
        } finally {
            call.request(1);
        }
    }

    private void process(VitalSample message) {
        health.vclinic.datasets.monitoring.VitalSample sample;
        try {
            sample = MonitoringMapper.toDomain(message);
        } catch (InvalidInputException e) {
            end(Status.INVALID_ARGUMENT.withDescription("sample " + samples + " of this stream: " + e.getMessage()));
            return;
        }
        MonitoringEngine.Outcome outcome;
        try {
            outcome = engine.accept(sample, this);
        } catch (RuntimeException e) {
            end(Errors.grpcStatus(e));
            return;
        }
        switch (outcome.disposition()) {
            case ACCEPTED -> {
                accepted++;
                vitals.record(clinic, sample);
            }
            case POOR_SIGNAL -> poorSignal++;
            case DUPLICATE -> duplicates++;
            case LATE -> late++;
            case REFUSED -> {
                refused++;
                if (noticed.put(sample.patientRef(), Boolean.TRUE) == null) {
                    enqueue(MonitoringMapper.toProto(engine.notMonitoredNotice(sample)));
                }
            }
        }
        // Indexed: most samples raise nothing, and an iterator over the empty list is still an allocation.
        List<AlertEvent> alerts = outcome.alerts();
        for (int i = 0; i < alerts.size(); i++) {
            enqueue(MonitoringMapper.toProto(alerts.get(i)));
        }
    }

    /** Queues an alert; when the reader does not make room within the stall timeout, gives up on the stream. */
    private void enqueue(Alert alert) {
        // Recorded whether or not this stream's reader takes it: the record is not the stream.
        recorder.record(clinic, alert);
        if (ending != null) {
            undelivered.incrementAndGet();
            return;
        }
        boolean queued;
        try {
            queued = outbox.put(alert, limits.stallTimeout().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queued = false;
        }
        if (!queued) {
            undelivered.incrementAndGet();
            if (!cancelled) {
                end(Status.RESOURCE_EXHAUSTED.withDescription("the alert reader did not keep up: " + outbox.size()
                        + " alerts waited for more than " + limits.stallTimeout().toMillis() + " ms; the queued alerts"
                        + " were sent, then the stream stopped (see the vclinic-samples-not-analysed and"
                        + " vclinic-alerts-undelivered trailers). Open alerts are sent again on the next stream"));
            }
        }
    }

    /** Eviction notices from the engine: never block the engine, count what does not fit. */
    @Override
    public void deliver(AlertEvent alert) {
        Alert proto = MonitoringMapper.toProto(alert);
        recorder.record(clinic, proto);
        if (ending != null || cancelled || !outbox.offer(proto)) {
            undelivered.incrementAndGet();
        }
    }

    @Override
    public boolean open() {
        return ending == null && !cancelled;
    }

    @Override
    public void onHalfClose() {
        end(Status.OK);
    }

    @Override
    public void onCancel() {
        cancelled = true;
        outbox.close();
    }

    /** Ends the stream once the queued alerts are sent (the first reason wins). */
    private synchronized void end(Status status) {
        if (ending == null) {
            ending = status;
            outbox.wake();
        }
    }

    private void sendLoop() {
        try {
            while (!cancelled) {
                Optional<Alert> next = outbox.take(TimeUnit.MILLISECONDS.toNanos(200));
                if (next.isPresent()) {
                    send(next.get());
                } else if (ending != null && outbox.size() == 0) {
                    break;
                }
            }
            if (cancelled) {
                return;
            }
            // Closed first, then drained: an eviction notice racing with the end is sent or counted, never lost.
            outbox.close();
            for (Optional<Alert> rest = outbox.take(0); rest.isPresent(); rest = outbox.take(0)) {
                send(rest.get());
            }
            call.close(ending, trailers());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outbox.close();
        } catch (RuntimeException e) {
            // The transport failed under us: the client went away, or Helidon's wait for the client's
            // flow-control window timed out. Try to say so; the client may already be gone.
            LOG.log(Level.DEBUG, "monitor stream failed in the transport: " + e.getClass().getName());
            outbox.close();
            if (!cancelled) {
                cancelled = true;
                try {
                    call.close(Status.RESOURCE_EXHAUSTED.withDescription("alerts could not be delivered: the client"
                            + " stopped reading them"), trailers());
                } catch (RuntimeException ignored) {
                    // Nothing more can be sent on this stream.
                }
            }
        }
    }

    private void send(Alert alert) {
        if (!headersSent) {
            // Helidon does not send response headers by itself before the first message.
            call.sendHeaders(new Metadata());
            headersSent = true;
        }
        call.sendMessage(alert);
        sent.incrementAndGet();
    }

    private Metadata trailers() {
        Metadata m = new Metadata();
        m.put(SAMPLES_ACCEPTED, Long.toString(accepted));
        m.put(SAMPLES_POOR_SIGNAL, Long.toString(poorSignal));
        m.put(SAMPLES_DUPLICATE, Long.toString(duplicates));
        m.put(SAMPLES_LATE, Long.toString(late));
        m.put(SAMPLES_REFUSED, Long.toString(refused));
        m.put(SAMPLES_NOT_ANALYSED, Long.toString(notAnalysed));
        m.put(ALERTS_SENT, Long.toString(sent.get()));
        m.put(ALERTS_SUPERSEDED, Long.toString(outbox.superseded()));
        m.put(ALERTS_UNDELIVERED, Long.toString(undelivered.get()));
        return m;
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
