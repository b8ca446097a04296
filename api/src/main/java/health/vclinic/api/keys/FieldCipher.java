package health.vclinic.api.keys;

import health.vclinic.api.keys.EncryptionException.Reason;
import health.vclinic.api.server.ClinicId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * Encryption of a field at rest (a column value: free text, an image, a patient reference) with its
 * clinic's current data key, AES-256-GCM (NIST SP 800-38D; HIPAA §164.312(a)(2)(iv) and (e)(2)(ii)).
 *
 * <p>The envelope, {@value #OVERHEAD} bytes longer than the plaintext:
 * <pre>
 *   format (1 byte, {@value #FORMAT}) | key version (4, big-endian) | nonce (12, random) | ciphertext | tag (16)
 * </pre>
 * The associated data binds the format, the key version, the clinic and the context (e.g. the column name,
 * {@code "triage_assessment.request"}), so a value altered, or copied into another clinic's row or another
 * column, does not open ({@link Reason#REFUSED}). The key version in the envelope lets data sealed before a
 * {@linkplain KeyRing#rotate rotation} open with the version it was sealed under. Nonces are random, 96 bits:
 * SP 800-38D §8.3 bounds a key to 2^32 seals that way, so rotate a clinic's key well before it has sealed
 * four billion values. Thread-safe.
 */
public final class FieldCipher {

    /** The envelope format this version writes and reads. */
    public static final byte FORMAT = 1;
    /** Bytes an envelope adds to its plaintext: format, key version, nonce and tag. */
    public static final int OVERHEAD = 1 + 4 + Aead.NONCE_BYTES + Aead.TAG_BYTES;
    /** Longest context, in characters. */
    public static final int MAX_CONTEXT_CHARS = 128;
    private static final int HEADER = 1 + 4 + Aead.NONCE_BYTES;

    private final KeyRing keys;

    public FieldCipher(KeyRing keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /**
     * {@code plaintext} sealed for {@code clinic} under its current data key (created on first use).
     *
     * @param context what the value is, e.g. its table and column; {@link #open} must be given the same
     * @throws EncryptionException {@link Reason#SHREDDED}, {@link Reason#MASTER_KEY_MISMATCH} or
     *                             {@link Reason#KEY_STORE_UNAVAILABLE}
     */
    public byte[] seal(ClinicId clinic, byte[] plaintext, String context) {
        Objects.requireNonNull(plaintext, "plaintext");
        checkContext(context);
        DataKey key = keys.current(clinic);
        byte[] nonce = Aead.nonce();
        byte[] out = new byte[OVERHEAD + plaintext.length];
        ByteBuffer.wrap(out).put(FORMAT).putInt(key.version()).put(nonce);
        Aead.seal(key.key(), nonce, aad(clinic, key.version(), context), plaintext, out, HEADER);
        return out;
    }

    /**
     * The plaintext of an envelope {@link #seal} made for {@code clinic} and {@code context}.
     *
     * @throws EncryptionException {@link Reason#REFUSED} (altered, or another clinic's or context's),
     *                             {@link Reason#MALFORMED}, {@link Reason#UNKNOWN_KEY}, {@link Reason#SHREDDED},
     *                             {@link Reason#MASTER_KEY_MISMATCH} or {@link Reason#KEY_STORE_UNAVAILABLE}
     */
    public byte[] open(ClinicId clinic, byte[] envelope, String context) {
        Objects.requireNonNull(clinic, "clinic");
        checkContext(context);
        int version = keyVersion(envelope);
        DataKey key = keys.version(clinic, version);
        byte[] nonce = Arrays.copyOfRange(envelope, 1 + 4, HEADER);
        try {
            return Aead.open(key.key(), nonce, aad(clinic, version, context), envelope, HEADER,
                    envelope.length - HEADER);
        } catch (AEADBadTagException e) {
            throw new EncryptionException(Reason.REFUSED, "a sealed " + context + " of clinic " + clinic.value()
                    + " does not open: it was altered, or it was sealed for another clinic or another context");
        }
    }

    /**
     * The key version an envelope was sealed under (to find what a rotation left under older versions).
     *
     * @throws EncryptionException {@link Reason#MALFORMED} when the bytes are not an envelope of {@link #FORMAT}
     */
    public static int keyVersion(byte[] envelope) {
        Objects.requireNonNull(envelope, "envelope");
        if (envelope.length < OVERHEAD) {
            throw new EncryptionException(Reason.MALFORMED, "a sealed value is " + envelope.length
                    + " bytes, shorter than the " + OVERHEAD + " of an empty envelope: it was truncated or never sealed");
        }
        if (envelope[0] != FORMAT) {
            throw new EncryptionException(Reason.MALFORMED, String.format("a sealed value has envelope format 0x%02x;"
                    + " this version reads format 0x%02x", envelope[0], FORMAT));
        }
        int version = ByteBuffer.wrap(envelope, 1, 4).getInt();
        if (version < 1) {
            throw new EncryptionException(Reason.MALFORMED, "a sealed value names key version " + version
                    + "; versions start at 1");
        }
        return version;
    }

    /**
     * A keyed hash of {@code value} for {@code clinic}, to find rows by a patient reference without storing it
     * in clear: HMAC-SHA256 (RFC 2104) as 64 lower-case hex digits, the same for the same value and clinic,
     * different between clinics, and without the clinic's key not computable (so not reversible by
     * enumerating references, as a plain hash would be).
     *
     * <p><b>Stable across rotation.</b> The HMAC key is derived (HKDF-SHA256, RFC 5869) from the clinic's
     * data key version 1, which {@link KeyRing#rotate} never removes, and not from the current version:
     * so a rotation does not change any keyed hash and no stored hash needs recomputing, while each clinic's
     * key stays separate and {@link KeyRing#shred} (which destroys version 1) makes the hashes incomputable
     * too. The cost: a compromised version 1 is not retired by rotation for lookups; a keyed hash only ever
     * tells that two references are equal, and replacing its key would mean recomputing every stored hash
     * from the opened values (a lookup-key version, not needed yet).
     *
     * @throws EncryptionException {@link Reason#SHREDDED}, {@link Reason#MASTER_KEY_MISMATCH} or
     *                             {@link Reason#KEY_STORE_UNAVAILABLE}
     */
    public String keyedHash(ClinicId clinic, String value) {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(value, "value");
        return HexFormat.of().formatHex(Hmac.sha256(keys.lookupKey(clinic), value.getBytes(StandardCharsets.UTF_8)));
    }

    private static void checkContext(String context) {
        Objects.requireNonNull(context, "context");
        if (context.isBlank() || context.length() > MAX_CONTEXT_CHARS) {
            throw new IllegalArgumentException("context must be 1 to " + MAX_CONTEXT_CHARS
                    + " characters naming what is sealed, e.g. table.column");
        }
    }

    private static byte[] aad(ClinicId clinic, int version, String context) {
        byte[] id = clinic.value().getBytes(StandardCharsets.US_ASCII);
        byte[] ctx = context.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + 1 + id.length + ctx.length).put(FORMAT).putInt(version)
                .put((byte) id.length).put(id).put(ctx).array();
    }
}
