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
 * in batches. While the database is down the writer holds its batch and tries again every
 * {@link #RETRY_INTERVAL} (the queue keeps taking events meanwhile), so an outage shorter than the queue
 * loses nothing; an event that finds the queue full, or is still unwritten when the server stops, is
 * counted as lost in /metrics. The alert itself always reaches the nurse on the stream. Each event is audited in its row's transaction, as
 * the request of the stream that produced it (taken on the stream's thread) or as the service's own.
 */
final class AlertLog implements AlertRecorder, AutoCloseable {

    private static final int MAX_BATCH = 256;
    /** How often the writer tries a held batch again while the database is down. */
    static final java.time.Duration RETRY_INTERVAL = java.time.Duration.ofMillis(250);

    private final RecordStore store;
    private final BlockingQueue<AlertRow> queue = new ArrayBlockingQueue<>(16 * MAX_BATCH);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
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

    ClinicalRecord.Kept kept() {
        return new ClinicalRecord.Kept(committed.get(), lost.get());
    }

    String prometheus() {
        return "# HELP vclinic_record_alert_events_total Monitoring alert events kept, or lost (queue full, database down).\n"
                + "# TYPE vclinic_record_alert_events_total counter\n"
                + "vclinic_record_alert_events_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_alert_events_total{outcome=\"lost\"} " + lost.get() + "\n"
                + "# HELP vclinic_record_alert_events_backlog Alert events waiting for the database (held while it is down).\n"
                + "# TYPE vclinic_record_alert_events_backlog gauge\n"
                + "vclinic_record_alert_events_backlog " + backlog() + "\n";
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
                        writeHolding(batch);
                    } finally {
                        batch.clear();
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes the batch, trying again while the database is down, until written or the log is closed. */
    private void writeHolding(List<AlertRow> batch) throws InterruptedException {
        try {
            while (true) {
                try {
                    store.insertAlertEvents(batch);
                    committed.addAndGet(batch.size());
                    return;
                } catch (SQLException e) {
                    if (closed.get()) {
                        lost.addAndGet(batch.size());
                        return;
                    }
                    held.set(batch.size());
                    Thread.sleep(RETRY_INTERVAL);
                } catch (RuntimeException e) {
                    // Not the database being away (a row it refuses): trying again would not help.
                    lost.addAndGet(batch.size());
                    return;
                }
            }
        } finally {
            held.set(0);
        }
    }

    /** Events queued or held for the database, not yet written. */
    int backlog() {
        return queue.size() + held.get();
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
