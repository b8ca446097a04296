package health.vclinic.api.grpcwire;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps a WINDOW_UPDATE frame with an increment of 0 from leaving the server.
 *
 * <p>Helidon 4.5.0 defers the connection's inbound credit in a plain {@code int} that every stream's
 * thread updates ({@code WindowSizeImpl.Strategy.Bisection}). When two streams cross the watermark
 * together, one can send the credit the other has just reset: a WINDOW_UPDATE of 0 on stream 0.
 * RFC 9113 §6.9 makes that a connection error, and clients (grpc-java, for one) close the connection
 * with every stream on it: a gateway multiplexing many devices loses them all. The frame carries no
 * credit, so not sending it changes nothing else; newer Helidon releases rework this flow control, and
 * none of them can be resolved here (see the monitoring report).
 *
 * <p>The writes of a connection pass through {@link #connections}: Helidon's HTTP/2 writer writes each
 * frame as one buffer, header and payload together, so a WINDOW_UPDATE is one 13-byte write. Only writes
 * of that length are looked at.
 */
public final class WindowUpdateGuard {

    /** A frame header (9 bytes) and a WINDOW_UPDATE's payload (4). */
    static final int WINDOW_UPDATE_FRAME_BYTES = 13;
    private static final int WINDOW_UPDATE = 0x8;

    private final LongAdder dropped = new LongAdder();

    /** WINDOW_UPDATE frames of 0 kept from the wire since start. */
    public long dropped() {
        return dropped.sum();
    }

    /** {@code selector}, with every connection it makes writing through this guard. */
    public ServerConnectionSelector connections(ServerConnectionSelector selector) {
        return new ServerConnectionSelector() {
            @Override
            public int bytesToIdentifyConnection() {
                return selector.bytesToIdentifyConnection();
            }

            @Override
            public Support supports(BufferData request) {
                return selector.supports(request);
            }

            @Override
            public Set<String> supportedApplicationProtocols() {
                return selector.supportedApplicationProtocols();
            }

            @Override
            public ServerConnection connection(ConnectionContext ctx) {
                return selector.connection(new Guarded(ctx, writer(ctx.dataWriter())));
            }
        };
    }

    /** {@code writer}, without the WINDOW_UPDATE frames of 0 written to it. */
    DataWriter writer(DataWriter writer) {
        return new DataWriter() {
            @Override
            public void write(BufferData... buffers) {
                for (BufferData b : buffers) {
                    write(b);
                }
            }

            @Override
            public void write(BufferData buffer) {
                if (!dropped(buffer)) {
                    writer.write(buffer);
                }
            }

            @Override
            public void writeNow(BufferData... buffers) {
                for (BufferData b : buffers) {
                    writeNow(b);
                }
            }

            @Override
            public void writeNow(BufferData buffer) {
                if (!dropped(buffer)) {
                    writer.writeNow(buffer);
                }
            }

            @Override
            public void flush() {
                writer.flush();
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }

    private boolean dropped(BufferData buffer) {
        if (buffer.available() != WINDOW_UPDATE_FRAME_BYTES || !isZeroWindowUpdate(buffer)) {
            return false;
        }
        dropped.increment();
        return true;
    }

    /**
     * Whether {@code frame} (one whole frame) is a WINDOW_UPDATE of 0. It is looked at with
     * {@link BufferData#get(int)}, relative to the read position, which consumes nothing ({@code copy()}
     * would: it reads the buffer it copies).
     */
    static boolean isZeroWindowUpdate(BufferData frame) {
        int length = (frame.get(0) & 0xff) << 16 | (frame.get(1) & 0xff) << 8 | frame.get(2) & 0xff;
        int type = frame.get(3) & 0xff;
        // get(4) holds the flags (none defined for WINDOW_UPDATE), get(5..8) the stream: 0 is the
        // connection, and a stream's increment of 0 is as much an error.
        int increment = (frame.get(9) & 0x7f) << 24 | (frame.get(10) & 0xff) << 16 | (frame.get(11) & 0xff) << 8
                | frame.get(12) & 0xff;
        return length == 4 && type == WINDOW_UPDATE && increment == 0;
    }

    /** A connection's context with its writes guarded; everything else is the connection's own. */
    private record Guarded(ConnectionContext ctx, DataWriter guarded) implements ConnectionContext {
        @Override
        public DataWriter dataWriter() {
            return guarded;
        }

        @Override
        public ListenerContext listenerContext() {
            return ctx.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return ctx.executor();
        }

        @Override
        public DataReader dataReader() {
            return ctx.dataReader();
        }

        @Override
        public Router router() {
            return ctx.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return ctx.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return ctx.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return ctx.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return ctx.localPeer();
        }

        @Override
        public boolean isSecure() {
            return ctx.isSecure();
        }

        @Override
        public String socketId() {
            return ctx.socketId();
        }

        @Override
        public String childSocketId() {
            return ctx.childSocketId();
        }
    }
}
