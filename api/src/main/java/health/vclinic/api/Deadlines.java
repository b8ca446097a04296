package health.vclinic.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Honours the client's deadline. Helidon's gRPC server does not turn the {@code grpc-timeout} header
 * into a {@link Context} deadline, so this interceptor does: a call whose deadline has already passed
 * is answered DEADLINE_EXCEEDED without running, and handlers can check {@link #expired(Context)}.
 */
final class Deadlines implements ServerInterceptor {

    static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Optional<Long> nanos = timeoutNanos(headers.get(GRPC_TIMEOUT));
        if (nanos.isEmpty()) {
            return next.startCall(call, headers);
        }
        if (nanos.get() <= 0) {
            call.close(Status.DEADLINE_EXCEEDED.withDescription("deadline expired before the call started"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        Context.CancellableContext context = Context.current()
                .withDeadline(Deadline.after(nanos.get(), TimeUnit.NANOSECONDS), Runnables.DIRECT);
        return Contexts.interceptCall(context, call, headers, next);
    }

    static boolean expired(Context context) {
        Deadline deadline = context.getDeadline();
        return deadline != null && deadline.isExpired();
    }

    /** Parses the gRPC wire format: up to 8 digits and a unit (H, M, S, m, u, n). */
    static Optional<Long> timeoutNanos(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) {
            return Optional.empty();
        }
        long value;
        try {
            value = Long.parseLong(header.substring(0, header.length() - 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        TimeUnit unit = switch (header.charAt(header.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null || value < 0 ? Optional.empty() : Optional.of(unit.toNanos(value));
    }

    /** Deadline timers need an executor for cancellation listeners; nothing here blocks. */
    private static final class Runnables {
        static final java.util.concurrent.ScheduledExecutorService DIRECT =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "vclinic-deadlines");
                    t.setDaemon(true);
                    return t;
                });
    }
}
