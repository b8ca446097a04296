package health.vclinic.api.record;

import health.vclinic.api.monitoring.AlertRecorder;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.record.RecordStore.AlertRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps monitoring alert events, written behind: the stream's thread only queues (it must never wait on
 * the database, or a slow disk would stall every patient's monitoring); one writer inserts what is queued
 * in batches. An event that finds the queue full or the database down is counted as lost in /metrics:
 * the alert itself still reaches the nurse on the stream. Each event is audited in its row's transaction, as
 * the request of the stream that produced it (taken on the stream's thread) or as the service's own.
 */
final class AlertLog implements AlertRecorder, AutoCloseable {

    private static final int MAX_BATCH = 256;

    private final RecordStore store;
    private final BlockingQueue<AlertRow> queue = new ArrayBlockingQueue<>(16 * MAX_BATCH);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;

    AlertLog(RecordStore store) {
        this.store = store;
        writer = Thread.ofPlatform().name("vclinic-record-alerts").daemon().start(this::writeLoop);
    }

    @Override
    public void record(ClinicId clinic, Alert alert) {
        Instant at = alert.hasSampleTime()
                ? Instant.ofEpochSecond(alert.getSampleTime().getSeconds(), alert.getSampleTime().getNanos())
                : Instant.now();
        if (alert.getPatientRef().isEmpty()
                || !queue.offer(new AlertRow(UUID.randomUUID(), clinic, new PatientRef(alert.getPatientRef()), at, alert,
                        health.vclinic.api.audit.Access.current()))) {
            lost.incrementAndGet();
        }
    }

    String prometheus() {
        return "# HELP vclinic_record_alert_events_total Monitoring alert events kept, or lost (queue full, database down).\n"
                + "# TYPE vclinic_record_alert_events_total counter\n"
                + "vclinic_record_alert_events_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_alert_events_total{outcome=\"lost\"} " + lost.get() + "\n";
    }

    /** Waits until everything queued so far is written or counted lost (for tests and shutdown). */
    void flush() throws InterruptedException {
        while (!queue.isEmpty()) {
            Thread.sleep(5);
        }
        synchronized (this) {
            // The writer holds this monitor while a batch is in flight.
        }
    }

    private void writeLoop() {
        List<AlertRow> batch = new ArrayList<>(MAX_BATCH);
        while (!closed.get() || !queue.isEmpty()) {
            try {
                AlertRow first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                synchronized (this) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    try {
                        store.insertAlertEvents(batch);
                        committed.addAndGet(batch.size());
                    } catch (SQLException | RuntimeException e) {
                        lost.addAndGet(batch.size());
                    } finally {
                        batch.clear();
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed.set(true);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
