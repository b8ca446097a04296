package health.vclinic.api.cli;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives unary calls against a server and measures them.
 *
 * <p>Closed loop: {@code concurrency} callers, each starting its next call when the last one returns,
 * finds the maximum throughput. Open loop: calls start on a fixed schedule whatever the server does,
 * and latency is measured from the scheduled start, so a stalled server cannot hide its queueing
 * (no coordinated omission).
 */
public final class LoadGenerator {

    /**
     * Outcome of one phase. Latencies in microseconds; the collections during it and the generator's own lag
     * behind its schedule, where counted (open loop).
     */
    public record Result(String name, long calls, long errors, double seconds, double p50Micros, double p99Micros,
                         double maxMicros, GcPauses gc, SendLag lag) {
        public double throughput() {
            return calls / seconds;
        }
    }

    /**
     * How far behind its schedule the open loop's sending thread fell: the timed calls it sent more than
     * {@link #LATE_NANOS} late, and the latest one. A call's latency counts from its scheduled time, so this lag is
     * in the latencies; on cores shared with the server it is the time the generator waited for a core.
     */
    public record SendLag(long late, double maxMicros) {
        static final SendLag NONE = new SendLag(0, 0);
    }

    static final long LATE_NANOS = 1_000_000;

    /** Open-loop calls allowed in flight before the generator stops scheduling (bounds its memory). */
    static final int MAX_IN_FLIGHT = 20_000;

    private LoadGenerator() {
    }

    public static Result closedLoop(String name, int concurrency, long durationNanos,
                             Supplier<ListenableFuture<?>> call) throws InterruptedException {
        Histogram latencies = histogram();
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long end = start + durationNanos;
        for (int i = 0; i < concurrency; i++) {
            next(call, end, latencies, calls, errors, done);
        }
        done.await(durationNanos + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        return result(name, calls.sum(), errors.sum(), seconds, latencies, GcPauses.NONE, SendLag.NONE);
    }

    private static void next(Supplier<ListenableFuture<?>> call, long end, Histogram latencies, LongAdder calls,
                             LongAdder errors, CountDownLatch done) {
        long sent = System.nanoTime();
        if (sent >= end) {
            done.countDown();
            return;
        }
        Futures.addCallback(call.get(), new FutureCallback<Object>() {
            @Override
            public void onSuccess(Object result) {
                record(sent, latencies, calls);
                next(call, end, latencies, calls, errors, done);
            }

            @Override
            public void onFailure(Throwable t) {
                errors.increment();
                record(sent, latencies, calls);
                next(call, end, latencies, calls, errors, done);
            }
        }, MoreExecutors.directExecutor());
    }

    /**
     * Calls on a fixed schedule for {@code leadInNanos} untimed, then for {@code durationNanos} timed, without a
     * pause between: the lead-in lets the JIT compile this loop's own client path (its callbacks differ from the
     * closed loop's, and a recompilation on 2 cores would otherwise land in the timed part), and the timed calls
     * start on a server already in its steady state at this rate.
     */
    static Result openLoop(String name, double ratePerSecond, long leadInNanos, long durationNanos,
                           Supplier<ListenableFuture<?>> call) throws InterruptedException {
        Histogram latencies = histogram();
        LongAdder calls = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicInteger inFlight = new AtomicInteger();
        long period = (long) (1e9 / ratePerSecond);
        long start = System.nanoTime();
        long timedFrom = start + leadInNanos;
        long end = timedFrom + durationNanos;
        long scheduled = start;
        long skipped = 0;
        long[] gcBefore = null;
        long late = 0;
        long maxLag = 0;
        while (scheduled < end) {
            long wait = scheduled - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait - 10_000);
                continue;
            }
            while (System.nanoTime() < scheduled) {
                Thread.onSpinWait();
            }
            boolean timed = scheduled >= timedFrom;
            if (timed) {
                if (gcBefore == null) {
                    gcBefore = GcPauses.snapshot();
                }
                long lag = System.nanoTime() - scheduled;
                late += lag > LATE_NANOS ? 1 : 0;
                maxLag = Math.max(maxLag, lag);
            }
            if (inFlight.get() >= MAX_IN_FLIGHT) {
                skipped += timed ? 1 : 0;
            } else {
                long intended = scheduled;
                inFlight.incrementAndGet();
                Futures.addCallback(call.get(), new FutureCallback<Object>() {
                    @Override
                    public void onSuccess(Object result) {
                        inFlight.decrementAndGet();
                        if (timed) {
                            record(intended, latencies, calls);
                        }
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        inFlight.decrementAndGet();
                        if (timed) {
                            errors.increment();
                            record(intended, latencies, calls);
                        }
                    }
                }, MoreExecutors.directExecutor());
            }
            scheduled += period;
        }
        GcPauses gc = GcPauses.since(gcBefore == null ? GcPauses.snapshot() : gcBefore);
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
            Thread.sleep(1);
        }
        double seconds = durationNanos / 1e9;
        // A call never sent because too many were in flight counts as an error: it was not served.
        return result(name, calls.sum() + skipped, errors.sum() + skipped, seconds, latencies, gc,
                new SendLag(late, maxLag / 1e3));
    }

    private static void record(long sent, Histogram latencies, LongAdder calls) {
        latencies.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
        calls.increment();
    }

    private static Histogram histogram() {
        // 1 µs to 60 s at 3 significant digits.
        return new ConcurrentHistogram(60_000_000L, 3);
    }

    private static Result result(String name, long calls, long errors, double seconds, Histogram h, GcPauses gc,
                                 SendLag lag) {
        return new Result(name, calls, errors, seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getMaxValue(), gc, lag);
    }
}
