/**
 * Encryption at rest for what identifies or describes a patient (HIPAA §164.312(a)(2)(iv); envelope
 * encryption as in NIST SP 800-57 Part 1 rev. 5): AES-256-GCM field envelopes ({@link
 * health.vclinic.api.keys.FieldCipher}) under per-clinic data keys ({@link health.vclinic.api.keys.KeyRing})
 * that PostgreSQL holds only wrapped by a master key it never holds ({@link
 * health.vclinic.api.keys.MasterKeySource}: a key file outside the data directory, an environment variable,
 * or a KMS).
 *
 * <p>What it protects against: a copy of the database (its files, a dump, a backup) without the master key
 * reveals no sealed value and no patient reference (only keyed hashes of them). What it does not: a process
 * that holds the master key, i.e. the running service. Rotations: a clinic's data key
 * ({@code vclinic admin keys rotate}), the master key ({@code vclinic admin keys rotate-master}); erasing a
 * clinic can shred its keys ({@link health.vclinic.api.keys.KeyRing#shred}).
 */
package health.vclinic.api.keys;
