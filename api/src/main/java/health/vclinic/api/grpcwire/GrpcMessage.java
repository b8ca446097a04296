package health.vclinic.api.grpcwire;

import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} header value: the status description as percent-encoded UTF-8.
 *
 * <p>gRPC over HTTP/2 (grpc/grpc, doc/PROTOCOL-HTTP2.md, "Responses"): "Status-Message → Percent-Encoded"
 * where the value is "the UTF-8 encoding of the message, then percent-encoded": bytes 0x20-0x7E
 * except '%' stay as they are, every other byte becomes {@code %XX}. Helidon 4.5 writes the
 * description raw, so a description with "°C" reaches a strict client (grpc-js) as an empty message.
 */
public final class GrpcMessage {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GrpcMessage() {
    }

    /** The description as it must travel in {@code grpc-message}; ASCII descriptions without '%' are unchanged. */
    public static String percentEncode(String description) {
        if (isPlain(description)) {
            return description;
        }
        byte[] utf8 = description.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length * 3);
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '%') {
                return false;
            }
        }
        return true;
    }
}
