package health.vclinic.api.triage;

import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.server.Limits;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** {@code POST /v1/triage:assess}: a TriageRequest in the proto3 JSON mapping in, a TriageAssessment out. */
public final class TriageHttp {

    /** The route, as registered and as counted in metrics. */
    public static final String PATH = "/v1/triage:assess";

    private TriageHttp() {
    }

    /** Handles one request; bad input is a 4xx with the fields named, never an exception out of here. */
    public static void assess(TriageEndpoint endpoint, ServerRequest req, ServerResponse res) {
        if (!req.content().hasEntity()) {
            HttpErrors.send(res, ApiError.of(Kind.INVALID_ARGUMENT, "request body must be a TriageRequest JSON object"));
            return;
        }
        // Read outside the try: a body over the transport's limit or a client that goes away mid-body is
        // Helidon's to answer (413, closed connection), not an error of the assessment.
        byte[] body = boundedBody(req);
        String out;
        try {
            if (body.length > Limits.MAX_PAYLOAD_BYTES) {
                throw new ApiException(Kind.PAYLOAD_TOO_LARGE,
                        "request body must be at most " + Limits.MAX_PAYLOAD_BYTES + " bytes");
            }
            out = TriageEndpoint.toJson(endpoint.assess(TriageEndpoint.parseJson(
                    new String(body, StandardCharsets.UTF_8))));
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out);
    }

    /**
     * At most one byte more than {@link Limits#MAX_PAYLOAD_BYTES}: the server admits larger bodies for
     * images, so this route keeps its own bound and never reads past it.
     */
    private static byte[] boundedBody(ServerRequest req) {
        try (InputStream in = req.content().inputStream()) {
            return in.readNBytes((int) Limits.MAX_PAYLOAD_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
