package health.vclinic.api.grpcwire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guard keeps WINDOW_UPDATE frames of 0 from the wire and passes every other write as it was. */
class WindowUpdateGuardTest {

    /** A frame as Helidon's HTTP/2 writer hands it over: the 9-byte header and the payload in one buffer. */
    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static final class Recorder implements DataWriter {
        final List<byte[]> written = new ArrayList<>();

        @Override
        public void write(BufferData... buffers) {
            for (BufferData b : buffers) {
                write(b);
            }
        }

        @Override
        public void write(BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            written.add(bytes);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            write(buffer);
        }
    }

    @Test
    void aWindowUpdateOfZeroIsKeptBackAndCounted() {
        WindowUpdateGuard guard = new WindowUpdateGuard();
        Recorder wire = new Recorder();
        DataWriter writer = guard.writer(wire);
        writer.writeNow(BufferData.create(frame(0x8, 0, 0, int32(0))));
        // The reserved bit is not part of the increment.
        writer.write(BufferData.create(frame(0x8, 0, 0, int32(0x80000000))));
        writer.writeNow(BufferData.create(frame(0x8, 0, 7, int32(0))));
        assertEquals(0, wire.written.size());
        assertEquals(3, guard.dropped());
    }

    @Test
    void everyOtherWriteReachesTheWireUnchanged() {
        WindowUpdateGuard guard = new WindowUpdateGuard();
        Recorder wire = new Recorder();
        DataWriter writer = guard.writer(wire);
        List<byte[]> frames = List.of(
                frame(0x8, 0, 0, int32(524_289)),              // the connection's credit
                frame(0x8, 0, 3, int32(1)),                    // a stream's
                frame(0x3, 0, 5, int32(0)),                    // RST_STREAM NO_ERROR: also 13 bytes of zeros
                frame(0x0, 1, 9, new byte[4]),                 // DATA of four zero bytes, end of stream
                frame(0x4, 1, 0, new byte[0]),                 // SETTINGS ack
                frame(0x6, 0, 0, new byte[8]),                 // PING
                frame(0x0, 0, 11, new byte[] {0, 0, 0, 0, 5, 1, 2, 3, 4, 5})); // a gRPC message
        for (byte[] f : frames) {
            writer.writeNow(BufferData.create(f));
        }
        writer.write(BufferData.create(frames.get(0)), BufferData.create(frames.get(1)));
        assertEquals(frames.size() + 2, wire.written.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), wire.written.get(i), "frame " + i);
        }
        assertEquals(0, guard.dropped());
    }

    @Test
    void recognisesOnlyAWholeWindowUpdateFrameOfZero() {
        assertTrue(WindowUpdateGuard.isZeroWindowUpdate(BufferData.create(frame(0x8, 0, 0, int32(0)))));
        assertFalse(WindowUpdateGuard.isZeroWindowUpdate(BufferData.create(frame(0x8, 0, 0, int32(1)))));
        assertFalse(WindowUpdateGuard.isZeroWindowUpdate(BufferData.create(frame(0x3, 0, 0, int32(0)))));
        assertFalse(WindowUpdateGuard.isZeroWindowUpdate(BufferData.create(frame(0x8, 0, 0, int32(0x7fffffff)))));
        assertFalse(WindowUpdateGuard.isZeroWindowUpdate(BufferData.create(frame(0x8, 0, 0, int32(0x00ff0000)))));
        // As Helidon's writer hands a frame over: its header and its payload, one buffer made of two.
        byte[] zero = frame(0x8, 0, 0, int32(0));
        BufferData composite = BufferData.create(BufferData.create(java.util.Arrays.copyOf(zero, 9)),
                BufferData.create(java.util.Arrays.copyOfRange(zero, 9, 13)));
        assertTrue(WindowUpdateGuard.isZeroWindowUpdate(composite));
        assertEquals(13, composite.available());
        BufferData looked = BufferData.create(frame(0x8, 0, 0, int32(0)));
        WindowUpdateGuard.isZeroWindowUpdate(looked);
        assertEquals(WindowUpdateGuard.WINDOW_UPDATE_FRAME_BYTES, looked.available(), "looking consumes nothing");
    }
}
