package health.vclinic.api.security.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalLong;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.Test;

/** TOTP against RFC 6238 Appendix B and HOTP against RFC 4226 Appendix D; the ±1 step window; enrolment. */
class TotpTest {

    /** The SHA-1 seed of both RFCs' test vectors: ASCII "12345678901234567890". */
    private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void rfc6238AppendixBSha1Vectors() {
        record Vector(long time, String totp) {
        }
        for (Vector v : List.of(new Vector(59L, "94287082"), new Vector(1111111109L, "07081804"),
                new Vector(1111111111L, "14050471"), new Vector(1234567890L, "89005924"),
                new Vector(2000000000L, "69279037"), new Vector(20000000000L, "65353130"))) {
            long step = Totp.step(Instant.ofEpochSecond(v.time()));
            assertEquals(v.totp(), Totp.code(SEED, step, 8), "T=" + v.time());
            // Six digits are the last six of the same value (RFC 4226 §5.3: modulo 10^digits).
            assertEquals(v.totp().substring(2), Totp.code(SEED, step, 6), "T=" + v.time());
        }
    }

    @Test
    void rfc4226AppendixDHotpValues() {
        List<String> expected = List.of("755224", "287082", "359152", "969429", "338314", "254676", "287922",
                "162583", "399871", "520489");
        for (int counter = 0; counter < expected.size(); counter++) {
            assertEquals(expected.get(counter), Totp.code(SEED, counter, 6), "counter " + counter);
        }
    }

    @Test
    void aCodeIsAcceptedFromOneStepBeforeToOneStepAfterNow() {
        Instant now = Instant.ofEpochSecond(1234567890L);
        long step = Totp.step(now);
        Totp totp = new Totp(Clock.fixed(now, ZoneOffset.UTC));
        assertEquals(Totp.code(SEED, step, 6), totp.now(SEED));
        for (long s = step - 1; s <= step + 1; s++) {
            assertEquals(OptionalLong.of(s), totp.match(SEED, Totp.code(SEED, s, 6)), "step offset " + (s - step));
        }
        assertEquals(OptionalLong.empty(), totp.match(SEED, Totp.code(SEED, step - 2, 6)));
        assertEquals(OptionalLong.empty(), totp.match(SEED, Totp.code(SEED, step + 2, 6)));
        assertEquals(OptionalLong.empty(), totp.match(SEED, "12345"));
    }

    @Test
    void enrolmentGivesTheSecretAsUnpaddedBase32AndAnOtpauthUri() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======"
        assertEquals("MZXW6YTBOI", Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
        byte[] secret = Totp.newSecret();
        assertEquals(20, secret.length);
        String b32 = Totp.base32(secret);
        assertEquals(32, b32.length(), "160 bits are 32 Base32 characters, no padding");
        assertTrue(java.util.Arrays.equals(secret, Base32.decode(b32)));
        assertEquals("otpauth://totp/vclinic:dr.jones?secret=" + b32 + "&issuer=vclinic", Totp.uri("dr.jones", secret));
    }
}
