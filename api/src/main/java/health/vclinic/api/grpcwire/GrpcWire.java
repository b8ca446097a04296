package health.vclinic.api.grpcwire;

import io.grpc.ServerInterceptor;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcProtocolSelector;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The gRPC wire in front of Helidon 4.5's gRPC handler: every malformed request is answered at once
 * with a gRPC status (INVALID_ARGUMENT for a message that does not parse or a wrong message count,
 * RESOURCE_EXHAUSTED over the size limit, UNIMPLEMENTED for an unknown method or content subtype), never
 * a hang, an HTTP 404 or a logged stack trace; {@code grpc-message} is percent-encoded; and a stream the
 * server finished early no longer closes the connection when the client's last frames arrive.
 *
 * <p>Install both halves: {@link #connectionSelector} on the server (it is tried before Helidon's own
 * HTTP/2 selector, for connections that start with the HTTP/2 preface, i.e. every gRPC client) and
 * {@link #callGuard} in the gRPC routing, below the metrics interceptor so that statuses the wire
 * answers are counted per method. Requests answered before any method is known are reported to the
 * {@link WireEvents}. Wire format: gRPC over HTTP/2, grpc/grpc doc/PROTOCOL-HTTP2.md.
 */
public final class GrpcWire {

    private GrpcWire() {
    }

    /**
     * An HTTP/2 (prior knowledge) connection selector configured by {@code http2} whose gRPC streams go
     * through the wire, then to Helidon's gRPC handler configured by {@code grpc}; other requests go to
     * the HTTP routing as usual.
     *
     * @param maxMessageBytes largest request message accepted; keep {@code grpc.maxReadBufferSize()} at
     *                        least this large so Helidon never refuses a message the wire let through
     * @param windowUpdates what every connection's writes pass through ({@link WindowUpdateGuard})
     */
    public static ServerConnectionSelector connectionSelector(Http2Config http2, GrpcConfig grpc,
                                                              long maxMessageBytes, WireEvents events,
                                                              WindowUpdateGuard windowUpdates) {
        if (grpc.maxReadBufferSize() < maxMessageBytes) {
            throw new IllegalArgumentException("grpc max-read-buffer-size " + grpc.maxReadBufferSize()
                    + " is below maxMessageBytes " + maxMessageBytes);
        }
        return windowUpdates.connections(Http2ConnectionSelector.builder()
                .http2Config(http2)
                .addSubProtocolSelector(new WireSelector(GrpcProtocolSelector.create(grpc), maxMessageBytes, events))
                .build());
    }

    /** The interceptor through which the wire ends a call; register it in the gRPC routing. */
    public static ServerInterceptor callGuard() {
        return new CallGuard();
    }
}
