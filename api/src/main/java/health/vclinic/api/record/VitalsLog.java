package health.vclinic.api.record;

import health.vclinic.api.record.RecordStore.VitalWindowRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.monitoring.VitalSample;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps each monitored patient's trend: every accepted sample is summarised into its patient's minute
 * (count, sum, min and max of each {@link Vital}), written behind. The stream's thread adds the sample to the
 * open windows under a lock held for that addition alone, and never waits on the database
 * (a slow disk must not stall monitoring). One writer swaps the open windows for an empty set and writes them
 * every {@link #FLUSH_INTERVAL}, or as soon as {@link #WRITE_AT} are open, as rows that readers merge per
 * minute. Windows that meet a database that is down are held (up to {@link #MAX_HELD_WINDOWS}) and written with
 * the next ones once it returns. A sample that would open a window past {@link #MAX_OPEN_WINDOWS} while the
 * writer is still busy, whose window finds the held windows full, or that comes after the server stopped, is
 * counted as lost in /metrics: the trend has a gap, the alerts it caused are unaffected.
 */
final class VitalsLog implements AutoCloseable {

    /** How long a summary waits in memory before it is written: the trend is at most this stale. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(10);
    /**
     * Most windows open at once (per set: the one filling and the one being written), above a clinic's cap of
     * monitored patients (20,000), so that each patient's minute stays one window until the 10 s write. At
     * 8,192 windows, 20,000 patients sending every second forced a write every 0.4 s, a row per sample (1.1
     * million rows in a minute), and 7% of the samples were lost. Held as primitives ({@link TrendWindows}):
     * some 7 MB per set, allocated once.
     */
    static final int MAX_OPEN_WINDOWS = 32_768;
    /** Open windows at which the writer writes at once rather than at its next 10 s. */
    static final int WRITE_AT = MAX_OPEN_WINDOWS * 3 / 4;
    /** Most windows held while the database is down (about 200 bytes each). */
    static final int MAX_HELD_WINDOWS = 32_768;
    /**
     * Windows written per transaction. The driver keeps every row of a batch encoded until it is executed, and
     * what is alive in a young collection is what it copies while the alerts wait.
     */
    static final int WRITE_CHUNK = 1_024;

    private final RecordStore store;
    private final Object lock = new Object();
    /** Where the streams add samples; guarded by {@link #lock}. */
    private TrendWindows filling = new TrendWindows(MAX_OPEN_WINDOWS);
    /** The set the writer writes, then clears (the writer's alone). */
    private TrendWindows writing = new TrendWindows(MAX_OPEN_WINDOWS);
    /** Guarded by {@link #lock}: no sample is added once set. */
    private boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Queue<CompletableFuture<Void>> flushes = new ConcurrentLinkedQueue<>();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    /** Windows the database could not take yet, with their sample counts (the writer's alone). */
    private final List<VitalWindowRow> held = new ArrayList<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final Thread writer;

    VitalsLog(RecordStore store) {
        this.store = store;
        writer = Thread.ofPlatform().name("vclinic-record-vitals").daemon().start(this::writeLoop);
    }

    /** Adds one accepted sample of {@code clinic} to its window; never waits on the database. */
    void record(ClinicId clinic, VitalSample sample) {
        boolean full;
        synchronized (lock) {
            if (closed || !filling.add(clinic, sample)) {
                lost.incrementAndGet();
                return;
            }
            full = filling.size() == WRITE_AT;
        }
        if (full) {
            LockSupport.unpark(writer);
        }
    }

    /** Writes every sample recorded so far, summarised, before returning (erasure, shutdown, tests). */
    void flush() throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        flushes.add(done);
        LockSupport.unpark(writer);
        while (true) {
            try {
                done.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (java.util.concurrent.TimeoutException e) {
                if (!writer.isAlive()) {
                    // It wrote everything before it stopped (close), or nothing more can be written.
                    return;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("the vitals writer failed", e.getCause());
            }
        }
    }

    ClinicalRecord.Kept kept() {
        return new ClinicalRecord.Kept(committed.get(), lost.get());
    }

    String prometheus() {
        return "# HELP vclinic_record_vital_samples_total Accepted vital-sign samples kept in trend windows, or lost"
                + " (writer behind, database down).\n"
                + "# TYPE vclinic_record_vital_samples_total counter\n"
                + "vclinic_record_vital_samples_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_vital_samples_total{outcome=\"lost\"} " + lost.get() + "\n"
                + "# HELP vclinic_record_vital_windows_held Trend windows held while the database is down.\n"
                + "# TYPE vclinic_record_vital_windows_held gauge\n"
                + "vclinic_record_vital_windows_held " + heldCount.get() + "\n";
    }

    private void writeLoop() {
        long nextWrite = System.nanoTime() + FLUSH_INTERVAL.toNanos();
        while (true) {
            boolean stopping = closing.get();
            if (!stopping && flushes.isEmpty()) {
                long wait = nextWrite - System.nanoTime();
                if (wait > 0 && fillingSize() < WRITE_AT) {
                    LockSupport.parkNanos(this, wait);
                    continue;
                }
            }
            // Every flush taken here waited for samples recorded before it was asked, all in the set swapped below.
            List<CompletableFuture<Void>> answered = new ArrayList<>();
            for (CompletableFuture<Void> f = flushes.poll(); f != null; f = flushes.poll()) {
                answered.add(f);
            }
            TrendWindows full;
            synchronized (lock) {
                closed = stopping;
                full = filling;
                filling = writing;
            }
            writing = full;
            nextWrite = System.nanoTime() + FLUSH_INTERVAL.toNanos();
            write(full);
            full.clear();
            if (stopping) {
                // Whatever the database still could not take is lost now.
                held.forEach(r -> lost.addAndGet(r.samples()));
                held.clear();
                heldCount.set(0);
                // A flush that raced with close: everything it waited for was written just above.
                for (CompletableFuture<Void> f = flushes.poll(); f != null; f = flushes.poll()) {
                    answered.add(f);
                }
                answered.forEach(f -> f.complete(null));
                return;
            }
            answered.forEach(f -> f.complete(null));
        }
    }

    private int fillingSize() {
        synchronized (lock) {
            return filling.size();
        }
    }

    private void write(TrendWindows windows) {
        if (windows.size() == 0 && held.isEmpty()) {
            return;
        }
        // Held windows keep their ids: a write that committed before its answer was lost is not doubled.
        List<VitalWindowRow> retry = new ArrayList<>(held);
        held.clear();
        boolean down = false;
        for (int i = 0; i < retry.size(); i += WRITE_CHUNK) {
            down = writeChunk(retry.subList(i, Math.min(retry.size(), i + WRITE_CHUNK)), down);
        }
        for (int from = 0; from < windows.size(); from += WRITE_CHUNK) {
            List<VitalWindowRow> chunk = new ArrayList<>(WRITE_CHUNK);
            for (int e = from; e < Math.min(windows.size(), from + WRITE_CHUNK); e++) {
                chunk.add(windows.row(e));
            }
            down = writeChunk(chunk, down);
        }
        heldCount.set(held.size());
    }

    /**
     * Writes one chunk of windows in its own transaction, or holds it once the database has failed in this
     * write ({@code down}); returns whether the database is down.
     */
    private boolean writeChunk(List<VitalWindowRow> rows, boolean down) {
        if (!down) {
            try {
                store.insertVitalWindows(rows);
                rows.forEach(r -> committed.addAndGet(r.samples()));
                return false;
            } catch (SQLException e) {
                // Held below, with the rest of this write.
            } catch (RuntimeException e) {
                rows.forEach(r -> lost.addAndGet(r.samples()));
                return false;
            }
        }
        for (VitalWindowRow r : rows) {
            if (held.size() < MAX_HELD_WINDOWS) {
                held.add(r);
            } else {
                lost.addAndGet(r.samples());
            }
        }
        return true;
    }

    /** Writes what is open and stops the writer; samples recorded from now on are lost. */
    @Override
    public void close() {
        closing.set(true);
        LockSupport.unpark(writer);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
