package health.vclinic.api.grpcwire;

import io.helidon.common.buffers.BufferData;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a gRPC request body into its length-prefixed messages, whatever the HTTP/2 DATA frames' sizes.
 *
 * <p>gRPC over HTTP/2 (grpc/grpc, doc/PROTOCOL-HTTP2.md, "Length-Prefixed-Message"): a one-byte
 * Compressed-Flag, a four-byte big-endian Message-Length, then the message. The flag is 0 (identity) or
 * 1 (compressed with the call's {@code grpc-encoding}); this server takes identity only, so 1 is a
 * client error, and so is any other flag value (PROTOCOL-HTTP2.md defines no others). A length over the
 * limit is refused from the prefix alone, before any of the message is buffered, with
 * RESOURCE_EXHAUSTED as grpc-java does. A body that ends inside a prefix or a message is truncated.
 */
final class MessageFramer {

    private static final int PREFIX_BYTES = 5;

    private final long maxMessageBytes;
    private final byte[] prefix = new byte[PREFIX_BYTES];
    private int prefixFill;
    private byte[] message;
    private int messageFill;

    MessageFramer(long maxMessageBytes) {
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 0, got " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The messages completed by these bytes, in order; a refused prefix throws with the status to answer. */
    List<byte[]> feed(BufferData data) throws StatusException {
        List<byte[]> complete = new ArrayList<>(1);
        while (data.available() > 0) {
            if (message == null) {
                int n = data.read(prefix, prefixFill, PREFIX_BYTES - prefixFill);
                prefixFill += n;
                if (prefixFill < PREFIX_BYTES) {
                    continue;
                }
                message = new byte[checkedLength()];
                messageFill = 0;
            }
            if (messageFill < message.length) {
                messageFill += data.read(message, messageFill, Math.min(data.available(), message.length - messageFill));
            }
            if (messageFill == message.length) {
                complete.add(message);
                message = null;
                prefixFill = 0;
            }
        }
        return complete;
    }

    /** The client ended its stream: anything left half-read means the body was cut off. */
    void end() throws StatusException {
        if (message != null || prefixFill > 0) {
            long expected = message == null ? PREFIX_BYTES : message.length;
            long got = message == null ? prefixFill : messageFill;
            throw Status.INVALID_ARGUMENT.withDescription("the request body ends inside a gRPC "
                    + (message == null ? "message prefix" : "message") + ": " + got + " of " + expected
                    + " bytes arrived").asException();
        }
    }

    private int checkedLength() throws StatusException {
        int flag = prefix[0] & 0xff;
        long length = ((prefix[1] & 0xffL) << 24) | ((prefix[2] & 0xff) << 16) | ((prefix[3] & 0xff) << 8)
                | (prefix[4] & 0xff);
        if (flag == 1) {
            throw Status.INVALID_ARGUMENT.withDescription("the message is flagged compressed (1) but this server"
                    + " takes identity messages only (flag 0, no grpc-encoding)").asException();
        }
        if (flag != 0) {
            throw Status.INVALID_ARGUMENT.withDescription(String.format("the message flag byte is 0x%02x; gRPC"
                    + " allows 0 (identity) or 1 (compressed)", flag)).asException();
        }
        if (length > maxMessageBytes) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("the request message is " + length
                    + " bytes; the limit is " + maxMessageBytes + " bytes").asException();
        }
        return (int) length;
    }
}
