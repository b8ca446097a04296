package health.vclinic.api.triage;

import health.vclinic.api.http.RequestBodies;
import health.vclinic.api.json.StrictJson;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.server.Limits;
import health.vclinic.api.security.Caller;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** {@code POST /v1/triage:assess}: a TriageRequest in the proto3 JSON mapping in, a TriageAssessment out. */
public final class TriageHttp {

    /** The route, as registered and as counted in metrics. */
    public static final String PATH = "/v1/triage:assess";

    private TriageHttp() {
    }

    /**
     * Handles one request; bad input is a 4xx naming what to fix, never an exception out of here. The body
     * must arrive within {@code bodyDeadline}; one cut off or too slow closes the connection.
     */
    public static void assess(TriageEndpoint endpoint, ServerRequest req, ServerResponse res, Duration bodyDeadline) {
        Optional<String> unsupported = RequestBodies.unsupportedMediaType(req, Set.of("application/json"));
        if (unsupported.isPresent()) {
            HttpErrors.send(res, ApiError.of(Kind.UNSUPPORTED_MEDIA_TYPE, unsupported.get()));
            return;
        }
        // A body over the limit is refused without reading the rest.
        Optional<byte[]> body = RequestBodies.read(req, res, Limits.MAX_PAYLOAD_BYTES, bodyDeadline);
        if (body.isEmpty()) {
            HttpErrors.send(res, ApiError.of(Kind.PAYLOAD_TOO_LARGE,
                    "request body must be at most " + Limits.MAX_PAYLOAD_BYTES + " bytes"));
            return;
        }
        if (body.get().length == 0) {
            HttpErrors.send(res, ApiError.of(Kind.INVALID_ARGUMENT, "request body must be a TriageRequest JSON object"));
            return;
        }
        String out;
        try {
            out = TriageEndpoint.toJson(endpoint.assess(Caller.of(req), TriageEndpoint.parseJson(StrictJson.decode(body.get()))));
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out);
    }
}
