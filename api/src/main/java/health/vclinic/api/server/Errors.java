package health.vclinic.api.server;

import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.imaging.BatchRejectedException;
import io.grpc.Status;
import java.lang.System.Logger.Level;

/**
 * The one place that decides what an exception means to a caller ({@link #classify}); each transport
 * then renders the {@link ApiError} in its own vocabulary, once: {@link GrpcErrors} for gRPC,
 * {@link HttpErrors} for HTTP JSON, {@code OperationOutcomes} for FHIR and CDS Hooks.
 *
 * <p>Bad input is INVALID_ARGUMENT / 400 with the fields named. A request the model's batcher refused
 * is not an error of either side: DEADLINE_EXCEEDED / 504 when its deadline passed in the queue,
 * RESOURCE_EXHAUSTED / 503 when the queue is full, CANCELLED when its caller went away, UNAVAILABLE /
 * 503 while shutting down. Anything else is INTERNAL / 500 with no detail on the wire, logged by type
 * and code location only: exception messages may carry patient data.
 */
public final class Errors {

    private static final System.Logger LOG = System.getLogger(Errors.class.getName());
    static final String INTERNAL_MESSAGE = "internal error; the request was not assessed";

    private Errors() {
    }

    /** What {@code t} means to the caller; logs (without message) only when it is our fault. */
    public static ApiError classify(Throwable t) {
        if (t instanceof ApiException api) {
            return api.error();
        }
        if (t instanceof health.vclinic.api.security.AuthenticationException unauthenticated) {
            return ApiError.of(Kind.UNAUTHENTICATED, unauthenticated.getMessage());
        }
        if (t instanceof InvalidInputException bad) {
            return new ApiError(Kind.INVALID_ARGUMENT, bad.getMessage(), bad.violations());
        }
        if (t instanceof BatchRejectedException refused) {
            Kind kind = switch (refused.reason()) {
                case DEADLINE_EXCEEDED -> Kind.DEADLINE_EXCEEDED;
                case QUEUE_FULL -> Kind.RESOURCE_EXHAUSTED;
                case CLOSED -> Kind.UNAVAILABLE;
                case CANCELLED -> Kind.CANCELLED;
            };
            return ApiError.of(kind, refused.getMessage());
        }
        logInternal(t);
        return ApiError.of(Kind.INTERNAL, INTERNAL_MESSAGE);
    }

    /** The gRPC status for {@code t} (see {@link GrpcErrors}). */
    public static Status grpcStatus(Throwable t) {
        return GrpcErrors.status(classify(t));
    }

    private static void logInternal(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        String where = stack.length == 0 ? "unknown" : stack[0].toString();
        LOG.log(Level.ERROR, "internal error " + t.getClass().getName() + " at " + where);
    }
}
