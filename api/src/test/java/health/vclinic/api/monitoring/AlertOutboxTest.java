package health.vclinic.api.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-stream alert queue: order, conflation of updates, and waking its sender. */
class AlertOutboxTest {

    private static Alert alert(String id, AlertState state) {
        return Alert.newBuilder().setAlertId(id).setState(state).build();
    }

    /**
     * A stream that ends wakes its sender, which must then see the end at once: before, a woken
     * {@code take} went back to waiting out its timeout, and every stream's trailers came up to 200 ms
     * late. The timeout here is an hour, so only the wake can end the wait.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wakeEndsAWaitingTake() throws Exception {
        AlertOutbox outbox = new AlertOutbox(8);
        AtomicReference<Optional<Alert>> taken = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                taken.set(outbox.take(TimeUnit.HOURS.toNanos(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (sender.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        outbox.wake();
        sender.join();
        assertEquals(Optional.empty(), taken.get());
    }

    @Test
    void aWakeBeforeATakeDoesNotEmptyTheNextAlert() throws Exception {
        AlertOutbox outbox = new AlertOutbox(8);
        outbox.wake();
        assertTrue(outbox.put(alert("a", AlertState.RAISED), 0));
        assertEquals("a", outbox.take(0).orElseThrow().getAlertId());
    }

    @Test
    void updatesOfOneAlertWaitingTogetherAreConflatedAndCounted() throws Exception {
        AlertOutbox outbox = new AlertOutbox(8);
        assertTrue(outbox.put(alert("a", AlertState.RAISED), 0));
        assertTrue(outbox.put(alert("a", AlertState.UPDATED), 0));
        assertTrue(outbox.put(alert("a", AlertState.UPDATED), 0));
        assertTrue(outbox.put(alert("a", AlertState.RESOLVED), 0));
        assertEquals(AlertState.RAISED, outbox.take(0).orElseThrow().getState());
        Alert update = outbox.take(0).orElseThrow();
        assertEquals(AlertState.UPDATED, update.getState());
        assertEquals(1, update.getSupersededUpdates());
        assertEquals(AlertState.RESOLVED, outbox.take(0).orElseThrow().getState());
        assertEquals(1, outbox.superseded());
    }

    @Test
    void aFullOutboxRefusesAfterItsTimeout() throws Exception {
        AlertOutbox outbox = new AlertOutbox(1);
        assertTrue(outbox.put(alert("a", AlertState.RAISED), 0));
        assertEquals(false, outbox.put(alert("b", AlertState.RAISED), TimeUnit.MILLISECONDS.toNanos(1)));
        assertEquals(false, outbox.offer(alert("c", AlertState.RAISED)));
    }
}
