package health.vclinic.api.grpcwire;

import io.grpc.Status;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2StreamWriter;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import java.util.Optional;

/**
 * A gRPC request answered before any service sees it (an unsupported content type): trailers only,
 * then the stream stays half-closed (local) until the client ends it, as {@link WireHandler} explains.
 */
final class Refusal implements SubProtocolHandler {

    private final Http2StreamWriter writer;
    private final int streamId;
    private final Status status;
    private volatile boolean remoteEnded;
    private volatile boolean reset;

    Refusal(Http2StreamWriter writer, int streamId, Http2StreamState initialState, Status status) {
        this.writer = writer;
        this.streamId = streamId;
        this.status = status;
        this.remoteEnded = initialState == Http2StreamState.HALF_CLOSED_REMOTE
                || initialState == Http2StreamState.CLOSED;
    }

    @Override
    public void init() {
        writer.writeHeaders(ResponseWriter.trailersOnly(status, Optional.empty()), streamId,
                ResponseWriter.endOfStream(), FlowControl.Outbound.NOOP);
    }

    @Override
    public Http2StreamState streamState() {
        return reset || remoteEnded ? Http2StreamState.CLOSED : Http2StreamState.HALF_CLOSED_LOCAL;
    }

    @Override
    public void rstStream(Http2RstStream rstStream) {
        reset = true;
    }

    @Override
    public void windowUpdate(Http2WindowUpdate update) {
    }

    @Override
    public void data(Http2FrameHeader header, BufferData data) {
        remoteEnded |= header.flags(Http2FrameTypes.DATA).endOfStream();
    }
}
