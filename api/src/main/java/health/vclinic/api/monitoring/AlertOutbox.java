package health.vclinic.api.monitoring;

import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The alerts of one stream waiting to be sent, in order, at most {@code capacity} of them.
 *
 * <p>Conflation: an UPDATED alert whose alert already has an UPDATED waiting replaces that one in
 * place (the sent one counts the replaced ones in {@code superseded_updates}), since only an alert's
 * latest state matters. RAISED and RESOLVED are never replaced, so a slow reader still sees every
 * alert begin and end. When the outbox is full, {@link #put} waits: that is how a slow reader slows
 * the sample producer.
 */
final class AlertOutbox {

    private static final class Entry {
        Alert alert;
        int superseded;

        Entry(Alert alert) {
            this.alert = alert;
        }
    }

    private final int capacity;
    private final ArrayDeque<Entry> queue;
    private final Map<String, Entry> pendingUpdates = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private boolean closed;
    private long superseded;
    private long wakeups;

    AlertOutbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the outbox needs room for at least one alert");
        }
        this.capacity = capacity;
        this.queue = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /**
     * Queues an alert, waiting up to {@code timeoutNanos} for room.
     *
     * @return false when there was no room in time, or the outbox is closed
     */
    boolean put(Alert alert, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            if (conflate(alert)) {
                return true;
            }
            long left = timeoutNanos;
            while (queue.size() >= capacity && !closed) {
                if (left <= 0) {
                    return false;
                }
                left = notFull.awaitNanos(left);
            }
            if (closed) {
                return false;
            }
            append(alert);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues an alert only if there is room now (for notices that must not block: eviction). */
    boolean offer(Alert alert) {
        lock.lock();
        try {
            if (conflate(alert)) {
                return true;
            }
            if (closed || queue.size() >= capacity) {
                return false;
            }
            append(alert);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean conflate(Alert alert) {
        if (alert.getState() != AlertState.UPDATED || closed) {
            return false;
        }
        Entry waiting = pendingUpdates.get(alert.getAlertId());
        if (waiting == null) {
            return false;
        }
        waiting.alert = alert;
        waiting.superseded++;
        superseded++;
        return true;
    }

    private void append(Alert alert) {
        Entry e = new Entry(alert);
        queue.addLast(e);
        if (alert.getState() == AlertState.UPDATED) {
            pendingUpdates.put(alert.getAlertId(), e);
        }
        notEmpty.signal();
    }

    /**
     * The next alert to send, waiting up to {@code timeoutNanos}; empty when none came in time, when
     * {@link #wake} was called meanwhile, or when the outbox is closed and empty.
     */
    Optional<Alert> take(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            long woken = wakeups;
            while (queue.isEmpty()) {
                if (closed || left <= 0 || wakeups != woken) {
                    return Optional.empty();
                }
                left = notEmpty.awaitNanos(left);
            }
            Entry e = queue.pollFirst();
            if (pendingUpdates.get(e.alert.getAlertId()) == e) {
                pendingUpdates.remove(e.alert.getAlertId());
            }
            notFull.signal();
            Alert a = e.alert;
            return Optional.of(e.superseded == 0 ? a : a.toBuilder().setSupersededUpdates(e.superseded).build());
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further alerts and wakes every waiter; what is queued can still be taken. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes a waiting {@link #take} return empty without closing (the stream has something else to do). */
    void wake() {
        lock.lock();
        try {
            wakeups++;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    long superseded() {
        lock.lock();
        try {
            return superseded;
        } finally {
            lock.unlock();
        }
    }
}
