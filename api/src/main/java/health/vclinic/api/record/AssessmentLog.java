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
import java.util.OptionalLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps every triage assessment, written ahead then behind: the request thread appends the assessment to
 * the local {@link Journal} (sealed, numbered) and, by default, answers at once; one writer thread takes
 * everything appended (up to {@link #MAX_BATCH}) and commits it to the database in one transaction with its
 * audit entries. The answer's {@code record_id} is the id the row is committed under; a crash between the
 * answer and the commit loses nothing, because the next start writes the journal under the same ids. With
 * {@link Durability#COMMIT} the request thread instead waits for its batch's commit (a clinic that wants an
 * answer only once the database holds it, at the cost of a commit's latency per call).
 *
 * <p>Every connection to the record's database is handed out after the assessments answered before it
 * are committed ({@link #settle}, through {@link Database#dataSource}), so whoever was answered reads their
 * assessment back at once, from the record's reads, the reviews or a direct query. When the database is unreachable the writer keeps its
 * batch, forces the journal to disk and retries every {@link #RETRY_INTERVAL}; the answers meanwhile say
 * {@code recorded=false} and {@link #backlog} counts what waits. A full journal (its bound in bytes) is the
 * one case where an answer is given without being kept: patient safety first, counted as lost in /metrics.
 *
 * <p>Durability bound, stated: an appended entry is in the operating system's page cache, so it survives a
 * crash of the service but not a power loss in the milliseconds before its commit (or before the journal is
 * forced, during an outage). {@link Durability#COMMIT} closes that window.
 */
public final class AssessmentLog implements TriageRecorder, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(AssessmentLog.class.getName());
    /** Largest group commit. */
    static final int MAX_BATCH = 256;
    /** How often the writer tries the database again while it is unreachable. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(250);
    /** The longest a read waits for the assessments answered before it to be committed. */
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(5);

    /** When an assessment is answered, relative to its commit. */
    public enum Durability {
        /** Once appended to the local journal; committed a few milliseconds behind the answer (the default). */
        JOURNAL,
        /** Once committed to the database. */
        COMMIT
    }

    private record Pending(Journal.Entry entry, Optional<CompletableFuture<Boolean>> done, boolean recovered) {
    }

    private final RecordStore store;
    private final Journal journal;
    private final Durability durability;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object progress = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong backlogUpTo = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    private volatile boolean down;
    private volatile long committedSequence;

    /**
     * @param journalDir where assessments are appended before they are answered
     * @param legacySpool the spool file of an earlier version, written to the database first when present
     * @param journalMaxBytes the journal's bound
     */
    public AssessmentLog(RecordStore store, Path journalDir, Optional<Path> legacySpool, long journalMaxBytes,
                         Durability durability) {
        this.store = store;
        this.durability = durability;
        this.journal = new Journal(journalDir, legacySpool, journalMaxBytes, new JournalCodec(store.cipher(), store::seal));
        List<Journal.Entry> back = journal.recovered();
        back.forEach(e -> queue.add(new Pending(e, Optional.empty(), true)));
        if (!back.isEmpty()) {
            backlogUpTo.set(back.getLast().sequence());
            LOG.log(System.Logger.Level.INFO, "record journal: " + back.size() + " assessments of an earlier run to write");
        }
        writer = Thread.ofPlatform().name("vclinic-record-writer").daemon().start(this::writeLoop);
    }

    @Override
    public Receipt record(Caller caller, TriageRequest request, TriageAssessment assessment, long latencyNanos) {
        if (closed.get()) {
            return new Receipt(Optional.empty(), false);
        }
        UUID id = UUID.randomUUID();
        Optional<PatientRef> patient = request.getPatientRef().isEmpty() ? Optional.empty()
                : Optional.of(new PatientRef(request.getPatientRef()));
        AssessmentRow row = new AssessmentRow(id, caller.clinic(), patient, Instant.now(), latencyNanos / 1000, request,
                assessment.toBuilder().setRecordId(id.toString()).build(), health.vclinic.api.audit.Access.current());
        Optional<CompletableFuture<Boolean>> done = durability == Durability.COMMIT
                ? Optional.of(new CompletableFuture<>()) : Optional.empty();
        OptionalLong sequence;
        try {
            sequence = journal.append(store.seal(row), e -> queue.add(new Pending(e, done, false)));
        } catch (IOException | SQLException | RuntimeException e) {
            lost.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "record journal unwritable: " + e.getClass().getName()
                    + "; an assessment was answered without being kept");
            return new Receipt(Optional.empty(), false);
        }
        if (sequence.isEmpty()) {
            lost.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "record journal full: an assessment was answered without being kept");
            return new Receipt(Optional.empty(), false);
        }
        boolean recorded;
        if (done.isPresent()) {
            recorded = done.get().join();
        } else {
            recorded = !down;
            if (!recorded) {
                backlogUpTo.accumulateAndGet(sequence.getAsLong(), Math::max);
            }
        }
        if (!recorded) {
            spooled.incrementAndGet();
        }
        return new Receipt(Optional.of(id.toString()), recorded);
    }

    /** Assessments answered while the database was unreachable (or left by an earlier run), not yet written. */
    public int backlog() {
        return (int) Math.max(0, backlogUpTo.get() - committedSequence);
    }

    /** Prometheus text for the record's counters and its backlog. */
    public String prometheus() {
        return "# HELP vclinic_record_backlog Assessments answered but waiting in the local journal for the database.\n"
                + "# TYPE vclinic_record_backlog gauge\nvclinic_record_backlog " + backlog() + "\n"
                + "# HELP vclinic_record_journal_bytes Bytes held by the local journal of assessments.\n"
                + "# TYPE vclinic_record_journal_bytes gauge\nvclinic_record_journal_bytes " + journal.bytes() + "\n"
                + "# HELP vclinic_record_assessments_total Assessments kept, by how.\n"
                + "# TYPE vclinic_record_assessments_total counter\n"
                + "vclinic_record_assessments_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"spooled\"} " + spooled.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"replayed\"} " + replayed.get() + "\n"
                + "vclinic_record_assessments_total{outcome=\"lost\"} " + lost.get() + "\n";
    }

    /**
     * Waits until every assessment answered so far is committed, so a read sees them; returns at once while
     * the database is unreachable (the read will say so), and after {@link #SETTLE_TIMEOUT} at most. Every
     * connection of {@link Database#dataSource} waits for this first.
     */
    void settle() {
        settleUpTo(journal.appended());
    }

    /**
     * Makes sure nothing answered so far stays in the journal's files: every such assessment is committed
     * and the segments holding it are deleted (an erasure calls this after deleting the patient's rows).
     */
    void dropCommittedFromJournal() {
        try {
            settleUpTo(journal.seal());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot close the record journal's segment", e);
        }
    }

    private void settleUpTo(long sequence) {
        if (committedSequence >= sequence || Thread.currentThread() == writer) {
            return;
        }
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        synchronized (progress) {
            while (committedSequence < sequence && !down && !closed.get()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                try {
                    progress.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        boolean retried = false;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    if (closed.get() && queue.isEmpty()) {
                        return;
                    }
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    retried = false;
                }
                if (write(batch, retried)) {
                    batch.clear();
                } else if (closed.get()) {
                    return; // the journal keeps the rest for the next start
                } else {
                    retried = true;
                    Thread.sleep(RETRY_INTERVAL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // Never leave a caller waiting: whatever failed, they are answered as not recorded.
                LOG.log(System.Logger.Level.ERROR, "record writer: " + e.getClass().getName());
                lost.addAndGet(batch.size());
                batch.forEach(p -> p.done().ifPresent(f -> f.complete(false)));
                batch.clear();
            }
        }
    }

    /** Commits the batch; false, keeping it, when the database cannot take it. */
    private boolean write(List<Pending> batch, boolean retried) {
        try {
            store.insertSealedAssessments(batch.stream().map(p -> p.entry().row()).toList());
        } catch (SQLException e) {
            if (!down) {
                LOG.log(System.Logger.Level.WARNING, "clinical record unreachable (SQLState " + e.getSQLState()
                        + "): assessments wait in the local journal until it returns");
            }
            backlogUpTo.accumulateAndGet(journal.appended(), Math::max);
            down = true;
            try {
                journal.force();
            } catch (IOException io) {
                LOG.log(System.Logger.Level.ERROR, "record journal cannot be forced to disk: " + io.getClass().getName());
            }
            batch.forEach(p -> p.done().ifPresent(f -> f.complete(false)));
            return false;
        }
        long last = batch.getLast().entry().sequence();
        long late = retried ? batch.size() : batch.stream().filter(Pending::recovered).count();
        replayed.addAndGet(late);
        committed.addAndGet(batch.size() - late);
        if (down) {
            down = false;
            LOG.log(System.Logger.Level.INFO, "clinical record back: writing the assessments that waited");
        }
        try {
            journal.committed(last);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "record journal cannot be trimmed: " + e.getClass().getName());
        }
        synchronized (progress) {
            committedSequence = last;
            progress.notifyAll();
        }
        batch.forEach(p -> p.done().ifPresent(f -> f.complete(true)));
        return true;
    }

    /** Stops taking assessments after the queued ones are written (or left in the journal for the next start). */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        synchronized (progress) {
            progress.notifyAll();
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
    }
}
