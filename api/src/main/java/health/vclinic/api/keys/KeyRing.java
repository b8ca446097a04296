package health.vclinic.api.keys;

import health.vclinic.api.keys.EncryptionException.Reason;
import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ClinicId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * The clinics' data keys: random AES-256 keys, one current version per clinic for new writes and every
 * older version kept for reading, stored in PostgreSQL ({@code clinic_key}, migration V5) only wrapped by
 * the master key, which the database never holds (envelope encryption, NIST SP 800-57 Part 1 rev. 5 §6.2;
 * HIPAA §164.312(a)(2)(iv)).
 *
 * <ul>
 *   <li>A clinic's first data key is created on first use.</li>
 *   <li>{@link #rotate} makes a new version current; data sealed under older versions still opens, so no
 *       data is re-encrypted.</li>
 *   <li>{@link #rotateMaster} rewraps every data key under a new master key in one transaction; the data
 *       keys themselves, and so the data, do not change.</li>
 *   <li>{@link #shred} destroys a clinic's wrapped keys (crypto-shredding): its sealed data can no longer be
 *       opened by anyone, and nothing more is sealed for it.</li>
 * </ul>
 *
 * <p>The database records the fingerprint of the master key that wraps its data keys
 * ({@code master_key_fingerprint}); {@link #open} refuses a master key with another fingerprint, so a lost
 * and regenerated key file, or a wrong environment variable, stops the start instead of creating keys no one
 * else can unwrap.
 *
 * <p>Unwrapped keys are cached in memory: at most {@link #MAX_CACHED_KEYS} per kind, each for at most
 * {@link #CACHE_TTL}, so a rotation or shredding done by another process (the {@code admin keys} command
 * beside a running server) reaches this one within the TTL. While the database cannot be reached, the keys
 * last cached keep sealing and opening however old (the record spools assessments then); a shredding or
 * rotation done meanwhile elsewhere is seen once it answers again. Thread-safe.
 */
public final class KeyRing {

    /** Unwrapped data keys (and lookup keys, and current versions) held in memory at most. */
    public static final int MAX_CACHED_KEYS = 1024;
    /** Longest time an unwrapped key or a clinic's current version is used without asking the database. */
    public static final Duration CACHE_TTL = Duration.ofMinutes(1);
    static final int DATA_KEY_BYTES = 32;
    /** Version of the key every lookup key is derived from: the clinic's first, kept until shredded. */
    static final int LOOKUP_ROOT_VERSION = 1;

    private record VersionKey(ClinicId clinic, int version) {
    }

    private record StoredKey(int version, Optional<byte[]> wrapped, Optional<String> masterFingerprint) {
    }

    private final DataSource db;
    /** Held for reading while a key is loaded from the database, for writing while the ring changes. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Master master;
    private final ExpiringCache<VersionKey, DataKey> dataKeys = new ExpiringCache<>(MAX_CACHED_KEYS, CACHE_TTL);
    private final ExpiringCache<ClinicId, Integer> currentVersions = new ExpiringCache<>(MAX_CACHED_KEYS, CACHE_TTL);
    private final ExpiringCache<ClinicId, SecretKey> lookupKeys = new ExpiringCache<>(MAX_CACHED_KEYS, CACHE_TTL);

    private KeyRing(DataSource db, Master master) {
        this.db = db;
        this.master = master;
    }

    /**
     * The key ring of the record's database {@code db} (migrated to V5) under the master key from
     * {@code source}. The first key ring on a database records the master key's fingerprint.
     *
     * @throws EncryptionException {@link Reason#MASTER_KEY_MISMATCH} when the database's data keys are
     *                             wrapped by another master key
     */
    public static KeyRing open(DataSource db, MasterKeySource source) {
        Objects.requireNonNull(db, "db");
        Master master = Master.of(source);
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO master_key_fingerprint (singleton, fingerprint)"
                    + " VALUES (true, ?) ON CONFLICT (singleton) DO NOTHING")) {
                s.setString(1, master.fingerprint());
                s.executeUpdate();
            }
            String stored = storedFingerprint(c, "");
            if (!stored.equals(master.fingerprint())) {
                throw new EncryptionException(Reason.MASTER_KEY_MISMATCH, "the data keys in this database are"
                        + " wrapped by master key " + stored + ", but the master key from " + master.description()
                        + " is " + master.fingerprint() + ": configure the master key this database was set up"
                        + " with (after an interrupted rotate-master, the new key file it was given)");
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return new KeyRing(db, master);
    }

    /** The fingerprint of the master key in use (16 hex digits; reveals nothing of the key). */
    public String masterFingerprint() {
        return master.fingerprint();
    }

    /**
     * The version of {@code clinic}'s current data key, the one new seals use; creates version 1 on first use.
     *
     * @throws EncryptionException {@link Reason#SHREDDED} when the clinic's keys were shredded
     */
    public int currentVersion(ClinicId clinic) {
        return current(clinic).version();
    }

    /** Every data key version of {@code clinic}, oldest first; empty when it has none yet. */
    public List<KeyVersion> versions(ClinicId clinic) {
        Objects.requireNonNull(clinic, "clinic");
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT key_version, created_at, retired_at, shredded_at"
                     + " FROM clinic_key WHERE clinic_id = ? ORDER BY key_version")) {
            s.setString(1, clinic.value());
            List<KeyVersion> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new KeyVersion(clinic, rs.getInt(1), rs.getTimestamp(2).toInstant(),
                            instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4))));
                }
            }
            return List.copyOf(out);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * Makes a new data key version current for {@code clinic}'s new seals; the older versions stay and keep
     * opening what they sealed. A clinic without keys gets version 1.
     *
     * @return the new current version
     * @throws EncryptionException {@link Reason#SHREDDED} when the clinic's keys were shredded
     */
    public int rotate(ClinicId clinic) {
        Objects.requireNonNull(clinic, "clinic");
        Lock w = lock.writeLock();
        w.lock();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                lockClinic(c, clinic);
                Master m = lockMaster(c, "FOR SHARE");
                int latest = latestVersion(c, clinic);
                try (PreparedStatement s = c.prepareStatement("UPDATE clinic_key SET retired_at = now()"
                        + " WHERE clinic_id = ? AND retired_at IS NULL")) {
                    s.setString(1, clinic.value());
                    s.executeUpdate();
                }
                DataKey created = insert(c, m, clinic, latest + 1);
                c.commit();
                dataKeys.put(new VersionKey(clinic, created.version()), created);
                currentVersions.put(clinic, created.version());
                return created.version();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        } finally {
            w.unlock();
        }
    }

    /**
     * What {@link #rotateMaster} did.
     *
     * @param keysRewrapped data keys rewrapped (shredded ones have nothing to rewrap)
     * @param clinics       clinics whose keys were rewrapped
     */
    public record MasterRotation(String oldFingerprint, String newFingerprint, int keysRewrapped, int clinics) {
    }

    /**
     * Rewraps every data key under the master key from {@code next}, in one transaction, and uses it from
     * then on. The data keys do not change, so no sealed data is re-encrypted. Afterwards the old master key
     * opens nothing: install the new one where the service reads it ({@link MasterKeySource}) before the
     * next start. Other processes holding the old master key keep the data keys they have cached and are
     * refused ({@link Reason#MASTER_KEY_MISMATCH}) for any other until restarted with the new one.
     *
     * @throws IllegalArgumentException when {@code next} holds the master key already in use
     */
    public MasterRotation rotateMaster(MasterKeySource next) {
        Master nextMaster = Master.of(next);
        Lock w = lock.writeLock();
        w.lock();
        try (Connection c = db.getConnection()) {
            Master old = master;
            if (nextMaster.fingerprint().equals(old.fingerprint())) {
                throw new IllegalArgumentException("the new master key (" + nextMaster.description()
                        + ") is the one in use (fingerprint " + old.fingerprint() + "); generate a new one");
            }
            c.setAutoCommit(false);
            try {
                lockMaster(c, "FOR UPDATE");
                List<String> clinics = new ArrayList<>();
                int rewrapped = 0;
                try (PreparedStatement read = c.prepareStatement("SELECT clinic_id, key_version, wrapped_key"
                        + " FROM clinic_key WHERE wrapped_key IS NOT NULL ORDER BY clinic_id, key_version FOR UPDATE");
                     PreparedStatement write = c.prepareStatement("UPDATE clinic_key SET wrapped_key = ?"
                             + " WHERE clinic_id = ? AND key_version = ?");
                     ResultSet rs = read.executeQuery()) {
                    while (rs.next()) {
                        ClinicId clinic = new ClinicId(rs.getString(1));
                        int version = rs.getInt(2);
                        SecretKey key = unwrap(old, clinic, version, rs.getBytes(3));
                        write.setBytes(1, nextMaster.wrap(clinic, version, key));
                        write.setString(2, clinic.value());
                        write.setInt(3, version);
                        write.addBatch();
                        rewrapped++;
                        if (clinics.isEmpty() || !clinics.getLast().equals(clinic.value())) {
                            clinics.add(clinic.value());
                        }
                    }
                    write.executeBatch();
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE master_key_fingerprint SET fingerprint = ?,"
                        + " installed_at = now()")) {
                    s.setString(1, nextMaster.fingerprint());
                    s.executeUpdate();
                }
                c.commit();
                master = nextMaster;
                return new MasterRotation(old.fingerprint(), nextMaster.fingerprint(), rewrapped, clinics.size());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        } finally {
            w.unlock();
        }
    }

    /**
     * Crypto-shredding: destroys every wrapped data key of {@code clinic} (the rows stay, with
     * {@code shredded_at}, as the record that it happened), forgets them here, and rewrites the key table
     * ({@code VACUUM FULL}) so the old row versions leave its data file. Everything sealed for the clinic
     * can then no longer be opened, and nothing more is sealed for it ({@link Reason#SHREDDED}); its keyed
     * hashes can no longer be computed either.
     *
     * <p>What remains: copies of the wrapped keys in PostgreSQL's write-ahead log and in backups taken
     * before; they are useless without the master key, so for shredding that holds against those copies,
     * {@linkplain #rotateMaster rotate the master key} afterwards and destroy the old one. Other processes
     * forget their cached keys of the clinic within {@link #CACHE_TTL}.
     *
     * @return the number of data keys destroyed (0 when the clinic had none, or was already shredded)
     */
    public int shred(ClinicId clinic) {
        Objects.requireNonNull(clinic, "clinic");
        Lock w = lock.writeLock();
        w.lock();
        try {
            int destroyed;
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                try {
                    lockClinic(c, clinic);
                    try (PreparedStatement s = c.prepareStatement("UPDATE clinic_key SET wrapped_key = NULL,"
                            + " shredded_at = now(), retired_at = coalesce(retired_at, now())"
                            + " WHERE clinic_id = ? AND shredded_at IS NULL")) {
                        s.setString(1, clinic.value());
                        destroyed = s.executeUpdate();
                    }
                    // A clinic shredded before its first seal stays shredded: a tombstone refuses later seals.
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO clinic_key (clinic_id, key_version,"
                            + " wrapped_key, retired_at, shredded_at) SELECT ?, 1, NULL, now(), now()"
                            + " WHERE NOT EXISTS (SELECT 1 FROM clinic_key WHERE clinic_id = ?)")) {
                        s.setString(1, clinic.value());
                        s.setString(2, clinic.value());
                        s.executeUpdate();
                    }
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            dataKeys.removeIf(k -> k.clinic().equals(clinic));
            currentVersions.removeIf(clinic::equals);
            lookupKeys.removeIf(clinic::equals);
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("VACUUM FULL clinic_key");
            }
            return destroyed;
        } catch (SQLException e) {
            throw unavailable(e);
        } finally {
            w.unlock();
        }
    }

    /** {@code clinic}'s current data key, created (version 1) on first use. */
    DataKey current(ClinicId clinic) {
        Objects.requireNonNull(clinic, "clinic");
        Optional<Integer> cached = currentVersions.get(clinic);
        if (cached.isPresent()) {
            return version(clinic, cached.get());
        }
        Lock r = lock.readLock();
        r.lock();
        try (Connection c = db.getConnection()) {
            Optional<StoredKey> stored = selectCurrent(c, clinic);
            DataKey key = stored.isPresent() ? toDataKey(clinic, stored.get()) : create(c, clinic);
            dataKeys.put(new VersionKey(clinic, key.version()), key);
            currentVersions.put(clinic, key.version());
            return key;
        } catch (SQLException e) {
            // While the key store is down, the last key known keeps sealing (the record's local spool).
            return currentVersions.getStale(clinic).flatMap(v -> dataKeys.getStale(new VersionKey(clinic, v)))
                    .orElseThrow(() -> unavailable(e));
        } finally {
            r.unlock();
        }
    }

    /**
     * Version {@code version} of {@code clinic}'s data keys, for opening.
     *
     * @throws EncryptionException {@link Reason#UNKNOWN_KEY}, {@link Reason#SHREDDED} or
     *                             {@link Reason#MASTER_KEY_MISMATCH}
     */
    DataKey version(ClinicId clinic, int version) {
        Objects.requireNonNull(clinic, "clinic");
        VersionKey id = new VersionKey(clinic, version);
        Optional<DataKey> cached = dataKeys.get(id);
        if (cached.isPresent()) {
            return cached.get();
        }
        Lock r = lock.readLock();
        r.lock();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT key_version, wrapped_key,"
                     + " (SELECT fingerprint FROM master_key_fingerprint) FROM clinic_key"
                     + " WHERE clinic_id = ? AND key_version = ?")) {
            s.setString(1, clinic.value());
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new EncryptionException(Reason.UNKNOWN_KEY, "clinic " + clinic.value()
                            + " has no data key version " + version);
                }
                DataKey key = toDataKey(clinic, stored(rs));
                dataKeys.put(id, key);
                return key;
            }
        } catch (SQLException e) {
            return dataKeys.getStale(id).orElseThrow(() -> unavailable(e));
        } finally {
            r.unlock();
        }
    }

    /**
     * {@code clinic}'s key for keyed hashes: HKDF-SHA256 of its data key version {@value #LOOKUP_ROOT_VERSION},
     * which rotation keeps (see {@link FieldCipher#keyedHash}).
     */
    SecretKey lookupKey(ClinicId clinic) {
        Optional<SecretKey> cached = lookupKeys.get(clinic);
        if (cached.isPresent()) {
            return cached.get();
        }
        try {
            current(clinic); // creates the clinic's first key, or refuses a shredded clinic
        } catch (EncryptionException e) {
            if (e.reason() == Reason.KEY_STORE_UNAVAILABLE && lookupKeys.getStale(clinic).isPresent()) {
                return lookupKeys.getStale(clinic).get();
            }
            throw e;
        }
        byte[] root = version(clinic, LOOKUP_ROOT_VERSION).key().getEncoded();
        try {
            SecretKey key = Aead.derive(root, "vclinic lookup key v1 " + clinic.value(), "HmacSHA256");
            lookupKeys.put(clinic, key);
            return key;
        } finally {
            Arrays.fill(root, (byte) 0);
        }
    }

    private Optional<StoredKey> selectCurrent(Connection c, ClinicId clinic) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT key_version, wrapped_key,"
                + " (SELECT fingerprint FROM master_key_fingerprint) FROM clinic_key"
                + " WHERE clinic_id = ? AND retired_at IS NULL")) {
            s.setString(1, clinic.value());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(stored(rs)) : Optional.empty();
            }
        }
    }

    /** Creates the clinic's first data key, unless another thread or process just did, or it was shredded. */
    private DataKey create(Connection c, ClinicId clinic) throws SQLException {
        c.setAutoCommit(false);
        try {
            lockClinic(c, clinic);
            Optional<StoredKey> raced = selectCurrent(c, clinic);
            if (raced.isPresent()) {
                c.commit();
                return toDataKey(clinic, raced.get());
            }
            Master m = lockMaster(c, "FOR SHARE");
            DataKey created = insert(c, m, clinic, latestVersion(c, clinic) + 1);
            c.commit();
            return created;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** A new random data key as version {@code version} of {@code clinic}, wrapped by {@code m}. */
    private static DataKey insert(Connection c, Master m, ClinicId clinic, int version) throws SQLException {
        byte[] raw = SecretFiles.randomBytes(DATA_KEY_BYTES);
        SecretKey key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO clinic_key (clinic_id, key_version, wrapped_key)"
                + " VALUES (?, ?, ?)")) {
            s.setString(1, clinic.value());
            s.setInt(2, version);
            s.setBytes(3, m.wrap(clinic, version, key));
            s.executeUpdate();
        }
        return new DataKey(clinic, version, key);
    }

    /** The highest version of the clinic's keys (0 when none); refuses a shredded clinic. */
    private static int latestVersion(Connection c, ClinicId clinic) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT coalesce(max(key_version), 0),"
                + " coalesce(bool_or(shredded_at IS NOT NULL), false) FROM clinic_key WHERE clinic_id = ?")) {
            s.setString(1, clinic.value());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (rs.getBoolean(2)) {
                    throw shredded(clinic);
                }
                return rs.getInt(1);
            }
        }
    }

    /** Serialises the changes to one clinic's keys across processes, until the transaction ends. */
    private static void lockClinic(Connection c, ClinicId clinic) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            s.setString(1, "vclinic clinic_key " + clinic.value());
            s.executeQuery().close();
        }
    }

    /**
     * Locks the master key's fingerprint row ({@code FOR SHARE} to wrap a new key, {@code FOR UPDATE} to
     * rotate it) and checks it is this process's master key.
     */
    private Master lockMaster(Connection c, String mode) throws SQLException {
        Master m = master;
        String stored = storedFingerprint(c, " " + mode);
        if (!stored.equals(m.fingerprint())) {
            throw staleMaster(stored, m);
        }
        return m;
    }

    private static String storedFingerprint(Connection c, String lockClause) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT fingerprint FROM master_key_fingerprint" + lockClause)) {
            if (!rs.next()) {
                throw new EncryptionException(Reason.MASTER_KEY_MISMATCH, "the database records no master key"
                        + " fingerprint (table master_key_fingerprint is empty): restart the service");
            }
            return rs.getString(1);
        }
    }

    private static StoredKey stored(ResultSet rs) throws SQLException {
        return new StoredKey(rs.getInt(1), Optional.ofNullable(rs.getBytes(2)), Optional.ofNullable(rs.getString(3)));
    }

    private DataKey toDataKey(ClinicId clinic, StoredKey stored) {
        Master m = master;
        if (stored.wrapped().isEmpty()) {
            throw shredded(clinic);
        }
        if (!stored.masterFingerprint().map(m.fingerprint()::equals).orElse(false)) {
            throw staleMaster(stored.masterFingerprint().orElse("(none)"), m);
        }
        return new DataKey(clinic, stored.version(), unwrap(m, clinic, stored.version(), stored.wrapped().get()));
    }

    private static SecretKey unwrap(Master m, ClinicId clinic, int version, byte[] wrapped) {
        try {
            return m.unwrap(clinic, version, wrapped);
        } catch (AEADBadTagException e) {
            throw new EncryptionException(Reason.MASTER_KEY_MISMATCH, "data key version " + version + " of clinic "
                    + clinic.value() + " does not unwrap with master key " + m.fingerprint() + ": its row was"
                    + " altered, or it was wrapped by another master key");
        }
    }

    private static EncryptionException staleMaster(String stored, Master m) {
        return new EncryptionException(Reason.MASTER_KEY_MISMATCH, "the data keys are now wrapped by master key "
                + stored + ", this process holds " + m.fingerprint() + " (from " + m.description() + "): the"
                + " master key was rotated; restart with the new one");
    }

    private static EncryptionException shredded(ClinicId clinic) {
        return new EncryptionException(Reason.SHREDDED, "the data keys of clinic " + clinic.value()
                + " were shredded: its sealed data cannot be read, and nothing more is sealed for it");
    }

    private static EncryptionException unavailable(SQLException e) {
        return new EncryptionException(Reason.KEY_STORE_UNAVAILABLE, "the key table in PostgreSQL cannot be"
                + " reached (SQLState " + e.getSQLState() + ")", e);
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
