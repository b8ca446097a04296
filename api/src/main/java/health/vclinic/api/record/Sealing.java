package health.vclinic.api.record;

import health.vclinic.api.keys.EncryptionException;
import health.vclinic.api.keys.FieldCipher;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;

/**
 * How the record's columns are sealed at rest (AES-256-GCM through {@link FieldCipher}, NIST SP 800-38D;
 * HIPAA §164.312(a)(2)(iv)): each value under its clinic's data key with {@code "table.column"} as context,
 * so a value copied into another clinic's row or another column does not open; a patient reference as its
 * keyed hash (what lookups compare) plus a sealed copy where a reader returns it. A row written before
 * migration V8 has {@code sealed = false} and is read as it was stored until it is sealed.
 *
 * <p>A key store that cannot be reached surfaces as {@link SQLException}, so the callers' handling of an
 * unreachable database (the journal, {@code UNAVAILABLE}) covers it.
 */
final class Sealing {

    private final FieldCipher cipher;

    Sealing(FieldCipher cipher) {
        this.cipher = Objects.requireNonNull(cipher, "cipher");
    }

    FieldCipher cipher() {
        return cipher;
    }

    /** {@code plain} sealed for {@code clinic} as {@code context} ("table.column"). */
    byte[] seal(ClinicId clinic, byte[] plain, String context) throws SQLException {
        try {
            return cipher.seal(clinic, plain, context);
        } catch (EncryptionException e) {
            throw unreachable(e);
        }
    }

    /** The stored {@code bytes} opened when {@code sealed}, else as they are (a row from before V8). */
    byte[] open(ClinicId clinic, byte[] bytes, boolean sealed, String context) throws SQLException {
        if (!sealed) {
            return bytes;
        }
        try {
            return cipher.open(clinic, bytes, context);
        } catch (EncryptionException e) {
            throw unreachable(e);
        }
    }

    /** What the {@code patient_ref} column holds and lookups compare: the keyed hash. */
    String lookup(ClinicId clinic, PatientRef patient) throws SQLException {
        try {
            return cipher.keyedHash(clinic, patient.value());
        } catch (EncryptionException e) {
            throw unreachable(e);
        }
    }

    /** The keyed hash of an optional reference, or null for the column when absent. */
    String lookupOrNull(ClinicId clinic, Optional<PatientRef> patient) throws SQLException {
        return patient.isPresent() ? lookup(clinic, patient.get()) : null;
    }

    /** The reference sealed for {@code table.patient_ref_sealed}, or null when absent. */
    byte[] sealRefOrNull(ClinicId clinic, Optional<PatientRef> patient, String table) throws SQLException {
        return patient.isPresent()
                ? seal(clinic, patient.get().value().getBytes(StandardCharsets.UTF_8), table + ".patient_ref_sealed")
                : null;
    }

    /** The reference of the current row of {@code rs} (columns patient_ref, patient_ref_sealed and sealed). */
    Optional<String> openRef(ClinicId clinic, ResultSet rs, String table) throws SQLException {
        if (!rs.getBoolean("sealed")) {
            return Optional.ofNullable(rs.getString("patient_ref"));
        }
        byte[] sealed = rs.getBytes("patient_ref_sealed");
        return sealed == null ? Optional.empty()
                : Optional.of(new String(open(clinic, sealed, true, table + ".patient_ref_sealed"),
                        StandardCharsets.UTF_8));
    }

    /**
     * Only an unreachable key store is an outage; every other failure (altered, shredded, another master
     * key) is a fault that must not be retried or spooled around.
     */
    private static SQLException unreachable(EncryptionException e) {
        if (e.reason() == EncryptionException.Reason.KEY_STORE_UNAVAILABLE) {
            return new SQLException("the key store is unreachable", e);
        }
        throw e;
    }
}
