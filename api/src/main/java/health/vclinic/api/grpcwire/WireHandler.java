package health.vclinic.api.grpcwire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2StreamState;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.webserver.http2.spi.Http2SubProtocolSelector.SubProtocolHandler;
import java.io.ByteArrayInputStream;
import java.util.Optional;

/**
 * One gRPC stream, in front of Helidon 4.5's handler for it.
 *
 * <p>Helidon parses each message inside its data handler; when parsing fails it logs a SEVERE stack
 * trace, cancels the service and never answers, so the client waits forever. It also answers "no
 * message", "two messages" on a unary call and a truncated body with INTERNAL, and takes any flag byte.
 * Here every message is framed ({@link MessageFramer}) and parsed with the parser of the method's marshaller
 * before Helidon sees it; a message that does not parse, a second message on a unary call, a missing or
 * cut-off message end the call at once with INVALID_ARGUMENT (RESOURCE_EXHAUSTED over the size limit),
 * through {@link CallGuard}, and nothing is logged: the client's mistake is counted in {@code /metrics}
 * by the method interceptors like any other status. Helidon gets whole, valid messages only, and parses
 * them again (a triage request is about 1 KB; an image message is copied once more).
 *
 * <p>The stream's state is also kept here. Helidon marks a stream CLOSED when a call ends before the
 * service's listener exists (an interceptor refusing it, e.g. a compressed or already-expired call),
 * even though the client may still be sending; the connection then forgets the stream, and the
 * client's next frame on it, once a newer stream is open, closes the whole connection with
 * PROTOCOL_ERROR (RFC 9113 5.1 makes it at most a stream error). So a stream the server has finished
 * stays half-closed (local) until the client's END_STREAM or RST_STREAM arrives.
 */
final class WireHandler implements SubProtocolHandler {

    private static final BufferData NO_DATA = BufferData.empty();

    private final SubProtocolHandler helidon;
    private final int streamId;
    private final MessageFramer framer;
    private volatile boolean remoteEnded;
    private volatile boolean reset;
    private volatile boolean failed;
    private CallGuard.GuardedCall<?, ?> call;
    private MethodDescriptor<?, ?> method;
    /** The request type's own parser, when the marshaller names a protobuf prototype; else null. */
    private Parser<?> parser;
    private int messages;

    WireHandler(SubProtocolHandler helidon, int streamId, Http2StreamState initialState, long maxMessageBytes) {
        this.helidon = helidon;
        this.streamId = streamId;
        this.framer = new MessageFramer(maxMessageBytes);
        this.remoteEnded = initialState == Http2StreamState.HALF_CLOSED_REMOTE
                || initialState == Http2StreamState.CLOSED;
    }

    @Override
    public void init() {
        CallGuard.Slot slot = new CallGuard.Slot();
        ScopedValue.where(CallGuard.SLOT, slot).run(helidon::init);
        call = slot.call();
        method = call == null ? null : call.getMethodDescriptor();
        parser = method != null && method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> m
                && m.getMessagePrototype() instanceof MessageLite prototype ? prototype.getParserForType() : null;
    }

    @Override
    public Http2StreamState streamState() {
        if (reset) {
            return Http2StreamState.CLOSED;
        }
        Http2StreamState state = helidon.streamState();
        boolean localEnded = failed || state == Http2StreamState.HALF_CLOSED_LOCAL
                || state == Http2StreamState.CLOSED;
        if (localEnded) {
            return remoteEnded ? Http2StreamState.CLOSED : Http2StreamState.HALF_CLOSED_LOCAL;
        }
        return remoteEnded ? Http2StreamState.HALF_CLOSED_REMOTE : state;
    }

    @Override
    public void rstStream(Http2RstStream rstStream) {
        reset = true;
        helidon.rstStream(rstStream);
    }

    @Override
    public void windowUpdate(Http2WindowUpdate update) {
        helidon.windowUpdate(update);
    }

