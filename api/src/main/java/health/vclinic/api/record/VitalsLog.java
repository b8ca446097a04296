package health.vclinic.api.record;

import health.vclinic.api.record.RecordStore.Summary;
import health.vclinic.api.record.RecordStore.VitalWindowRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.monitoring.VitalSample;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps each monitored patient's trend: every accepted sample is summarised into its patient's minute
 * (count, sum, min and max of each {@link Vital}), written behind. The stream's thread only offers the
 * sample to a bounded queue and never waits (a slow disk must not stall monitoring); one writer folds
 * what is queued into open windows and writes them every {@link #FLUSH_INTERVAL}, or sooner when
 * {@link #MAX_OPEN_WINDOWS} are open, as rows that readers merge per minute. Windows that meet a database
 * that is down are held (up to {@link #MAX_HELD_WINDOWS}) and written with the next ones once it returns.
 * A sample that finds the queue full, whose window finds the held windows full, or that is unwritten when
 * the server stops, is counted as lost in /metrics: the trend has a gap, the alerts it caused are
 * unaffected.
 */
final class VitalsLog implements AutoCloseable {

    /** How long a summary waits in memory before it is written: the trend is at most this stale. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(10);
    /**
     * Open windows beyond which the writer writes at once (bounds memory with many patients: some 400 bytes
     * each, 13 MB at most). Above a clinic's cap of monitored patients (20,000), so that each patient's minute
     * stays one window until the 10 s write: at 8,192, 20,000 patients sending every second forced a write every
     * 0.4 s, a row per sample (1.1 million rows in a minute), and 7% of the samples were lost; at 32,768 the same
     * minute made 120,000 rows and lost 0.5%. Not larger: past a clinic's load (the monitoring bench with the
     * record) what is held in memory lengthens the young collections the alerts wait for (65,536 lost nothing at
     * the cap, but its p99 alert latency at a quarter of the bench's maximum was 138 ms, against 22 ms here).
     */
    static final int MAX_OPEN_WINDOWS = 32_768;
    /** Most windows held while the database is down (about 200 bytes each). */
    static final int MAX_HELD_WINDOWS = 32_768;
    /** Samples waiting for the writer: 1.6 s of 20,000 patients sending every second (some 6 MB at most). */
    private static final int QUEUE_CAPACITY = 32_768;

    private sealed interface Item permits Sampled, Flush {
    }

    private record Sampled(ClinicId clinic, VitalSample sample) implements Item {
    }

    /** Everything queued before it is written when the writer reaches it. */
    private record Flush(CompletableFuture<Void> done) implements Item {
    }

    private record Key(ClinicId clinic, String patient, Instant minute) {
    }

    /** One window being summed; not thread-safe (the writer's alone). */
    private static final class Open {
        int samples;
        final int[] n = new int[Vital.values().length];
        final double[] sum = new double[n.length];
        final double[] min = new double[n.length];
        final double[] max = new double[n.length];

        void add(VitalSample s) {
            samples++;
            for (Vital v : Vital.values()) {
                OptionalDouble value = v.of(s.vitals());
                if (value.isPresent()) {
                    int i = v.ordinal();
                    double x = value.getAsDouble();
                    min[i] = n[i] == 0 ? x : Math.min(min[i], x);
                    max[i] = n[i] == 0 ? x : Math.max(max[i], x);
                    sum[i] += x;
                    n[i]++;
                }
            }
        }

        List<Summary> summaries() {
            List<Summary> out = new ArrayList<>(n.length);
            for (int i = 0; i < n.length; i++) {
                out.add(new Summary(n[i], sum[i], min[i], max[i]));
            }
            return out;
        }
    }

    private final RecordStore store;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Map<Key, Open> open = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    /** Windows the database could not take yet, with their sample counts (the writer's alone). */
    private final List<VitalWindowRow> held = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger heldCount = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread writer;
    private long nextWrite = System.nanoTime() + FLUSH_INTERVAL.toNanos();

    VitalsLog(RecordStore store) {
        this.store = store;
        writer = Thread.ofPlatform().name("vclinic-record-vitals").daemon().start(this::writeLoop);
    }

    /** Queues one accepted sample of {@code clinic}; never waits. */
    void record(ClinicId clinic, VitalSample sample) {
        if (closed.get() || !queue.offer(new Sampled(clinic, sample))) {
            lost.incrementAndGet();
        }
    }

    /** Writes every sample queued so far, summarised, before returning (erasure, shutdown, tests). */
    void flush() throws InterruptedException {
        Flush f = new Flush(new CompletableFuture<>());
        queue.put(f);
        while (true) {
            try {
                f.done().get(100, TimeUnit.MILLISECONDS);
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
                + " (queue full, database down).\n"
                + "# TYPE vclinic_record_vital_samples_total counter\n"
                + "vclinic_record_vital_samples_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_vital_samples_total{outcome=\"lost\"} " + lost.get() + "\n"
                + "# HELP vclinic_record_vital_windows_held Trend windows held while the database is down.\n"
                + "# TYPE vclinic_record_vital_windows_held gauge\n"
                + "vclinic_record_vital_windows_held " + heldCount.get() + "\n";
    }

    private void writeLoop() {
        List<Item> drained = new ArrayList<>();
        while (!closed.get() || !queue.isEmpty()) {
            try {
                Item first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    drained.add(first);
                    queue.drainTo(drained);
                }
            } catch (InterruptedException e) {
                break;
            }
            List<CompletableFuture<Void>> flushes = new ArrayList<>();
            for (Item item : drained) {
                switch (item) {
                    case Sampled s -> open.computeIfAbsent(new Key(s.clinic(), s.sample().patientRef(),
                            s.sample().timestamp().truncatedTo(ChronoUnit.MINUTES)), k -> new Open()).add(s.sample());
                    case Flush f -> flushes.add(f.done());
                }
            }
            drained.clear();
            if (!flushes.isEmpty() || open.size() >= MAX_OPEN_WINDOWS || System.nanoTime() - nextWrite >= 0) {
                write();
            }
            flushes.forEach(f -> f.complete(null));
        }
        write();
        // Whatever the database still could not take is lost now.
        held.forEach(r -> lost.addAndGet(r.samples()));
        held.clear();
        heldCount.set(0);
        // A flush that raced with close: everything it waited for was written just above.
        for (Item item = queue.poll(); item != null; item = queue.poll()) {
            if (item instanceof Flush f) {
                f.done().complete(null);
            }
        }
    }

    private void write() {
        nextWrite = System.nanoTime() + FLUSH_INTERVAL.toNanos();
        if (open.isEmpty() && held.isEmpty()) {
            return;
        }
        List<VitalWindowRow> rows = new ArrayList<>(held);
        for (Map.Entry<Key, Open> e : open.entrySet()) {
            Key k = e.getKey();
            rows.add(new VitalWindowRow(UUID.randomUUID(), k.clinic(), new PatientRef(k.patient()), k.minute(),
                    e.getValue().samples, e.getValue().summaries()));
        }
        open.clear();
        held.clear();
        try {
            // Held windows keep their ids: a write that committed before its answer was lost is not doubled.
            store.insertVitalWindows(rows);
            rows.forEach(r -> committed.addAndGet(r.samples()));
        } catch (SQLException e) {
            for (VitalWindowRow r : rows) {
                if (held.size() < MAX_HELD_WINDOWS) {
                    held.add(r);
                } else {
                    lost.addAndGet(r.samples());
                }
            }
        } catch (RuntimeException e) {
            rows.forEach(r -> lost.addAndGet(r.samples()));
        }
        heldCount.set(held.size());
    }

    /** Writes what is queued and stops the writer. */
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
