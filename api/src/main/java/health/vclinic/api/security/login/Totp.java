package health.vclinic.api.security.login;

import health.vclinic.api.security.SecretFiles;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.util.encoders.Base32;

/**
 * Time-based one-time passwords, RFC 6238 over HOTP (RFC 4226): HMAC-SHA1, a {@value #STEP_SECONDS}-second
 * time step from the Unix epoch, {@value #DIGITS} digits, and a code accepted from one step before to one
 * step after now (RFC 6238 §5.2: clock drift and typing time). That a code is used once only is the
 * account's part: it keeps the last accepted step ({@link Accounts}).
 *
 * <p>Secrets are 20 random bytes (160 bits, RFC 4226 §4) and are given to authenticator apps as an
 * {@code otpauth://totp/} URI (the Key URI Format of Google Authenticator, which the others follow).
 */
public final class Totp {

    public static final int STEP_SECONDS = 30;
    public static final int DIGITS = 6;
    /** Steps accepted on either side of now. */
    public static final int WINDOW = 1;
    /** The issuer shown by authenticator apps. */
    public static final String ISSUER = "vclinic";
    static final int SECRET_BYTES = 20;

    private final Clock clock;

    public Totp(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The time step of {@code t}: whole {@value #STEP_SECONDS}-second periods since the epoch. */
    public static long step(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), STEP_SECONDS);
    }

    /** The HOTP value of {@code secret} at counter {@code step} with {@code digits} digits (RFC 4226 §5.3). */
    public static String code(byte[] secret, long step, int digits) {
        if (digits < 6 || digits > 9) {
            throw new IllegalArgumentException("a TOTP code has 6 to 9 digits");
        }
        byte[] h;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is in every JDK", e);
        }
        int offset = h[h.length - 1] & 0x0f;
        int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
                | (h[offset + 3] & 0xff);
        int modulus = (int) Math.pow(10, digits);
        return String.format("%0" + digits + "d", binary % modulus);
    }

    /** The code an authenticator shows now. */
    public String now(byte[] secret) {
        return code(secret, step(clock.instant()), DIGITS);
    }

    /**
     * The time step whose code {@code code} is, within the window around now, or empty when none. Every step
     * of the window is compared (in constant time), whichever matches.
     */
    public OptionalLong match(byte[] secret, String code) {
        long now = step(clock.instant());
        byte[] given = code.getBytes(StandardCharsets.US_ASCII);
        long found = Long.MIN_VALUE;
        for (long s = now - WINDOW; s <= now + WINDOW; s++) {
            if (MessageDigest.isEqual(code(secret, s, DIGITS).getBytes(StandardCharsets.US_ASCII), given)) {
                found = s;
            }
        }
        return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    /** A fresh secret. */
    public static byte[] newSecret() {
        return SecretFiles.randomBytes(SECRET_BYTES);
    }

    /** {@code secret} in RFC 4648 Base32 without padding, as authenticator apps take it typed in. */
    public static String base32(byte[] secret) {
        return Base32.toBase32String(secret).replace("=", "");
    }

    /** The {@code otpauth://totp/vclinic:LOGIN?secret=...&issuer=vclinic} URI an authenticator app enrols from. */
    public static String uri(String login, byte[] secret) {
        // The defaults (SHA1, 6 digits, 30 s) are what every authenticator assumes; the label is URL-safe.
        return "otpauth://totp/" + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(login, StandardCharsets.UTF_8) + "?secret=" + base32(secret) + "&issuer=" + ISSUER;
    }
}
