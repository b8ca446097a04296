package health.vclinic.api.grpcwire;

import io.grpc.Status;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2Settings;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.Router;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector;
import io.helidon.webserver.http2.spi.SubProtocolResult;
import java.util.Locale;
import java.util.Optional;

/**
 * Takes every gRPC request (POST, {@code content-type: application/grpc...}) on an HTTP/2 connection,
 * the same ones Helidon's own gRPC selector takes, and puts the wire in front of Helidon's handler:
 * a {@link ResponseWriter} for the stream and a {@link WireHandler} around the handler, or a
 * {@link Refusal} for a content subtype other than proto (PROTOCOL-HTTP2.md allows
 * {@code application/grpc+json} and others; this server serves protobuf only).
 */
final class WireSelector implements Http2SubProtocolSelector {

    private static final String GRPC = "application/grpc";

    private final Http2SubProtocolSelector helidon;
    private final long maxMessageBytes;
    private final WireEvents events;

    WireSelector(Http2SubProtocolSelector helidon, long maxMessageBytes, WireEvents events) {
        this.helidon = helidon;
        this.maxMessageBytes = maxMessageBytes;
        this.events = events;
    }

    @Override
    public SubProtocolResult subProtocol(ConnectionContext ctx, HttpPrologue prologue, Http2Headers headers,
                                         Http2StreamWriter streamWriter, int streamId, Http2Settings serverSettings,
                                         Http2Settings clientSettings, StreamFlowControl flowControl,
                                         Http2StreamState currentStreamState, Router router) {
        Optional<String> contentType = headers.httpHeaders().first(HeaderNames.CONTENT_TYPE);
        if (prologue.method() != Method.POST || contentType.isEmpty() || !contentType.get().startsWith(GRPC)) {
            return NOT_SUPPORTED;
        }
        long start = System.nanoTime();
        ResponseWriter writer = new ResponseWriter(streamWriter, prologue.uriPath().rawPath(),
                () -> events.answered(Status.Code.UNIMPLEMENTED, System.nanoTime() - start));
        if (!servesProto(contentType.get())) {
            events.answered(Status.Code.UNIMPLEMENTED, System.nanoTime() - start);
            return new SubProtocolResult(true, new Refusal(writer, streamId, currentStreamState,
                    Status.UNIMPLEMENTED.withDescription("this server speaks gRPC with protobuf messages only:"
                            + " send content-type application/grpc or application/grpc+proto")));
        }
        SubProtocolResult result = helidon.subProtocol(ctx, prologue, headers, writer, streamId, serverSettings,
                clientSettings, flowControl, currentStreamState, router);
        if (!result.supported()) {
            return result;
        }
        return new SubProtocolResult(true, new WireHandler(result.subProtocol(), streamId, currentStreamState,
                maxMessageBytes));
    }

    /** {@code application/grpc} or {@code application/grpc+proto}, with or without parameters. */
    static boolean servesProto(String contentType) {
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals(GRPC) || type.equals(GRPC + "+proto");
    }
}
