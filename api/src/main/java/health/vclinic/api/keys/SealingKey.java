package health.vclinic.api.keys;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;

/**
 * A key that seals short values with AES-256-GCM, derived by HKDF-SHA256 from a secret the caller already
 * holds, for one purpose (so the secret's other uses, an HMAC key say, never share a key with it). The sealed
 * form is the 12-byte random nonce, then the ciphertext and its 16-byte tag; the associated data binds a
 * sealed value to where it belongs (a table, a column, a row), so one moved elsewhere does not open.
 */
public final class SealingKey {

    private final SecretKey key;

    private SealingKey(SecretKey key) {
        this.key = key;
    }

    /** The key for {@code purpose} (a fixed, versioned label) derived from {@code secret}. */
    public static SealingKey derive(byte[] secret, String purpose) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(purpose, "purpose");
        return new SealingKey(Aead.derive(secret, purpose, "AES"));
    }

    /** {@code plaintext} sealed, bound to {@code aad}. */
    public byte[] seal(byte[] plaintext, byte[] aad) {
        byte[] nonce = Aead.nonce();
        byte[] out = new byte[Aead.NONCE_BYTES + plaintext.length + Aead.TAG_BYTES];
        System.arraycopy(nonce, 0, out, 0, Aead.NONCE_BYTES);
        Aead.seal(key, nonce, aad, plaintext, out, Aead.NONCE_BYTES);
        return out;
    }

    /** The plaintext of {@code sealed}, or empty when it does not open under this key and {@code aad}. */
    public Optional<byte[]> open(byte[] sealed, byte[] aad) {
        if (sealed.length < Aead.NONCE_BYTES + Aead.TAG_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(Aead.open(key, Arrays.copyOf(sealed, Aead.NONCE_BYTES), aad, sealed, Aead.NONCE_BYTES,
                    sealed.length - Aead.NONCE_BYTES));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        }
    }
}
