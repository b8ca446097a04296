package health.vclinic.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests (FIPS 180-4) as 64 lower-case hex digits, the form model cards list for their
 * artifacts. Resolution uses it to verify artifacts; training pipelines use it to write cards, so
 * both sides hash the same way. Reads with {@code import static health.vclinic.models.Sha256.sha256}.
 */
public final class Sha256 {

    private static final int BUFFER_BYTES = 1 << 16;

    private Sha256() {
    }

    /**
     * Hashes a file by streaming it, so large model weights are never held in memory.
     *
     * @throws ModelRepositoryException naming the file when it cannot be read
     */
    public static String sha256(Path file) {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot read " + file + " to compute its sha256: " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Hashes bytes already in memory, e.g. a serialized model before it is written. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    /** Whether {@code text} is a sha256 in hex, either case. */
    static boolean isSha256(String text) {
        return text.length() == 64 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (java.security.MessageDigest Javadoc).
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
