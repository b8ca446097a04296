package health.vclinic.api.grpcwire;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands each call Helidon starts on a {@link WireHandler}'s stream back to that handler, wrapped so the
 * wire can end it with a status, as grpc-java's own transport does when a message cannot be read:
 * the trailers go out through the interceptors above this one (so {@code /metrics} counts the status),
 * the service's listener hears {@code onCancel}, and whatever the service sends afterwards is dropped.
 *
 * <p>Writes are serialised with the wire's close: Helidon 4.5's call is not safe for concurrent writes,
 * and a service may write from its own thread (the Monitor stream's sender) while the wire reads.
 * The wire never waits for a write to finish (see {@link GuardedCall#closeByWire}).
 */
final class CallGuard implements ServerInterceptor {

    /** Bound by the {@link WireHandler} while Helidon starts the call on the stream's thread. */
    static final ScopedValue<Slot> SLOT = ScopedValue.newInstance();

    /** Where the interceptor leaves the call for the handler that bound the slot. */
    static final class Slot {
        private GuardedCall<?, ?> call;

        GuardedCall<?, ?> call() {
            return call;
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        if (!SLOT.isBound()) {
            // Not started by the wire (HTTP/1.1 upgrade to h2c): nothing to hand back.
            return next.startCall(call, headers);
        }
        GuardedCall<Q, R> guarded = new GuardedCall<>(call);
        SLOT.get().call = guarded;
        return guarded.listener(next.startCall(guarded, headers));
    }

    /** A call the wire can close; see {@link CallGuard}. */
    static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

        private record Ending(Status status, Metadata trailers) {
        }

        private final ReentrantLock writing = new ReentrantLock();
        private final AtomicReference<Ending> pending = new AtomicReference<>();
        private volatile boolean closed;
        private volatile boolean closedByWire;

        GuardedCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        /**
         * Ends the call with {@code status} unless it has already ended. Never waits: the stream's
         * thread calls this, and while it waited on a service blocked in a send (for the client's
         * flow-control window) the connection could not read that window update. When a send is in
         * progress, the thread that made it writes the trailers as it finishes.
         */
        void closeByWire(Status status, Metadata trailers) {
            if (closed || closedByWire) {
                return;
            }
            closedByWire = true;
            pending.compareAndSet(null, new Ending(status, trailers));
            writePending();
        }

        /** The service or the wire has ended the call: no more messages are wanted. */
        boolean closed() {
            return closed || closedByWire;
        }

        private void writePending() {
            while (pending.get() != null && writing.tryLock()) {
                try {
                    Ending ending = pending.getAndSet(null);
                    if (ending != null && !closed) {
                        closed = true;
                        super.close(ending.status(), ending.trailers());
                    }
                } finally {
                    writing.unlock();
                }
            }
        }

        @Override
        public void sendHeaders(Metadata headers) {
            writing.lock();
            try {
                if (!closedByWire) {
                    super.sendHeaders(headers);
                }
            } finally {
                writing.unlock();
                writePending();
            }
        }

        @Override
        public void sendMessage(R message) {
            writing.lock();
            try {
                if (!closedByWire) {
                    super.sendMessage(message);
                }
            } finally {
                writing.unlock();
                writePending();
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            writing.lock();
            try {
                if (!closedByWire) {
                    closed = true;
                    super.close(status, trailers);
                }
            } finally {
                writing.unlock();
                writePending();
            }
        }

        @Override
        public boolean isCancelled() {
            return closedByWire || super.isCancelled();
        }

        /**
         * The service's listener, told of the end once: a call the wire closed is cancelled from the
         * service's point of view (Helidon reports every close it writes as {@code onComplete}).
         */
        ServerCall.Listener<Q> listener(ServerCall.Listener<Q> service) {
            AtomicBoolean ended = new AtomicBoolean();
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(service) {
                @Override
                public void onMessage(Q message) {
                    if (!closedByWire) {
                        super.onMessage(message);
                    }
                }

                @Override
                public void onHalfClose() {
                    if (!closedByWire) {
                        super.onHalfClose();
                    }
                }

                @Override
                public void onComplete() {
                    if (ended.compareAndSet(false, true)) {
                        if (closedByWire) {
                            super.onCancel();
                        } else {
                            super.onComplete();
                        }
                    }
                }

                @Override
                public void onCancel() {
                    if (ended.compareAndSet(false, true)) {
                        super.onCancel();
                    }
                }
            };
        }
    }
}
