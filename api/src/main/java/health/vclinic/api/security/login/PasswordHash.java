package health.vclinic.api.security.login;

import health.vclinic.api.security.SecretFiles;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: Argon2id (RFC 9106, version 0x13) with a random 16-byte salt and a 32-byte tag, in the
 * PHC string format {@code $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH} (unpadded standard Base64), so that a
 * stored hash carries its own cost and salt and old hashes keep verifying when the cost is raised.
 *
 * <p>The default cost is the OWASP Password Storage Cheat Sheet's minimum for Argon2id: 19 MiB of memory,
 * 2 passes, 1 lane. Passwords are NFKC-normalised before hashing (NIST SP 800-63B §5.1.1.2), so the same
 * password typed on two keyboards verifies. Verification compares in constant time.
 */
public final class PasswordHash {

    /**
     * The cost of one hash: memory in KiB, passes and lanes. Bounded so that a stored hash, even an altered
     * one, can never ask for more than 1 GiB or a minute of work.
     */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        public Cost {
            if (parallelism < 1 || parallelism > 16) {
                throw new IllegalArgumentException("Argon2 parallelism must be 1 to 16");
            }
            if (memoryKib < 8 * parallelism || memoryKib > 1 << 20) {
                throw new IllegalArgumentException("Argon2 memory must be 8 KiB per lane to 1 GiB");
            }
            if (iterations < 1 || iterations > 16) {
                throw new IllegalArgumentException("Argon2 passes must be 1 to 16");
            }
        }
    }

    /** OWASP's Argon2id minimum: m=19 MiB, t=2, p=1. */
    public static final Cost OWASP = new Cost(19 * 1024, 2, 1);
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=([0-9]{1,7}),t=([0-9]{1,2}),p=([0-9]{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{22,128})");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private PasswordHash() {
    }

    /** The encoded Argon2id hash of {@code password} with a fresh salt. */
    public static String hash(String password, Cost cost) {
        byte[] salt = SecretFiles.randomBytes(SALT_BYTES);
        byte[] tag = argon2(password, salt, cost, HASH_BYTES);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(tag);
    }

    /**
     * Whether {@code password} is the one {@code encoded} was made from (constant-time comparison).
     *
     * @throws IllegalStateException when {@code encoded} is not an Argon2id hash this class wrote
     */
    public static boolean verify(String password, String encoded) {
        Matcher m = parse(encoded);
        byte[] salt = B64D.decode(m.group(4));
        byte[] expected = B64D.decode(m.group(5));
        byte[] actual = argon2(password, salt, cost(m), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** The cost {@code encoded} was hashed with. */
    public static Cost cost(String encoded) {
        return cost(parse(encoded));
    }

    private static Cost cost(Matcher m) {
        return new Cost(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    private static Matcher parse(String encoded) {
        Matcher m = PHC.matcher(Objects.requireNonNull(encoded, "encoded"));
        if (!m.matches()) {
            throw new IllegalStateException("a stored password hash is not an Argon2id v19 PHC string");
        }
        return m;
    }

    private static byte[] argon2(String password, byte[] salt, Cost cost, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(cost.memoryKib())
                .withIterations(cost.iterations())
                .withParallelism(cost.parallelism())
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        generator.generateBytes(Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8),
                out);
        return out;
    }
}
