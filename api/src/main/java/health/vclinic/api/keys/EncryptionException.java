package health.vclinic.api.keys;

import java.util.Objects;

/**
 * Encryption at rest could not do what was asked: a sealed value does not open, a key is unknown, shredded
 * or wrapped by another master key, or the key store cannot be reached. The {@link #reason()} tells callers
 * apart; the message says what to fix and names at most a clinic id, a key version, a context (a column
 * name) and master key fingerprints, never plaintext, ciphertext or key material.
 */
public final class EncryptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the operation was refused. */
    public enum Reason {
        /** The bytes are not an envelope of a format this version reads (truncated, or not sealed by us). */
        MALFORMED,
        /**
         * The envelope's authentication tag does not verify: the bytes were altered, or they belong to
         * another clinic or another context (column) than the one asked for.
         */
        REFUSED,
        /** The clinic has no data key of the envelope's version. */
        UNKNOWN_KEY,
        /** The clinic's keys were shredded: its sealed data can no longer be read, and none is written. */
        SHREDDED,
        /**
         * The configured master key is not the one that wraps the data keys in the database (a wrong key,
         * or a master rotation this process has not been restarted after), or a wrapped key was altered.
         */
        MASTER_KEY_MISMATCH,
        /** The key table in PostgreSQL could not be read or written. */
        KEY_STORE_UNAVAILABLE
    }

    private final Reason reason;

    EncryptionException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    EncryptionException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the operation was refused. */
    public Reason reason() {
        return reason;
    }
}