    @Override
    public void data(Http2FrameHeader header, BufferData data) {
        if (reset) {
            return;
        }
        boolean end = header.flags(Http2FrameTypes.DATA).endOfStream();
        if (call == null) {
            // No call was started here (an unknown method, answered by Helidon), or CallGuard is not
            // installed in the routing: Helidon's handler has the stream to itself.
            remoteEnded |= end;
            helidon.data(header, data);
            return;
        }
        if (acceptingMessages()) {
            try {
                for (byte[] message : framer.feed(data)) {
                    accept(message);
                }
                if (end) {
                    framer.end();
                    if (oneRequestMessage() && messages == 0) {
                        throw Status.INVALID_ARGUMENT.withDescription("the request has no message; "
                                + method.getFullMethodName() + " takes exactly one").asException();
                    }
                }
            } catch (StatusException e) {
                fail(e.getStatus());
            }
        }
        if (end) {
            remoteEnded = true;
            helidon.data(frameHeader(0, true), NO_DATA);
        }
    }

    private boolean acceptingMessages() {
        return !failed && !call.closed();
    }

    private boolean oneRequestMessage() {
        return method.getType().clientSendsOneMessage();
    }

    private void accept(byte[] message) throws StatusException {
        messages++;
        if (oneRequestMessage() && messages > 1) {
            throw Status.INVALID_ARGUMENT.withDescription("the request has more than one message; "
                    + method.getFullMethodName() + " takes exactly one").asException();
        }
        Object parsed = validate(message);
        BufferData framed = BufferData.create(message.length + 5);
        framed.write(0);
        framed.writeUnsignedInt32(message.length);
        framed.write(message);
        Http2FrameHeader header = frameHeader(framed.available(), false);
        if (parsed != null) {
            // Helidon parses it again in this call: the marshallers of ParsedOnce take this parse instead.
            ScopedValue.where(ParsedOnce.HANDOFF, new ParsedOnce.Handoff(message, parsed))
                    .run(() -> helidon.data(header, framed));
        } else {
            helidon.data(header, framed);
        }
    }

    /**
     * Parses as the method's marshaller does, as Helidon is about to; a failure names what was wrong. A
     * protobuf request is parsed straight from the array: the marshaller, given a stream, would allocate
     * a 4 KB read buffer for every message (a quarter of what a monitoring sample cost to receive).
     *
     * @return the parsed protobuf request, which {@link ParsedOnce} hands to Helidon's parse; null otherwise
     */
    private Object validate(byte[] message) throws StatusException {
        try {
            if (parser != null) {
                return parser.parseFrom(message);
            }
            method.parseRequest(new ByteArrayInputStream(message));
            return null;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw Status.INVALID_ARGUMENT.withDescription("message " + messages + " is not a valid "
                    + messageType() + ": " + reason(e)).asException();
        }
    }

    private String messageType() {
        return Optional.ofNullable(method.getRequestMarshaller())
                .filter(m -> m instanceof MethodDescriptor.PrototypeMarshaller<?>)
                .map(m -> ((MethodDescriptor.PrototypeMarshaller<?>) m).getMessagePrototype())
                .map(p -> p instanceof com.google.protobuf.Message pm ? pm.getDescriptorForType().getFullName()
                        : p.getClass().getSimpleName())
                .orElse("request message");
    }

    /** The protobuf parser's own words (fixed texts such as "had invalid UTF-8"), never the content. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidProtocolBufferException ipbe) {
                return ipbe.getMessage();
            }
        }
        return "it does not parse";
    }

    private void fail(Status status) {
        failed = true;
        call.closeByWire(status, new Metadata());
    }

    private Http2FrameHeader frameHeader(int length, boolean end) {
        return Http2FrameHeader.create(length, Http2FrameTypes.DATA,
                Http2Flag.DataFlags.create(end ? Http2Flag.END_OF_STREAM : 0), streamId);
    }
}
