package health.vclinic.api;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.imaging.BatchRejectedException;
import io.grpc.Status;
import java.lang.System.Logger.Level;

/**
 * The one place that turns exceptions into gRPC statuses and HTTP codes. Bad input becomes
 * INVALID_ARGUMENT / 400 with the fields named; anything else becomes INTERNAL / 500 with no detail on
 * the wire, and is logged by type and code location only: exception messages may carry patient data.
 * A request the model's batcher refused is not an error of either side: DEADLINE_EXCEEDED / 504 when
 * its deadline passed in the queue, RESOURCE_EXHAUSTED / 503 when the queue is full, UNAVAILABLE / 503
 * while shutting down.
 */
public final class Errors {

    private static final System.Logger LOG = System.getLogger(Errors.class.getName());

    private Errors() {
    }

    public static Status grpcStatus(Throwable t) {
        if (t instanceof InvalidInputException bad) {
            return Status.INVALID_ARGUMENT.withDescription(bad.getMessage());
        }
        if (t instanceof BatchRejectedException refused) {
            Status status = switch (refused.reason()) {
                case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
                case QUEUE_FULL -> Status.RESOURCE_EXHAUSTED;
                case CLOSED -> Status.UNAVAILABLE;
                case CANCELLED -> Status.CANCELLED;
            };
            return status.withDescription(refused.getMessage());
        }
        logInternal(t);
        return Status.INTERNAL.withDescription("internal error; the request was not assessed");
    }

    public static int httpStatus(Throwable t) {
        if (t instanceof BatchRejectedException refused) {
            return refused.reason() == BatchRejectedException.Reason.DEADLINE_EXCEEDED ? 504 : 503;
        }
        return t instanceof InvalidInputException ? 400 : 500;
    }

    public static String httpMessage(Throwable t) {
        if (t instanceof InvalidInputException || t instanceof BatchRejectedException) {
            return t.getMessage();
        }
        logInternal(t);
        return "internal error; the request was not assessed";
    }

    /** The gRPC code name for an HTTP error body, e.g. {@code INVALID_ARGUMENT}; logs nothing. */
    public static String codeName(Throwable t) {
        if (t instanceof InvalidInputException) {
            return Status.Code.INVALID_ARGUMENT.name();
        }
        if (t instanceof BatchRejectedException) {
            return grpcStatus(t).getCode().name();
        }
        return Status.Code.INTERNAL.name();
    }

    private static void logInternal(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        String where = stack.length == 0 ? "unknown" : stack[0].toString();
        LOG.log(Level.ERROR, "internal error " + t.getClass().getName() + " at " + where);
    }
}
