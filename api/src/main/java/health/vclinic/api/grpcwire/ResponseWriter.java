package health.vclinic.api.grpcwire;

import io.grpc.Status;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2StreamWriter;
import java.util.Optional;

/**
 * Where every frame of one gRPC response leaves for the connection. Helidon 4.5's gRPC handlers write
 * straight to the connection's writer, so this is the one place that sees all of them:
 * <ul>
 *   <li>{@code grpc-message} is percent-encoded ({@link GrpcMessage}); Helidon writes it raw;</li>
 *   <li>Helidon's answer to an unknown method, HTTP 404, becomes what gRPC clients understand: HTTP 200
 *       with {@code grpc-status} UNIMPLEMENTED (PROTOCOL-HTTP2.md; grpc-java answers the same);</li>
 *   <li>nothing is written after END_STREAM: a late frame from a service racing its own end would
 *       otherwise reach the client on a closed stream.</li>
 * </ul>
 */
final class ResponseWriter implements Http2StreamWriter {

    static final HeaderName GRPC_STATUS = HeaderNames.createFromLowercase("grpc-status");
    static final HeaderName GRPC_MESSAGE = HeaderNames.createFromLowercase("grpc-message");
    private static final int HTTP_NOT_FOUND = 404;
    /** Bounds how much of a caller-chosen path is echoed back. */
    private static final int MAX_ECHOED_PATH = 120;

    private final Http2StreamWriter connection;
    private final String path;
    private final Runnable unknownMethod;
    private boolean ended;

    ResponseWriter(Http2StreamWriter connection, String path, Runnable unknownMethod) {
        this.connection = connection;
        this.path = path;
        this.unknownMethod = unknownMethod;
    }

    /** A response of trailers only: HTTP 200, {@code grpc-status} and {@code grpc-message}, END_STREAM. */
    static Http2Headers trailersOnly(Status status, Optional<String> acceptEncoding) {
        WritableHeaders<?> h = WritableHeaders.create();
        h.set(HeaderNames.CONTENT_TYPE, "application/grpc");
        acceptEncoding.ifPresent(e -> h.set(HeaderValues.create("grpc-accept-encoding", e)));
        h.set(HeaderValues.create(GRPC_STATUS, status.getCode().value()));
        if (status.getDescription() != null) {
            h.set(HeaderValues.create(GRPC_MESSAGE, status.getDescription()));
        }
        return Http2Headers.create(h).status(io.helidon.http.Status.OK_200);
    }

    static Http2Flag.HeaderFlags endOfStream() {
        return Http2Flag.HeaderFlags.create(Http2Flag.END_OF_HEADERS | Http2Flag.END_OF_STREAM);
    }

    @Override
    public synchronized void write(Http2FrameData frame) {
        connection.write(frame);
    }

    @Override
    public synchronized void writeData(Http2FrameData frame, FlowControl.Outbound flowControl) {
        if (ended) {
            return;
        }
        connection.writeData(frame, flowControl);
        ended = frame.header().flags(Http2FrameTypes.DATA).endOfStream();
    }

    @Override
    public synchronized int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags,
                                         FlowControl.Outbound flowControl) {
        if (ended) {
            return 0;
        }
        int written = connection.writeHeaders(rewrite(headers), streamId, flags, flowControl);
        ended = flags.endOfStream();
        return written;
    }

    @Override
    public synchronized int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags,
                                         Http2FrameData dataFrame, FlowControl.Outbound flowControl) {
        if (ended) {
            return 0;
        }
        int written = connection.writeHeaders(rewrite(headers), streamId, flags, dataFrame, flowControl);
        ended = flags.endOfStream() || dataFrame.header().flags(Http2FrameTypes.DATA).endOfStream();
        return written;
    }

    private Http2Headers rewrite(Http2Headers headers) {
        io.helidon.http.Status http = headers.status();
        if (http != null && http.code() == HTTP_NOT_FOUND) {
            unknownMethod.run();
            String shown = path.length() > MAX_ECHOED_PATH ? path.substring(0, MAX_ECHOED_PATH) + "..." : path;
            return encoded(trailersOnly(Status.UNIMPLEMENTED.withDescription("unknown gRPC method " + shown
                    + "; server reflection lists the services"), Optional.empty()));
        }
        return encoded(headers);
    }

    private static Http2Headers encoded(Http2Headers headers) {
        Optional<String> message = headers.httpHeaders().first(GRPC_MESSAGE);
        if (message.isEmpty()) {
            return headers;
        }
        String encoded = GrpcMessage.percentEncode(message.get());
        if (encoded.equals(message.get())) {
            return headers;
        }
        WritableHeaders<?> copy = WritableHeaders.create(headers.httpHeaders());
        copy.set(HeaderValues.create(GRPC_MESSAGE, encoded));
        Http2Headers out = Http2Headers.create(copy);
        return headers.status() == null ? out : out.status(headers.status());
    }
}
