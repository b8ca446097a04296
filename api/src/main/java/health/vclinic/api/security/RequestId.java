package health.vclinic.api.security;

import io.grpc.Context;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of one request, for the audit trail: the caller's {@code x-request-id} when it is a plain token
 * (so a clinic can correlate its logs with ours), else a fresh UUID. The gate puts it beside the caller
 * and sends it back in the {@code x-request-id} header.
 *
 * @param value 1 to 128 printable ASCII characters without spaces
 */
public record RequestId(String value) {

    /** The header, on HTTP and in gRPC metadata. */
    public static final String HEADER = "x-request-id";
    /** The gRPC context key under which the gate stores it. */
    public static final Context.Key<RequestId> KEY = Context.key("vclinic-request-id");
    private static final Pattern FORM = Pattern.compile("[\\x21-\\x7e]{1,128}");

    public RequestId {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("a request id is 1 to 128 printable ASCII characters without spaces");
        }
    }

    /** The caller's id when well formed, else a fresh one. */
    public static RequestId from(Optional<String> given) {
        return given.filter(v -> FORM.matcher(v).matches()).map(RequestId::new)
                .orElseGet(() -> new RequestId(UUID.randomUUID().toString()));
    }

    /** The id of the current gRPC call (a fresh one outside the gate). */
    public static RequestId current() {
        RequestId id = KEY.get();
        return id != null ? id : from(Optional.empty());
    }

    /** The id of this HTTP request (a fresh one outside the gate). */
    public static RequestId of(ServerRequest request) {
        return request.context().get(RequestId.class, RequestId.class).orElseGet(() -> from(Optional.empty()));
    }
}
