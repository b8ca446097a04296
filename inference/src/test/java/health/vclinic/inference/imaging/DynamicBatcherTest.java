package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.imaging.BatchRejectedException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batcher alone, with a batch function that records what it was given. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DynamicBatcherTest {

    private static final Optional<Duration> NO_DEADLINE = Optional.empty();

    /** Records every batch; answers each input with "input:batch number" so routing is visible. */
    private static final class Recorder {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

        List<String> run(List<Integer> inputs) {
            batches.add(List.copyOf(inputs));
            int batch = batches.size();
            return inputs.stream().map(i -> i + ":" + batch).toList();
        }

        List<Integer> seen() {
            synchronized (batches) {
                return batches.stream().flatMap(List::stream).toList();
            }
        }
    }

    @Test
    void concurrentCallersEachGetTheirOwnResultFromSharedBatches() throws Exception {
        Recorder recorder = new Recorder();
        DynamicBatcher.Config config = new DynamicBatcher.Config(16, Duration.ofMillis(20), 1024);
        try (DynamicBatcher<Integer, String> batcher = new DynamicBatcher<>("test", config, recorder::run)) {
            int callers = 200;
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<String>> results = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int input = i;
                CompletableFuture<String> result = new CompletableFuture<>();
                results.add(result);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        result.complete(batcher.submit(input, NO_DEADLINE).get());
                    } catch (Exception e) {
                        result.completeExceptionally(e);
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < callers; i++) {
                String answer = results.get(i).get(10, TimeUnit.SECONDS);
                assertTrue(answer.startsWith(i + ":"), "caller " + i + " got " + answer);
            }
            assertEquals(callers, recorder.seen().size(), "each request ran exactly once");
            assertTrue(recorder.batches.stream().allMatch(b -> b.size() <= 16), "no batch over the maximum");
            assertTrue(recorder.batches.size() < callers / 2,
                    "concurrent requests share batches: " + recorder.batches.size() + " batches for " + callers);
            assertEquals(recorder.batches.size(), batcher.batches());
        }
    }

    @Test
    void aLoneRequestWaitsAtMostTheQueueDelay() throws Exception {
        Recorder recorder = new Recorder();
        DynamicBatcher.Config config = new DynamicBatcher.Config(64, Duration.ofMillis(30), 16);
        try (DynamicBatcher<Integer, String> batcher = new DynamicBatcher<>("test", config, recorder::run)) {
            long start = System.nanoTime();
            assertEquals("7:1", batcher.submit(7, NO_DEADLINE).get());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 25 && millis < 2_000, "waited " + millis + " ms for a batch that never filled");
        }
    }

    @Test
    void aFullBatchRunsWithoutWaitingForTheDelay() throws Exception {
        Recorder recorder = new Recorder();
        DynamicBatcher.Config config = new DynamicBatcher.Config(4, Duration.ofSeconds(20), 16);
        try (DynamicBatcher<Integer, String> batcher = new DynamicBatcher<>("test", config, recorder::run)) {
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(batcher.submit(i, NO_DEADLINE));
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(i + ":1", results.get(i).get(5, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * The worker is held inside a first batch; a request with a 50 ms deadline queues behind it. When
     * the worker comes back the deadline has passed: DEADLINE_EXCEEDED, and the model never sees it.
     */
    @Test
    void aDeadlineThatExpiresInTheQueueIsAnsweredWithoutRunning() throws Exception {
        CountDownLatch inFirstBatch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        DynamicBatcher.Config config = new DynamicBatcher.Config(8, Duration.ZERO, 16);
        try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("test", config, inputs -> {
            seen.addAll(inputs);
            inFirstBatch.countDown();
            await(release);
            return inputs;
        })) {
            CompletableFuture<Integer> first = batcher.submit(1, NO_DEADLINE);
            assertTrue(inFirstBatch.await(5, TimeUnit.SECONDS));
            CompletableFuture<Integer> late = batcher.submit(2, Optional.of(Duration.ofMillis(50)));
            CompletableFuture<Integer> patient = batcher.submit(3, Optional.of(Duration.ofSeconds(30)));
            Thread.sleep(150);
            release.countDown();
            assertEquals(1, first.get(5, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(5, TimeUnit.SECONDS));
            BatchRejectedException rejected = assertInstanceOf(BatchRejectedException.class, e.getCause());
            assertEquals(Reason.DEADLINE_EXCEEDED, rejected.reason());
            assertTrue(rejected.getMessage().contains("while the request waited"), rejected.getMessage());
            assertEquals(3, patient.get(5, TimeUnit.SECONDS), "a request whose deadline holds still runs");
            assertEquals(List.of(1, 3), seen, "the expired request never reached the model");
            assertEquals(1, batcher.expiredInQueue());
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndClosingRejectsWhatWaits() throws Exception {
        CountDownLatch inFirstBatch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        DynamicBatcher.Config config = new DynamicBatcher.Config(1, Duration.ZERO, 2);
        DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("test", config, inputs -> {
            ran.addAndGet(inputs.size());
            inFirstBatch.countDown();
            await(release);
            return inputs;
        });
        CompletableFuture<Integer> running = batcher.submit(0, NO_DEADLINE);
        assertTrue(inFirstBatch.await(5, TimeUnit.SECONDS));
        CompletableFuture<Integer> queued1 = batcher.submit(1, NO_DEADLINE);
        CompletableFuture<Integer> queued2 = batcher.submit(2, NO_DEADLINE);
        CompletableFuture<Integer> refused = batcher.submit(3, NO_DEADLINE);
        assertEquals(Reason.QUEUE_FULL, reason(refused));
        release.countDown();
        batcher.close();
        assertEquals(0, running.get(5, TimeUnit.SECONDS));
        for (CompletableFuture<Integer> q : List.of(queued1, queued2)) {
            assertTrue(q.isDone(), "closing answers every queued request");
            if (q.isCompletedExceptionally()) {
                assertEquals(Reason.CLOSED, reason(q));
            }
        }
        assertEquals(Reason.CLOSED, reason(batcher.submit(4, NO_DEADLINE)));
        assertFalse(ran.get() > 3);
    }

    @Test
    void aFailingBatchFailsEachOfItsCallersAndTheNextBatchStillRuns() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DynamicBatcher.Config config = new DynamicBatcher.Config(8, Duration.ZERO, 16);
        try (DynamicBatcher<Integer, Integer> batcher = new DynamicBatcher<>("test", config, inputs -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                throw new IllegalStateException("engine failure");
            }
            if (call == 2) {
                throw new OutOfMemoryError("native allocation failed");
            }
            return inputs;
        })) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> batcher.submit(1, NO_DEADLINE).get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            e = assertThrows(ExecutionException.class, () -> batcher.submit(2, NO_DEADLINE).get(5, TimeUnit.SECONDS));
            assertInstanceOf(OutOfMemoryError.class, e.getCause());
            assertEquals(3, batcher.submit(3, NO_DEADLINE).get(5, TimeUnit.SECONDS), "the worker survived both");
        }
    }

    private static Reason reason(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(BatchRejectedException.class, e.getCause()).reason();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Issue 9, defect 5: 100 aborted saliency calls still ran and made the next call wait 32 s. A request
     * whose caller cancels while it waits must never reach the batch function: counted by what the
     * function was given, not by time.
     */
    @Test
    void cancelledRequestsNeverReachTheBatchFunction() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder recorder = new Recorder();
        DynamicBatcher.Config config = new DynamicBatcher.Config(1, Duration.ZERO, 1024);
        try (DynamicBatcher<Integer, String> batcher = new DynamicBatcher<>("test", config, inputs -> {
            if (inputs.contains(-1)) {
                running.countDown();
                await(release);
            }
            return recorder.run(inputs);
        })) {
            CompletableFuture<String> first = batcher.submit(-1, Cancellation.none());
            assertTrue(running.await(10, TimeUnit.SECONDS), "the worker holds the first request");
            List<Cancellation> handles = new ArrayList<>();
            List<CompletableFuture<String>> abandoned = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Cancellation handle = Cancellation.withDeadline(NO_DEADLINE);
                handles.add(handle);
                abandoned.add(batcher.submit(i, handle));
            }
            assertEquals(101, batcher.waiting());
            handles.forEach(Cancellation::cancel);
            assertEquals(1, batcher.waiting(), "a cancelled request stops counting at once");
            CompletableFuture<String> next = batcher.submit(1000, Cancellation.withDeadline(NO_DEADLINE));
            release.countDown();
            assertEquals("1000:2", next.get(10, TimeUnit.SECONDS));
            assertEquals("-1:1", first.get(10, TimeUnit.SECONDS));
            assertEquals(List.of(-1, 1000), recorder.seen(), "no cancelled input reached the batch function");
            assertEquals(100, batcher.cancelledInQueue());
            abandoned.forEach(f -> assertTrue(f.isCancelled()));
        }
    }

    @Test
    void workCancelledOrExpiredBeforeSubmissionIsRefusedWithoutQueueing() {
        Recorder recorder = new Recorder();
        try (DynamicBatcher<Integer, String> batcher = new DynamicBatcher<>("test", DynamicBatcher.Config.DEFAULT,
                recorder::run)) {
            Cancellation cancelled = Cancellation.withDeadline(NO_DEADLINE);
            cancelled.cancel();
            ExecutionException e = assertThrows(ExecutionException.class, () -> batcher.submit(1, cancelled).get());
            assertEquals(Reason.CANCELLED, assertInstanceOf(BatchRejectedException.class, e.getCause()).reason());
            Cancellation expired = Cancellation.withDeadline(Optional.of(Duration.ZERO));
            e = assertThrows(ExecutionException.class, () -> batcher.submit(2, expired).get());
            assertEquals(Reason.DEADLINE_EXCEEDED, assertInstanceOf(BatchRejectedException.class, e.getCause()).reason());
            assertEquals(List.of(), recorder.seen());
        }
    }
}
