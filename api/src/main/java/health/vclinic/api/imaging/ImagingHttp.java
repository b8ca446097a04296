package health.vclinic.api.imaging;

import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.imaging.Cancellation;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /v1/imaging:analyze}. The body is either the image file itself
 * ({@code Content-Type: image/png}, {@code image/jpeg} or {@code application/octet-stream}; query
 * parameters {@code study_id} and {@code skip_saliency=true}) or an {@code AnalyzeRequest} in the
 * proto3 JSON mapping ({@code application/json}, image as base64). The answer is an
 * {@code ImageAnalysis} in JSON. The body is read up to the image byte limit and no further.
 *
 * <p>Helidon SE gives a handler no signal when an HTTP/1.1 client disconnects, so the request gets a
 * server-side deadline instead ({@link #DEADLINE}): work a client abandoned is dropped once it has
 * waited that long, before it reaches a decoder or the model, and answered 504 to no one.
 */
public final class ImagingHttp {

    /** The route, as registered and as counted in metrics. */
    public static final String PATH = "/v1/imaging:analyze";
    /**
     * The longest an HTTP request may wait for a decoder and the model: 30 s, well beyond a saliency
     * map under load (tens of milliseconds) and the common 30 s HTTP client and proxy timeouts, after
     * which no client is left to read the answer.
     */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private ImagingHttp() {
    }

    /** Handles one request; never throws for bad input (400) or a refused request (503, 504). */
    public static void analyze(ImagingEndpoint endpoint, ServerRequest req, ServerResponse res) {
        String contentType = req.headers().contentType().map(HttpMediaType::mediaType)
                .map(m -> m.type() + "/" + m.subtype()).orElse("").toLowerCase(Locale.ROOT);
        boolean json = contentType.equals("application/json");
        int maxBytes = endpoint.limits().maxBytes();
        // Base64 in JSON takes 4 bytes per 3, plus room for the other fields.
        int limit = json ? (int) Math.min(Integer.MAX_VALUE - 16, maxBytes * 4L / 3 + 4096) : maxBytes;
        try {
            if (!json && !contentType.equals("image/png") && !contentType.equals("image/jpeg")
                    && !contentType.equals("application/octet-stream")) {
                throw new InvalidInputException("content-type", "must be image/png, image/jpeg,"
                        + " application/octet-stream (the image file as the body) or application/json");
            }
            byte[] body = read(req, limit, json, maxBytes);
            AnalyzeRequest request = json ? ImagingEndpoint.parseJson(new String(body, StandardCharsets.UTF_8))
                    : AnalyzeRequest.newBuilder()
                            .setStudyId(req.query().first("study_id").orElse(""))
                            .setSkipSaliency(req.query().first("skip_saliency").map(Boolean::parseBoolean).orElse(false))
                            .setImage(com.google.protobuf.ByteString.copyFrom(body))
                            .build();
            send(res, Status.OK_200, ImagingEndpoint.toJson(endpoint.analyze(health.vclinic.api.security.Caller.of(req).clinic(), request,
                    Cancellation.withDeadline(Optional.of(DEADLINE)))));
        } catch (UncheckedIOException e) {
            // The client went away mid-body, or Helidon refused it as too large: nothing to answer.
            throw e;
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
        }
    }

    /**
     * Reads at most {@code limit} bytes; one more means the body is too large, refused without
     * reading the rest.
     */
    private static byte[] read(ServerRequest req, int limit, boolean json, int maxBytes) {
        if (!req.content().hasEntity()) {
            throw new InvalidInputException(ImagingEndpoint.IMAGE_FIELD, "is empty; send the bytes of a PNG or JPEG image");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new InvalidInputException(ImagingEndpoint.IMAGE_FIELD, String.format(Locale.ROOT,
                        "is more than %,d bytes%s; images of at most %,d bytes are accepted", limit,
                        json ? " of JSON" : "", maxBytes));
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(ServerResponse res, Status status, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }
}
