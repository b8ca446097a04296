package health.vclinic.inference.imaging;

import health.vclinic.inference.InferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The handle a caller holds on work it queued: the transport cancels it when the client goes away (a
 * gRPC RST_STREAM, a closed HTTP connection), and the work reads it as cancelled as soon as that
 * happens or its deadline passes. Every stage that is about to spend something (a decode slot, a batch
 * slot, a forward pass) checks it first, so abandoned work is dropped before it reaches a model, as
 * gRPC's cancellation propagation and Triton's request cancellation do.
 *
 * <p>Thread safe: the transport cancels from its own thread while the work waits on another.
 */
public final class Cancellation {

    private final long deadlineNanos;
    private final boolean hasDeadline;
    private final List<Runnable> onCancel = new ArrayList<>();
    private boolean cancelled;

    private Cancellation(Optional<Duration> timeRemaining) {
        this.hasDeadline = timeRemaining.isPresent();
        this.deadlineNanos = timeRemaining.map(d -> System.nanoTime() + d.toNanos()).orElse(0L);
    }

    /** Work no one will cancel, without a deadline (batch evaluation, benchmarks). */
    public static Cancellation none() {
        return new Cancellation(Optional.empty());
    }

    /** Work whose caller may cancel it, with the caller's deadline if it has one. */
    public static Cancellation withDeadline(Optional<Duration> timeRemaining) {
        return new Cancellation(Objects.requireNonNull(timeRemaining, "timeRemaining"));
    }

    /** Cancels: callbacks registered with {@link #onCancel} run now, on this thread; later calls do nothing. */
    public void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(onCancel);
            onCancel.clear();
        }
        run.forEach(Runnable::run);
    }

    /** True once {@link #cancel()} was called. */
    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** True once the deadline has passed. */
    public boolean expired() {
        return hasDeadline && System.nanoTime() - deadlineNanos >= 0;
    }

    /** True when the work should not start: cancelled or past its deadline. */
    public boolean abandoned() {
        return cancelled() || expired();
    }

    /** Time left before the deadline (zero once passed), when there is one. */
    public Optional<Duration> remaining() {
        return hasDeadline ? Optional.of(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())))
                : Optional.empty();
    }

    /** Runs {@code action} on cancellation: at once when already cancelled. */
    public void onCancel(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (!cancelled) {
                onCancel.add(action);
                return;
            }
        }
        action.run();
    }

    /**
     * The exception for work this handle stopped: CANCELLED when the caller cancelled, otherwise
     * DEADLINE_EXCEEDED.
     *
     * @param where what the work was waiting for, e.g. "the model"
     */
    public BatchRejectedException rejection(String where) {
        return cancelled()
                ? new BatchRejectedException(BatchRejectedException.Reason.CANCELLED,
                        "the caller cancelled the request while it waited for " + where + "; it was not run")
                : new BatchRejectedException(BatchRejectedException.Reason.DEADLINE_EXCEEDED,
                        "the deadline passed while the request waited for " + where + "; it was not run");
    }

    /**
     * Waits for work queued on this handle's behalf; cancelling the handle cancels {@code result} (see
     * {@link #onCancel}) and ends the wait at once.
     *
     * @param where what the work waits for, e.g. "the model", named in the rejection
     * @throws BatchRejectedException CANCELLED or DEADLINE_EXCEEDED when stopped, CLOSED when interrupted
     * @throws RuntimeException the work's own failure, unwrapped
     */
    public <T> T await(CompletableFuture<T> result, String where) {
        try {
            return result.get();
        } catch (CancellationException e) {
            // A deadline needs no timer here: the stage that would run the work sees it passed and
            // answers DEADLINE_EXCEEDED, so the wait is bounded by that stage.
            throw rejection(where);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new InferenceException(where + " failed", e.getCause());
        } catch (InterruptedException e) {
            // The waiting thread was interrupted (its server is closing it): nothing will read the result.
            cancel();
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new BatchRejectedException(BatchRejectedException.Reason.CLOSED, "interrupted while waiting for "
                    + where);
        }
    }
}
