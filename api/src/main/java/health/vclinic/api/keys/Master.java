package health.vclinic.api.keys;

import health.vclinic.api.server.ClinicId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A master key in use: the key-wrapping key and the public fingerprint, both derived from it by HKDF so the
 * master key itself is used for nothing else and is wiped once they are derived.
 *
 * <p>A wrapped data key is {@code 0x01 | nonce (12) | AES-256-GCM(data key) with its tag (48)}, 61 bytes,
 * with associated data binding the clinic and the key version, so that a wrapped key copied to another
 * clinic's or version's row does not unwrap.
 */
final class Master {

    static final byte WRAP_FORMAT = 1;
    static final int WRAPPED_BYTES = 1 + Aead.NONCE_BYTES + KeyRing.DATA_KEY_BYTES + Aead.TAG_BYTES;

    private final SecretKey wrapKey;
    private final String fingerprint;
    private final String description;

    private Master(SecretKey wrapKey, String fingerprint, String description) {
        this.wrapKey = wrapKey;
        this.fingerprint = fingerprint;
        this.description = description;
    }

    static Master of(MasterKeySource source) {
        byte[] raw = source.key();
        try {
            return new Master(Aead.derive(raw, "vclinic master key: data key wrapping v1", "AES"),
                    HexFormat.of().formatHex(Aead.deriveBytes(raw, "vclinic master key: fingerprint v1", 8)),
                    source.description());
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** 16 hex digits that name this master key in the database and in messages; they reveal nothing of it. */
    String fingerprint() {
        return fingerprint;
    }

    String description() {
        return description;
    }

    byte[] wrap(ClinicId clinic, int version, SecretKey dataKey) {
        byte[] out = new byte[WRAPPED_BYTES];
        out[0] = WRAP_FORMAT;
        byte[] nonce = Aead.nonce();
        System.arraycopy(nonce, 0, out, 1, nonce.length);
        byte[] plain = dataKey.getEncoded();
        try {
            Aead.seal(wrapKey, nonce, aad(clinic, version), plain, out, 1 + nonce.length);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        return out;
    }

    /** @throws AEADBadTagException when the bytes were altered, moved, or wrapped by another master key */
    SecretKey unwrap(ClinicId clinic, int version, byte[] wrapped) throws AEADBadTagException {
        if (wrapped.length != WRAPPED_BYTES || wrapped[0] != WRAP_FORMAT) {
            throw new AEADBadTagException("not a wrapped data key of format " + WRAP_FORMAT);
        }
        byte[] nonce = Arrays.copyOfRange(wrapped, 1, 1 + Aead.NONCE_BYTES);
        byte[] plain = Aead.open(wrapKey, nonce, aad(clinic, version), wrapped, 1 + Aead.NONCE_BYTES,
                wrapped.length - 1 - Aead.NONCE_BYTES);
        try {
            return new SecretKeySpec(plain, "AES");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] aad(ClinicId clinic, int version) {
        byte[] label = "vclinic data key v1".getBytes(StandardCharsets.US_ASCII);
        byte[] id = clinic.value().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(label.length + 1 + id.length + 4).put(label).put((byte) id.length).put(id)
                .putInt(version).array();
    }
}
