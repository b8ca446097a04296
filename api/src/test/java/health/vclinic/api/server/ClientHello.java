package health.vclinic.api.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;

/**
 * A TLS ClientHello written byte by byte (RFC 5246 section 7.4.1.2), so a test can offer what the JDK's
 * own client no longer sends (TLS 1.1, a CBC suite alone) and see what the server answers with its first
 * record: a ServerHello, an alert, or nothing.
 */
final class ClientHello {

    static final int TLS_1_1 = 0x0302;
    static final int TLS_1_2 = 0x0303;
    static final int ECDHE_ECDSA_AES_128_GCM_SHA256 = 0xC02B;
    static final int ECDHE_ECDSA_AES_128_CBC_SHA = 0xC009;
    static final int ECDHE_ECDSA_AES_128_CBC_SHA256 = 0xC023;

    /** The server's first answer: a ServerHello with the suite it chose, an alert, or the connection closed. */
    sealed interface Answer {
    }

    record ServerHello(int version, int cipherSuite) implements Answer {
    }

    record Alert(int level, int description) implements Answer {
    }

    record Closed() implements Answer {
    }

    private ClientHello() {
    }

    /** Sends a ClientHello for {@code version} offering {@code suites} only, and reads the first record back. */
    static Answer offer(String host, int port, int version, int... suites) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            // A safety net for a server that hangs, not a timing assertion: the server answers at once.
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(record(handshake(version, suites)));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                int type = in.readUnsignedByte();
                in.readUnsignedShort(); // record version
                byte[] body = new byte[in.readUnsignedShort()];
                in.readFully(body);
                if (type == 21) {
                    return new Alert(body[0] & 0xff, body[1] & 0xff);
                }
                if (type == 22 && body[0] == 2) {
                    // handshake type, 3 bytes length, version, 32 bytes random, session id, suite
                    int v = ((body[4] & 0xff) << 8) | (body[5] & 0xff);
                    int sessionIdLength = body[38] & 0xff;
                    int suite = ((body[39 + sessionIdLength] & 0xff) << 8) | (body[40 + sessionIdLength] & 0xff);
                    return new ServerHello(v, suite);
                }
                throw new AssertionError("unexpected first record of type " + type);
            } catch (EOFException | SocketException closed) {
                return new Closed();
            }
        }
    }

    private static byte[] handshake(int version, int... suites) {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        u16(hello, version);
        hello.writeBytes(new byte[32]); // client random: its value does not matter to the server's choice
        hello.write(0); // no session id
        u16(hello, suites.length * 2);
        for (int s : suites) {
            u16(hello, s);
        }
        hello.write(1); // one compression method
        hello.write(0); // null
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        extension(ext, 0x000a, 0x0004, 0x0017, 0x001d); // supported_groups: secp256r1, x25519
        extension(ext, 0x000d, 0x0006, 0x0403, 0x0804, 0x0401); // signature_algorithms: ECDSA, PSS, PKCS#1
        ext.writeBytes(new byte[] {0x00, 0x0b, 0x00, 0x02, 0x01, 0x00}); // ec_point_formats: uncompressed
        ext.writeBytes(new byte[] {(byte) 0xff, 0x01, 0x00, 0x01, 0x00}); // renegotiation_info: initial
        ext.writeBytes(new byte[] {0x00, 0x17, 0x00, 0x00}); // extended_master_secret
        u16(hello, ext.size());
        hello.writeBytes(ext.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1); // client_hello
        out.write(0);
        u16(out, hello.size());
        out.writeBytes(hello.toByteArray());
        return out.toByteArray();
    }

    /** A two-byte-list extension: its type, then the list's length and {@code values}. */
    private static void extension(ByteArrayOutputStream out, int type, int listLength, int... values) {
        u16(out, type);
        u16(out, listLength + 2);
        u16(out, listLength);
        for (int v : values) {
            u16(out, v);
        }
    }

    private static byte[] record(byte[] handshake) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(22);
        u16(out, 0x0301); // record version of a first ClientHello, as clients send it
        u16(out, handshake.length);
        out.writeBytes(handshake);
        return out.toByteArray();
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }
}
