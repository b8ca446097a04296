package health.vclinic.api.server;

import health.vclinic.datasets.InvalidInputException.Violation;
import java.util.List;

/**
 * What went wrong with a call, in the one vocabulary every transport maps from: the kind of failure,
 * a message a caller can act on, and the fields that were wrong with what each allows. Built by
 * {@link Errors#classify}; rendered by {@link GrpcErrors} (gRPC status), {@link HttpErrors} (HTTP JSON)
 * and the FHIR adapter (OperationOutcome). Never carries a rejected value or other patient data.
 */
public record ApiError(Kind kind, String message, List<Violation> violations) {

    /** The kinds a caller can tell apart; each has one gRPC code and one HTTP status. */
    public enum Kind {
        /** The request is malformed or a value is outside its allowed range. */
        INVALID_ARGUMENT(io.grpc.Status.Code.INVALID_ARGUMENT, 400),
        /** The request parses but cannot be used as it stands (FHIR's 422). */
        UNPROCESSABLE(io.grpc.Status.Code.INVALID_ARGUMENT, 422),
        /** The body is not in a media type this route takes. */
        UNSUPPORTED_MEDIA_TYPE(io.grpc.Status.Code.INVALID_ARGUMENT, 415),
        /** The body or message is over its size limit. */
        PAYLOAD_TOO_LARGE(io.grpc.Status.Code.RESOURCE_EXHAUSTED, 413),
        /** A queue or quota is full: try again later. */
        RESOURCE_EXHAUSTED(io.grpc.Status.Code.RESOURCE_EXHAUSTED, 503),
        /** The caller's deadline passed before the work was done. */
        DEADLINE_EXCEEDED(io.grpc.Status.Code.DEADLINE_EXCEEDED, 504),
        /** The caller went away or cancelled; nothing is sent back to anyone. */
        CANCELLED(io.grpc.Status.Code.CANCELLED, 499),
        /** The method, route or encoding does not exist here. */
        UNIMPLEMENTED(io.grpc.Status.Code.UNIMPLEMENTED, 404),
        /** The caller's clinic spent its quota (requests per second, images in flight): retry later. */
        QUOTA_EXCEEDED(io.grpc.Status.Code.RESOURCE_EXHAUSTED, 429),
        /** No valid credentials: no token, or a malformed, expired, forged or foreign one. */
        UNAUTHENTICATED(io.grpc.Status.Code.UNAUTHENTICATED, 401),
        /** Valid credentials whose role may not do this. */
        PERMISSION_DENIED(io.grpc.Status.Code.PERMISSION_DENIED, 403),
        /** No such object (or not one the caller may see: existence is not revealed). */
        NOT_FOUND(io.grpc.Status.Code.NOT_FOUND, 404),
        /** The service is stopping or a dependency it needs is down. */
        UNAVAILABLE(io.grpc.Status.Code.UNAVAILABLE, 503),
        /** Our fault; the detail is in the log (by type and code location), never on the wire. */
        INTERNAL(io.grpc.Status.Code.INTERNAL, 500);

        private final io.grpc.Status.Code grpc;
        private final int http;

        Kind(io.grpc.Status.Code grpc, int http) {
            this.grpc = grpc;
            this.http = http;
        }

        public io.grpc.Status.Code grpc() {
            return grpc;
        }

        public int http() {
            return http;
        }

        /** Whether the caller, not the service, is at fault (counted, never logged with a stack trace). */
        public boolean clientError() {
            return http >= 400 && http < 500;
        }
    }

    public ApiError {
        if (message.isBlank()) {
            throw new IllegalArgumentException("an error needs a message");
        }
        violations = List.copyOf(violations);
    }

    public static ApiError of(Kind kind, String message) {
        return new ApiError(kind, message, List.of());
    }

    /** A bad field: {@code field} is a path in the caller's vocabulary, {@code allowed} what it accepts. */
    public static ApiError invalid(String field, String allowed) {
        return new ApiError(Kind.INVALID_ARGUMENT, field + " " + allowed, List.of(new Violation(field, allowed)));
    }
}
