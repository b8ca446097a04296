package health.vclinic.api.grpcwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.InternalStatus;
import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Percent-encoding of grpc-message, checked against grpc-java's decoder (an independent implementation). */
class GrpcMessageTest {

    private static final Metadata.Key<String> RAW = Metadata.Key.of("grpc-message", Metadata.ASCII_STRING_MARSHALLER);

    private static String decodedByGrpcJava(String raw) {
        Metadata m = new Metadata();
        m.put(RAW, raw);
        return m.get(InternalStatus.MESSAGE_KEY);
    }

    @Test
    void theSpecExamplesAndTheDefectCase() {
        assertEquals("vitals.temperature_c must be 25 to 45 %C2%B0C",
                GrpcMessage.percentEncode("vitals.temperature_c must be 25 to 45 °C"));
        assertEquals("100%25", GrpcMessage.percentEncode("100%"));
        assertEquals("line%0Anext", GrpcMessage.percentEncode("line\nnext"));
        assertEquals("%7F", GrpcMessage.percentEncode("\u007f"));
        assertEquals("%F0%9F%98%80", GrpcMessage.percentEncode("😀"));
    }

    @Test
    void plainAsciiIsUnchanged() {
        String plain = "spo2 must be 30 to 100 (got a value outside); see ~/docs [1] {x}";
        assertEquals(plain, GrpcMessage.percentEncode(plain));
    }

    @Test
    void everyEncodingIsPrintableAsciiAndDecodesBackThroughGrpcJava() {
        Random random = new Random(20261203L);
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                int kind = random.nextInt(4);
                int cp = switch (kind) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> 0x80 + random.nextInt(0x780);
                    case 2 -> 0x800 + random.nextInt(0xd000);
                    default -> 0x10000 + random.nextInt(0x10000);
                };
                s.appendCodePoint(cp);
            }
            String description = s.toString();
            String encoded = GrpcMessage.percentEncode(description);
            assertTrue(encoded.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), encoded);
            String expected = new String(description.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertEquals(expected, decodedByGrpcJava(encoded), "case " + i);
        }
    }
}
