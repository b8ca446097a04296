package health.vclinic.inference.imaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Dynamic batching, as in Triton's dynamic batcher and DJL Serving: requests from many callers wait
 * in one queue; a single worker thread takes the first, keeps collecting until it has
 * {@link Config#maxBatchSize()} or the first has waited {@link Config#maxQueueDelay()}, and runs them
 * as one batch. While a batch runs, new requests queue up, so batches grow with load by themselves and
 * the model runs on one thread, never contending with itself.
 *
 * <p>Each caller gets its own result through its own future. A request whose deadline passes while
 * it waits is answered {@link BatchRejectedException.Reason#DEADLINE_EXCEEDED} and is not run; one
 * whose caller cancelled its future is dropped the same way. A full queue answers
 * {@link BatchRejectedException.Reason#QUEUE_FULL} at once, so overload sheds load instead of growing
 * latency without bound.
 *
 * @param <I> one request's input
 * @param <O> one request's result
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {

    /**
     * @param maxBatchSize most requests per batch (default 32)
     * @param maxQueueDelay longest the first request of a batch waits for others when the batch is not
     *     full (default 2 ms: a fraction of a single prediction, so a lone request barely waits)
     * @param maxQueueSize most requests waiting; more are refused (default 1024)
     */
    public record Config(int maxBatchSize, Duration maxQueueDelay, int maxQueueSize) {

        public static final Config DEFAULT = new Config(32, Duration.ofMillis(2), 1024);

        public Config {
            Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
            if (maxBatchSize < 1 || maxQueueSize < 1 || maxQueueDelay.isNegative()) {
                throw new IllegalArgumentException("batch and queue sizes must be positive, the delay non-negative");
            }
        }
    }

    private record Pending<I, O>(I input, long enqueuedNanos, long deadlineNanos, CompletableFuture<O> result) {
        boolean expired(long now) {
            return deadlineNanos != Long.MAX_VALUE && now - deadlineNanos >= 0;
        }
    }

    private final Config config;
    private final Function<List<I>, List<O>> runBatch;
    private final BlockingQueue<Pending<I, O>> queue;
    private final Thread worker;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    /**
     * Starts the worker thread.
     *
     * @param name the worker thread's name
     * @param runBatch runs one batch on the worker thread: one result per input, in order
     */
    public DynamicBatcher(String name, Config config, Function<List<I>, List<O>> runBatch) {
        this.config = Objects.requireNonNull(config, "config");
        this.runBatch = Objects.requireNonNull(runBatch, "runBatch");
        this.queue = new LinkedBlockingQueue<>(config.maxQueueSize());
        this.worker = Thread.ofPlatform().name(name).daemon(true).unstarted(this::work);
        worker.start();
    }

    /**
     * Queues one request.
     *
     * @param timeRemaining the caller's remaining deadline, if it has one
     * @return completes with the result, or exceptionally with a {@link BatchRejectedException} or the
     *     batch function's exception
     */
    public CompletableFuture<O> submit(I input, Optional<Duration> timeRemaining) {
        long now = System.nanoTime();
        long deadline = timeRemaining.map(d -> now + d.toNanos()).orElse(Long.MAX_VALUE);
        CompletableFuture<O> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new BatchRejectedException(BatchRejectedException.Reason.CLOSED,
                    "the model is shutting down; retry on another instance"));
        } else if (!queue.offer(new Pending<>(input, now, deadline, result))) {
            result.completeExceptionally(new BatchRejectedException(BatchRejectedException.Reason.QUEUE_FULL,
                    "the model's queue is full (" + config.maxQueueSize() + " requests); retry with backoff"));
        } else {
            waiting.incrementAndGet();
            result.whenComplete((r, e) -> waiting.decrementAndGet());
            if (closed) {
                // close() may have drained the queue just before this request joined it.
                rejectAll(queue);
            }
        }
        return result;
    }

    /**
     * Queues one request on behalf of a caller who may cancel it: cancelling {@code cancellation}
     * cancels the returned future, and a cancelled request is dropped before its batch runs.
     */
    public CompletableFuture<O> submit(I input, Cancellation cancellation) {
        if (cancellation.abandoned()) {
            return CompletableFuture.failedFuture(cancellation.rejection("the model"));
        }
        CompletableFuture<O> result = submit(input, cancellation.remaining());
        cancellation.onCancel(() -> result.cancel(false));
        return result;
    }

    /** Batches run so far. */
    public long batches() {
        return batches.get();
    }

    /** Requests answered DEADLINE_EXCEEDED in the queue so far. */
    public long expiredInQueue() {
        return expired.get();
    }

    /** Requests queued or running whose callers still wait for them (a cancelled one stops counting at once). */
    public int waiting() {
        return waiting.get();
    }

    /** Requests dropped because their caller cancelled them while they were queued, so far. */
    public long cancelledInQueue() {
        return cancelled.get();
    }

    public Config config() {
        return config;
    }

    private void work() {
        List<Pending<I, O>> batch = new ArrayList<>(config.maxBatchSize());
        while (!closed || !queue.isEmpty()) {
            try {
                collect(batch);
            } catch (InterruptedException e) {
                // close() woke the worker: run what was collected, then the loop condition decides.
            }
            run(batch);
            batch.clear();
        }
        rejectAll(queue);
    }

    /** Blocks for the first request, then gathers more until full or the first has waited long enough. */
    private void collect(List<Pending<I, O>> batch) throws InterruptedException {
        Pending<I, O> first = queue.take();
        batch.add(first);
        long until = first.enqueuedNanos() + config.maxQueueDelay().toNanos();
        while (batch.size() < config.maxBatchSize()) {
            // Whatever is already queued joins at once; only then is it worth waiting.
            queue.drainTo(batch, config.maxBatchSize() - batch.size());
            long wait = until - System.nanoTime();
            if (batch.size() >= config.maxBatchSize() || wait <= 0) {
                break;
            }
            Pending<I, O> next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
    }

    private void run(List<Pending<I, O>> batch) {
        long now = System.nanoTime();
        List<Pending<I, O>> live = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            if (p.result().isDone()) {
                if (p.result().isCancelled()) {
                    cancelled.incrementAndGet();
                }
                continue; // the caller cancelled: the model never sees it
            }
            if (p.expired(now)) {
                expired.incrementAndGet();
                p.result().completeExceptionally(new BatchRejectedException(
                        BatchRejectedException.Reason.DEADLINE_EXCEEDED, "the deadline passed while the request waited"
                        + " for the model (" + (now - p.enqueuedNanos()) / 1_000_000 + " ms in the queue)"));
                continue;
            }
            live.add(p);
        }
        if (live.isEmpty()) {
            return;
        }
        batches.incrementAndGet();
        List<O> results;
        try {
            results = runBatch.apply(live.stream().map(Pending::input).toList());
            if (results.size() != live.size()) {
                throw new IllegalStateException("a batch of " + live.size() + " gave " + results.size() + " results");
            }
        } catch (RuntimeException | Error e) {
            // Even an Error (a native failure, memory) fails only this batch: were the worker to die,
            // every later request would wait for ever.
            live.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < live.size(); i++) {
            live.get(i).result().complete(results.get(i));
        }
    }

    private static <I, O> void rejectAll(BlockingQueue<Pending<I, O>> queue) {
        for (Pending<I, O> p = queue.poll(); p != null; p = queue.poll()) {
            p.result().completeExceptionally(new BatchRejectedException(BatchRejectedException.Reason.CLOSED,
                    "the model is shutting down; retry on another instance"));
        }
    }

    /** Stops taking requests, finishes the ones queued, and stops the worker. */
    @Override
    public void close() {
        closed = true;
        // An empty queue leaves the worker blocked in take(); the interrupt wakes it.
        if (queue.isEmpty()) {
            worker.interrupt();
        }
        try {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rejectAll(queue);
    }
}
