package health.vclinic.api.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import health.vclinic.datasets.InvalidInputException.Violation;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * HTTP JSON's rendering of an {@link ApiError}: the status from its kind and the body
 * <pre>{"error": {"code": "INVALID_ARGUMENT", "message": "...", "violations": [{"field": "...", "allowed": "..."}]}}</pre>
 * where {@code code} is the gRPC code name, so an HTTP and a gRPC caller read the same words. The body
 * is serialised by Jackson, so any character in a message (a key with U+0001 in it) stays valid JSON.
 */
public final class HttpErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpErrors() {
    }

    private record Body(Detail error) {
    }

    private record Detail(String code, String message, List<Violation> violations) {
    }

    /** The JSON body for {@code error}. */
    public static String body(ApiError error) {
        try {
            return JSON.writeValueAsString(new Body(new Detail(error.kind().grpc().name(), error.message(),
                    error.violations())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body always serialises", e);
        }
    }

    /** Sends {@code error} as the response. */
    public static void send(ServerResponse res, ApiError error) {
        res.status(Status.create(error.kind().http()));
        if (error.kind() == ApiError.Kind.UNAUTHENTICATED) {
            res.header(HeaderNames.WWW_AUTHENTICATE, wwwAuthenticate(error.message()));
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body(error));
    }

    /** RFC 6750 §3: the Bearer challenge, naming the error (quotes and backslashes cannot occur in our messages). */
    public static String wwwAuthenticate(String message) {
        String description = message.replace('"', '\'').replace('\\', '/');
        return "Bearer realm=\"vclinic\", error=\"invalid_token\", error_description=\"" + description + "\"";
    }

    /** Sends what {@code t} means to the caller (see {@link Errors#classify}). */
    public static void send(ServerResponse res, Throwable t) {
        send(res, Errors.classify(t));
    }
}
