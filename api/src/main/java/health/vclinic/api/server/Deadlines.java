package health.vclinic.api.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Honours the client's deadline and guards against answering a cancelled call.
 *
 * <p>Helidon's gRPC server does not turn the {@code grpc-timeout} header into a {@link Context}
 * deadline. This interceptor parses it and stores the deadline in the context (no timer per call: the
 * handler is short and checks it with {@link #expired()}); a call whose deadline has already passed is
 * answered DEADLINE_EXCEEDED without running.
 *
 * <p>It also drops every send on a call the client has already cancelled (its deadline passed, or it
 * went away): Helidon 4.5 answers such a send by closing the whole HTTP/2 connection, failing every
 * other call on it.
 */
public final class Deadlines implements ServerInterceptor {

    static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Deadline> DEADLINE = Context.key("vclinic-deadline");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        ServerCall<Q, R> guarded = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata metadata) {
                if (!isCancelled()) {
                    super.sendHeaders(metadata);
                }
            }

            @Override
            public void sendMessage(R message) {
                if (!isCancelled()) {
                    super.sendMessage(message);
                }
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!isCancelled()) {
                    super.close(status, trailers);
                }
            }
        };
        Optional<Long> nanos = timeoutNanos(headers.get(GRPC_TIMEOUT));
        if (nanos.isEmpty()) {
            return next.startCall(guarded, headers);
        }
        if (nanos.get() <= 0) {
            guarded.close(Status.DEADLINE_EXCEEDED.withDescription("deadline expired before the call started"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        Context context = Context.current().withValue(DEADLINE, Deadline.after(nanos.get(), TimeUnit.NANOSECONDS));
        return Contexts.interceptCall(context, guarded, headers, next);
    }

    /** True when the current call carries a deadline that has passed. */
    public static boolean expired() {
        Deadline deadline = DEADLINE.get();
        return deadline != null && deadline.isExpired();
    }

    /** The time left before the current call's deadline, when it has one (handlers that wait pass it on). */
    public static Optional<Duration> remaining() {
        Deadline deadline = DEADLINE.get();
        return deadline == null ? Optional.empty()
                : Optional.of(Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)));
    }

    /** Parses the gRPC wire format: 1 to 8 digits and a unit (H, M, S, m, u, n). */
    public static Optional<Long> timeoutNanos(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) {
            return Optional.empty();
        }
        String digits = header.substring(0, header.length() - 1);
        if (!digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long value = Long.parseLong(digits);
        TimeUnit unit = switch (header.charAt(header.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? Optional.empty() : Optional.of(unit.toNanos(value));
    }
}
