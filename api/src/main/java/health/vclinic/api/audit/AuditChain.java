package health.vclinic.api.audit;

import health.vclinic.api.server.PatientRef;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MACs of the audit chain, all HMAC-SHA256 (RFC 2104, FIPS 198-1) under the audit key:
 * <ul>
 *   <li>{@code entry_mac = HMAC(key, "vclinic-audit-entry/1" 0x00 || canonical fields)}, the fields (sequence
 *       number and time included) each length-prefixed, so no two entries share their bytes;</li>
 *   <li>{@code chain_mac = HMAC(key, "vclinic-audit-chain/1" 0x00 || entry_mac || prev_mac)}, where
 *       {@code prev_mac} is the previous entry's chain MAC ({@link #GENESIS} before the first);</li>
 *   <li>a patient's hash {@code = HMAC(key, reference)}: a reference is printable ASCII, never a 0x00, so it
 *       cannot collide with the tagged inputs above.</li>
 * </ul>
 * Two MACs instead of one let verification tell an entry whose fields changed (its chain MAC still verifies)
 * from one the key never wrote (neither does).
 */
final class AuditChain {

    /** The audit key's length in bytes: HMAC-SHA256's block-sized key. */
    static final int KEY_BYTES = 32;
    /** {@code prev_mac} of the first entry. */
    static final byte[] GENESIS = new byte[32];
    private static final byte[] ENTRY_TAG = "vclinic-audit-entry/1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHAIN_TAG = "vclinic-audit-chain/1\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    /** Seals break-glass reasons at rest (migration V11); derived from the audit key for that purpose alone. */
    private final health.vclinic.api.keys.SealingKey reasons;

    AuditChain(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalStateException("the audit key must be " + KEY_BYTES + " bytes, not " + key.length
                    + "; restore the key file that wrote the trail");
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.reasons = health.vclinic.api.keys.SealingKey.derive(key, "vclinic-audit-reason/1");
    }

    /** Entry {@code sequence}'s reason as {@code audit_event.reason_sealed} holds it. */
    byte[] sealReason(long sequence, String reason) {
        return reasons.seal(reason.getBytes(StandardCharsets.UTF_8), reasonAad(sequence));
    }

    /** The reason sealed for entry {@code sequence}, or empty when it does not open (altered, moved, another key). */
    Optional<String> openReason(long sequence, byte[] sealed) {
        return reasons.open(sealed, reasonAad(sequence)).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * The reason of the current row of {@code rs} (which selected {@code seq}, {@code reason} and
     * {@code reason_sealed}): none; in clear, as written before V11; or sealed, opened; {@code unopened} for a
     * sealed reason that does not open (altered, moved from another row, or another key).
     */
    Optional<String> reasonOf(java.sql.ResultSet rs, String unopened) throws java.sql.SQLException {
        byte[] sealed = rs.getBytes("reason_sealed");
        if (sealed != null) {
            return Optional.of(openReason(rs.getLong("seq"), sealed).orElse(unopened));
        }
        return Optional.ofNullable(rs.getString("reason"));
    }

    private static byte[] reasonAad(long sequence) {
        return ("audit_event.reason_sealed/" + sequence).getBytes(StandardCharsets.US_ASCII);
    }

    String patientHash(PatientRef patient) {
        return HexFormat.of().formatHex(mac(patient.value().getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * An entry's fields as stored, unparsed: a verifier must MAC what is in the table even when a tampered
     * value would not parse (an unknown action, a NULL where the schema once said NOT NULL).
     */
    record Fields(long sequence, Instant recorded, String actorSubject, String role, String clinic, String action,
                  String objectType, String objectId, Optional<String> patientHash, String outcome, String requestId,
                  Optional<String> reason) {

        static Fields of(StoredEntry e) {
            return new Fields(e.sequence(), e.recorded(), e.actorSubject(), e.role(), e.clinic().value(),
                    e.action().name(), e.objectType(), e.objectId(), e.patientHash(), e.outcome().name(),
                    e.requestId(), e.reason());
        }
    }

    byte[] entryMac(Fields e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(ENTRY_TAG);
            out.writeLong(e.sequence());
            out.writeLong(e.recorded() == null ? Long.MIN_VALUE : micros(e.recorded()));
            string(out, e.actorSubject());
            string(out, e.role());
            string(out, e.clinic());
            string(out, e.action());
            string(out, e.objectType());
            string(out, e.objectId());
            optional(out, e.patientHash());
            string(out, e.outcome());
            string(out, e.requestId());
            optional(out, e.reason());
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return mac(bytes.toByteArray());
    }

    byte[] chainMac(byte[] entryMac, byte[] prevMac) {
        byte[] in = new byte[CHAIN_TAG.length + entryMac.length + prevMac.length];
        System.arraycopy(CHAIN_TAG, 0, in, 0, CHAIN_TAG.length);
        System.arraycopy(entryMac, 0, in, CHAIN_TAG.length, entryMac.length);
        System.arraycopy(prevMac, 0, in, CHAIN_TAG.length + entryMac.length, prevMac.length);
        return mac(in);
    }

    /** Constant-time comparison, so a verifier's timing tells nothing about a MAC. */
    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** The time as PostgreSQL keeps it: microseconds since the epoch. */
    static long micros(Instant t) {
        if (t.getNano() % 1000 != 0) {
            throw new IllegalArgumentException("an audit time has microsecond precision");
        }
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private byte[] mac(byte[] input) {
        return health.vclinic.api.keys.Hmac.sha256(key, input);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            // Never written by the service; a NULL smuggled in must not MAC like an empty string.
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void optional(DataOutputStream out, Optional<String> s) throws IOException {
        out.writeBoolean(s.isPresent());
        if (s.isPresent()) {
            string(out, s.get());
        }
    }
}
