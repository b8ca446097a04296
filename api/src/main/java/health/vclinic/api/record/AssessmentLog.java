package health.vclinic.api.record;

import health.vclinic.api.record.RecordStore.AssessmentRow;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageRecorder;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps every triage assessment before it is answered, by group commit: request threads queue their
 * row and wait; one writer thread takes everything queued (up to {@link #MAX_BATCH}), inserts it in one
 * transaction and releases the waiters. Under load many answers share one commit, so recording costs a
 * commit per batch, not per request.
 *
 * <p>When the database is unreachable the batch goes to the local {@link Spool} instead (forced to disk
 * before anyone is answered) and the answers say {@code recorded=false}; while the spool holds anything,
 * new batches go there directly (no connection timeout per batch), and a replay thread writes the
 * spool to the database as soon as it answers again, under the same ids. A full spool is the one case
 * where an answer is given without being kept: patient safety first, counted as lost in /metrics.
 */
public final class AssessmentLog implements TriageRecorder, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AssessmentLog.class.getName());
    /** Largest group commit. */
    static final int MAX_BATCH = 256;
    /** How often the replay thread looks for the database while the spool holds assessments. */
    static final Duration REPLAY_INTERVAL = Duration.ofMillis(250);

    private record Pending(AssessmentRow row, CompletableFuture<Boolean> done) {
    }

    private final RecordStore store;
    private final Spool spool;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(4 * MAX_BATCH);
    private final ReentrantLock spoolLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger backlog = new AtomicInteger();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    private final Thread replayer;

    /**
     * @param spoolFile where assessments wait while the database is unreachable
     * @param spoolMaxBytes the spool's bound
     */
    public AssessmentLog(RecordStore store, Path spoolFile, long spoolMaxBytes) {
        this.store = store;
        this.spool = new Spool(spoolFile, spoolMaxBytes, store.cipher());
        backlog.set(spool.entries());
        writer = Thread.ofPlatform().name("vclinic-record-writer").daemon().start(this::writeLoop);
        replayer = Thread.ofPlatform().name("vclinic-record-replay").daemon().start(this::replayLoop);
    }

    @Override
    public Receipt record(Caller caller, TriageRequest request, TriageAssessment assessment, long latencyNanos) {
        UUID id = UUID.randomUUID();
        Optional<PatientRef> patient = request.getPatientRef().isEmpty() ? Optional.empty()
                : Optional.of(new PatientRef(request.getPatientRef()));
        AssessmentRow row = new AssessmentRow(id, caller.clinic(), patient, Instant.now(), latencyNanos / 1000, request,
                assessment.toBuilder().setRecordId(id.toString()).build(), health.vclinic.api.audit.Access.current());
        Pending p = new Pending(row, new CompletableFuture<>());
        try {
            queue.put(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording", e);
        }
        return new Receipt(Optional.of(id.toString()), p.done().join());
    }

    /** Assessments answered but waiting in the spool for the database. */
    public int backlog() {
        return backlog.get();
    }

    /** Prometheus text for the record's counters and its backlog. */
    public String prometheus() {
        return "# HELP vclinic_record_backlog Assessments answered but waiting in the local spool for the database.\n"
                + "# TYPE vclinic_record_backlog gauge\nvclinic_record_backlog " + backlog.get() + "\n"
                + "# HELP vclinic_record_assessments_total Assessments kept, by how.\n"
                + "# TYPE vclinic_record_assessments_total counter\n"
                + "vclinic_record_assessments_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"spooled\"} " + spooled.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"replayed\"} " + replayed.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"lost\"} " + lost.get() + "\n";
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed.get() || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // Never leave a caller waiting: whatever failed, they are answered as not recorded.
                LOG.log(System.Logger.Level.ERROR, "record writer: " + e.getClass().getName());
                lost.addAndGet(batch.size());
                batch.forEach(p -> p.done().complete(false));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        List<AssessmentRow> rows = batch.stream().map(Pending::row).toList();
        if (backlog.get() == 0) {
            try {
                store.insertAssessments(rows);
                committed.addAndGet(rows.size());
                batch.forEach(p -> p.done().complete(true));
                return;
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "clinical record unreachable (SQLState " + e.getSQLState()
                        + "): spooling assessments locally until it returns");
            }
        }
        spoolLock.lock();
        try {
            if (spool.append(rows)) {
                spooled.addAndGet(rows.size());
                backlog.set(spool.entries());
            } else {
                lost.addAndGet(rows.size());
                LOG.log(System.Logger.Level.ERROR, "record spool full: " + rows.size()
                        + " assessments answered without being kept");
            }
        } catch (IOException e) {
            lost.addAndGet(rows.size());
            LOG.log(System.Logger.Level.ERROR, "record spool unwritable: " + e.getClass().getName());
        } finally {
            spoolLock.unlock();
        }
        batch.forEach(p -> p.done().complete(false));
    }

    private void replayLoop() {
        while (!closed.get()) {
            try {
                Thread.sleep(REPLAY_INTERVAL);
                if (backlog.get() > 0) {
                    replay();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes the spool to the database when it answers; the spool is cleared only after the commit. */
    boolean replay() {
        // Probe outside the lock: while the database is down, the writer keeps spooling meanwhile.
        if (!store.reachable()) {
            return false;
        }
        spoolLock.lock();
        try {
            List<AssessmentRow> rows = spool.readAll();
            for (int from = 0; from < rows.size(); from += MAX_BATCH) {
                store.insertAssessments(rows.subList(from, Math.min(rows.size(), from + MAX_BATCH)));
            }
            spool.clear();
            replayed.addAndGet(rows.size());
            backlog.set(0);
            LOG.log(System.Logger.Level.INFO, "clinical record back: " + rows.size() + " spooled assessments written");
            return true;
        } catch (SQLException | IOException e) {
            return false;
        } finally {
            spoolLock.unlock();
        }
    }

    /** Stops taking assessments after the queued ones are written; one last replay, best effort. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            writer.join();
            replayer.interrupt();
            replayer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (backlog.get() > 0) {
            replay();
        }
    }
}
