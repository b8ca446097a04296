package health.vclinic.api;

import health.vclinic.datasets.InvalidInputException;
import io.grpc.Status;
import java.lang.System.Logger.Level;

/**
 * The one place that turns exceptions into gRPC statuses and HTTP codes. Bad input becomes
 * INVALID_ARGUMENT / 400 with the fields named; anything else becomes INTERNAL / 500 with no detail on
 * the wire, and is logged by type and code location only: exception messages may carry patient data.
 */
final class Errors {

    private static final System.Logger LOG = System.getLogger(Errors.class.getName());

    private Errors() {
    }

    static Status grpcStatus(Throwable t) {
        if (t instanceof InvalidInputException bad) {
            return Status.INVALID_ARGUMENT.withDescription(bad.getMessage());
        }
        logInternal(t);
        return Status.INTERNAL.withDescription("internal error; the request was not assessed");
    }

    static int httpStatus(Throwable t) {
        return t instanceof InvalidInputException ? 400 : 500;
    }

    static String httpMessage(Throwable t) {
        if (t instanceof InvalidInputException bad) {
            return bad.getMessage();
        }
        logInternal(t);
        return "internal error; the request was not assessed";
    }

    private static void logInternal(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        String where = stack.length == 0 ? "unknown" : stack[0].toString();
        LOG.log(Level.ERROR, "internal error " + t.getClass().getName() + " at " + where);
    }
}
