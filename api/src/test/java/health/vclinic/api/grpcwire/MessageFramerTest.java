package health.vclinic.api.grpcwire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusException;
import io.helidon.common.buffers.BufferData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gRPC Length-Prefixed-Message framing (PROTOCOL-HTTP2.md), whatever the DATA frames' boundaries. */
class MessageFramerTest {

    private static byte[] prefixed(int flag, long length, byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) flag).putInt((int) length).put(message).array();
    }

    private static List<byte[]> feedInPieces(MessageFramer framer, byte[] body, int piece) throws StatusException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < body.length; i += piece) {
            out.addAll(framer.feed(BufferData.create(Arrays.copyOfRange(body, i, Math.min(body.length, i + piece)))));
        }
        return out;
    }

    @Test
    void messagesAreCutOutWhateverTheFrameBoundaries() throws StatusException {
        byte[] a = {1, 2, 3};
        byte[] b = new byte[0];
        byte[] c = new byte[300];
        Arrays.fill(c, (byte) 7);
        ByteBuffer body = ByteBuffer.allocate(15 + 303);
        body.put(prefixed(0, 3, a)).put(prefixed(0, 0, b)).put(prefixed(0, 300, c));
        for (int piece : new int[] {1, 2, 4, 5, 7, 64, 1000}) {
            MessageFramer framer = new MessageFramer(1024);
            List<byte[]> messages = feedInPieces(framer, body.array(), piece);
            assertEquals(3, messages.size(), "pieces of " + piece);
            assertArrayEquals(a, messages.get(0));
            assertArrayEquals(b, messages.get(1));
            assertArrayEquals(c, messages.get(2));
            framer.end();
        }
    }

    @Test
    void aMessageAtTheLimitIsTakenOneOverIsResourceExhaustedFromThePrefixAlone() throws StatusException {
        assertEquals(1, new MessageFramer(4).feed(BufferData.create(prefixed(0, 4, new byte[4]))).size());

        StatusException e = assertThrows(StatusException.class,
                () -> new MessageFramer(4).feed(BufferData.create(prefixed(0, 5, new byte[0]))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("limit is 4 bytes"), e.getStatus().getDescription());

        StatusException huge = assertThrows(StatusException.class,
                () -> new MessageFramer(4).feed(BufferData.create(prefixed(0, 0xffffffffL, new byte[0]))));
        assertTrue(huge.getStatus().getDescription().contains("4294967295 bytes"), huge.getStatus().getDescription());
    }

    @Test
    void onlyFlagZeroIsTaken() {
        for (int flag : new int[] {1, 2, 0x7f, 0x80, 0xff}) {
            StatusException e = assertThrows(StatusException.class,
                    () -> new MessageFramer(64).feed(BufferData.create(prefixed(flag, 1, new byte[1]))));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "flag " + flag);
        }
    }

    @Test
    void aBodyEndingInsideAPrefixOrAMessageIsTruncated() throws StatusException {
        MessageFramer inPrefix = new MessageFramer(64);
        inPrefix.feed(BufferData.create(new byte[] {0, 0, 0}));
        StatusException prefix = assertThrows(StatusException.class, inPrefix::end);
        assertEquals(Status.Code.INVALID_ARGUMENT, prefix.getStatus().getCode());
        assertTrue(prefix.getStatus().getDescription().contains("3 of 5 bytes"), prefix.getStatus().getDescription());

        MessageFramer inMessage = new MessageFramer(64);
        assertEquals(List.of(), inMessage.feed(BufferData.create(prefixed(0, 10, new byte[4]))));
        StatusException message = assertThrows(StatusException.class, inMessage::end);
        assertTrue(message.getStatus().getDescription().contains("4 of 10 bytes"), message.getStatus().getDescription());
    }

    @Test
    void anEmptyBodyIsNoMessageAndNotTruncated() throws StatusException {
        MessageFramer framer = new MessageFramer(64);
        assertEquals(List.of(), framer.feed(BufferData.empty()));
        framer.end();
    }
}
