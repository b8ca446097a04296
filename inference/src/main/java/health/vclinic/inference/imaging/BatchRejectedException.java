package health.vclinic.inference.imaging;

import java.util.Objects;

/**
 * A request the {@link DynamicBatcher} or the {@link DecodePool} answered without running it. Not the
 * caller's input fault and not an engine failure: the API maps each reason to its own status.
 */
public final class BatchRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the request was not run. */
    public enum Reason {
        /** Its deadline passed while it waited in the queue (gRPC DEADLINE_EXCEEDED, HTTP 504). */
        DEADLINE_EXCEEDED,
        /** The queue was full: the service is overloaded (gRPC RESOURCE_EXHAUSTED, HTTP 503). */
        QUEUE_FULL,
        /** The batcher was shutting down (gRPC UNAVAILABLE, HTTP 503). */
        CLOSED,
        /**
         * The caller cancelled while the request waited (gRPC CANCELLED; over HTTP no one is left to read
         * the answer).
         */
        CANCELLED
    }

    private final Reason reason;

    public BatchRejectedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
