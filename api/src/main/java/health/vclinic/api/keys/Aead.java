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
    /**
     * Cipher objects for reuse: looking one up costs more than sealing a row, and request threads are virtual
     * (a thread-local would hold one per request). Each is re-initialised with its key and nonce on every use.
     */
    private static final java.util.concurrent.ConcurrentLinkedQueue<Cipher> CIPHERS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_POOLED = 64;

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
        Cipher c = cipher();
        try {
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            int n = c.doFinal(plaintext, 0, plaintext.length, out, offset);
            release(c);
            return n;
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
        Cipher c = cipher();
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(aad);
            byte[] plain = c.doFinal(in, offset, length);
            release(c);
            return plain;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        }
    }

    /** A pooled cipher, or a new one. */
    private static Cipher cipher() {
        Cipher c = CIPHERS.poll();
        if (c != null) {
            return c;
        }
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JDK", e);
        }
    }

    /** Back to the pool after a completed operation (a failed one's cipher is dropped). */
    private static void release(Cipher c) {
        if (CIPHERS.size() < MAX_POOLED) {
            CIPHERS.offer(c);
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
