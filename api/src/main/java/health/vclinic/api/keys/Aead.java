package health.vclinic.api.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * The primitives, all from the JDK: AES-256-GCM with a 96-bit random nonce and a 128-bit tag (NIST SP
 * 800-38D), and HKDF-SHA256 (RFC 5869) to derive one key per purpose so that no key serves two algorithms.
 */
final class Aead {

    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int TAG_BYTES = TAG_BITS / 8;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Aead() {
    }

    /** A fresh random nonce: with 96 random bits, SP 800-38D §8.3 allows 2^32 seals per key. */
    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** {@code out[offset..]} := ciphertext and tag of {@code plaintext}; returns the bytes written. */
    static int seal(SecretKey key, byte[] nonce, byte[] aad, byte[] plaintext, byte[] out, int offset) {
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(plaintext, 0, plaintext.length, out, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        }
    }

    /**
     * The plaintext of {@code in[offset, offset+length)} (ciphertext and tag).
     *
     * @throws AEADBadTagException when the tag does not verify under {@code key}, {@code nonce} and {@code aad}
     */
    static byte[] open(SecretKey key, byte[] nonce, byte[] aad, byte[] in, int offset, int length)
            throws AEADBadTagException {
        try {
            Cipher c = Cipher.getInstance(TRANSFORMATION);
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            return c.doFinal(in, offset, length);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        }
    }

    /** HKDF-SHA256 of {@code ikm} for {@code purpose} (the info string), as a key of {@code algorithm}. */
    static SecretKey derive(byte[] ikm, String purpose, String algorithm) {
        try {
            return KDF.getInstance("HKDF-SHA256").deriveKey(algorithm, HKDFParameterSpec.ofExtract().addIKM(ikm)
                    .thenExpand(purpose.getBytes(StandardCharsets.UTF_8), 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is not available in this JDK", e);
        }
    }

    /** {@code n} bytes of HKDF-SHA256 of {@code ikm} for {@code purpose}. */
    static byte[] deriveBytes(byte[] ikm, String purpose, int n) {
        try {
            return KDF.getInstance("HKDF-SHA256").deriveData(HKDFParameterSpec.ofExtract().addIKM(ikm)
                    .thenExpand(purpose.getBytes(StandardCharsets.UTF_8), n));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is not available in this JDK", e);
        }
    }
}
