package health.vclinic.api.http;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupts the thread that started it when a deadline passes, which closes a connection that thread is
 * blocked reading (socket reads on virtual threads are interruptible, JEP 444). {@link #finish()} says
 * whether it fired, and makes sure an interrupt it sent has landed and is cleared, so it cannot hit the
 * thread's later work.
 */
final class ReadDeadline {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private static final int READING = 0;
    private static final int DONE = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;

    private final AtomicInteger state = new AtomicInteger(READING);
    private final ScheduledFuture<?> task;

    private ReadDeadline(Thread reader, Duration deadline) {
        task = TIMER.schedule(() -> {
            if (state.compareAndSet(READING, FIRING)) {
                reader.interrupt();
                state.set(FIRED);
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "vclinic-read-deadline");
            t.setDaemon(true);
            return t;
        });
        // Almost every deadline is cancelled (one per HTTP/1 request): drop them at once, not when they fall due.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** A deadline for the calling thread's reads. */
    static ReadDeadline start(Duration deadline) {
        return new ReadDeadline(Thread.currentThread(), deadline);
    }

    /** Ends the deadline; true when it had already passed (and its interrupt is now cleared). Idempotent. */
    boolean finish() {
        if (state.compareAndSet(READING, DONE)) {
            task.cancel(false);
            return false;
        }
        if (state.get() == DONE) {
            return false;
        }
        // The timer has claimed this read: wait the few instructions until its interrupt is sent, then
        // clear it (a socket read may or may not have consumed it).
        while (state.get() != FIRED) {
            Thread.onSpinWait();
        }
        Thread.interrupted();
        state.set(DONE);
        return true;
    }
}
