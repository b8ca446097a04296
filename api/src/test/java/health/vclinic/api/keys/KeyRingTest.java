package health.vclinic.api.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.keys.EncryptionException.Reason;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ClinicId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data keys in a real PostgreSQL (embedded; a fresh database per test): creation, rotation, master key
 * rotation, shredding, and what the key table holds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeyRingTest {

    private static final String COLUMN = "triage_assessment.request";

    @TempDir
    static Path dir;

    private static FreshDatabases databases;

    @BeforeAll
    static void start() {
        databases = new FreshDatabases(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (databases != null) {
            databases.close();
        }
    }

    private static MasterKeySource newMaster(String name) {
        return MasterKeySource.base64(name, Base64.getEncoder().encodeToString(SecretFiles.randomBytes(32)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aClinicsFirstKeyIsCreatedOnFirstUseAndOnlyOnceUnderConcurrency() throws Exception {
        Database db = databases.fresh();
        MasterKeySource master = newMaster("M");
        KeyRing.open(db.dataSource(), master);
        ClinicId clinic = new ClinicId("first-use");
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> versions = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                KeyRing ring = KeyRing.open(db.dataSource(), master); // as many processes
                Callable<Integer> firstUse = () -> {
                    go.await();
                    return ring.currentVersion(clinic);
                };
                versions.add(pool.submit(firstUse));
            }
            go.countDown();
            for (Future<Integer> v : versions) {
                assertEquals(1, v.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, KeyRing.open(db.dataSource(), master).versions(clinic).size());
    }

    @Test
    void afterARotationOldValuesStillOpenAndNewSealsUseTheNewVersion() throws Exception {
        Database db = databases.fresh();
        MasterKeySource master = newMaster("M");
        KeyRing keys = KeyRing.open(db.dataSource(), master);
        FieldCipher cipher = new FieldCipher(keys);
        ClinicId clinic = new ClinicId("rotating");
        byte[] old = cipher.seal(clinic, utf8("short of breath since yesterday"), COLUMN);
        assertEquals(1, FieldCipher.keyVersion(old));

        assertEquals(2, keys.rotate(clinic));
        byte[] fresh = cipher.seal(clinic, utf8("fever and rigors"), COLUMN);

        assertEquals(2, FieldCipher.keyVersion(fresh));
        assertArrayEquals(utf8("short of breath since yesterday"), cipher.open(clinic, old, COLUMN));
        assertArrayEquals(utf8("fever and rigors"), cipher.open(clinic, fresh, COLUMN));
        FieldCipher otherProcess = new FieldCipher(KeyRing.open(db.dataSource(), master));
        assertArrayEquals(utf8("short of breath since yesterday"), otherProcess.open(clinic, old, COLUMN));
        assertEquals(2, FieldCipher.keyVersion(otherProcess.seal(clinic, utf8("x"), COLUMN)),
                "another process seals with the rotated version");

        List<KeyVersion> versions = keys.versions(clinic);
        assertEquals(List.of(1, 2), versions.stream().map(KeyVersion::version).toList());
        assertFalse(versions.get(0).current());
        assertTrue(versions.get(0).retiredAt().isPresent());
        assertTrue(versions.get(1).current());
        assertEquals(1, count(db, "SELECT count(*) FROM clinic_key WHERE clinic_id = 'rotating' AND retired_at IS NULL"));
    }

    @Test
    void afterAMasterRotationEveryClinicsDataOpensWithTheNewMasterAndNotWithTheOld() throws Exception {
        Database db = databases.fresh();
        MasterKeySource oldMaster = newMaster("OLD");
        KeyRing keys = KeyRing.open(db.dataSource(), oldMaster);
        FieldCipher cipher = new FieldCipher(keys);
        Map<ClinicId, byte[]> sealed = new LinkedHashMap<>();
        for (String name : List.of("alpha", "beta", "gamma")) {
            ClinicId clinic = new ClinicId(name);
            sealed.put(clinic, cipher.seal(clinic, utf8("complaint of " + name), COLUMN));
        }
        keys.rotate(new ClinicId("beta"));
        byte[] betaV2 = cipher.seal(new ClinicId("beta"), utf8("after rotation"), COLUMN);
        String oldFingerprint = keys.masterFingerprint();
        Map<String, byte[]> wrappedBefore = wrappedKeys(db);

        MasterKeySource newMaster = newMaster("NEW");
        KeyRing.MasterRotation done = keys.rotateMaster(newMaster);

        assertEquals(4, done.keysRewrapped());
        assertEquals(3, done.clinics());
        assertEquals(oldFingerprint, done.oldFingerprint());
        assertEquals(keys.masterFingerprint(), done.newFingerprint());
        Map<String, byte[]> wrappedAfter = wrappedKeys(db);
        assertEquals(wrappedBefore.keySet(), wrappedAfter.keySet());
        wrappedBefore.forEach((k, v) -> assertFalse(java.util.Arrays.equals(v, wrappedAfter.get(k)), k + " rewrapped"));

        FieldCipher withNew = new FieldCipher(KeyRing.open(db.dataSource(), newMaster));
        sealed.forEach((clinic, envelope) -> assertArrayEquals(utf8("complaint of " + clinic.value()),
                withNew.open(clinic, envelope, COLUMN)));
        assertArrayEquals(utf8("after rotation"), withNew.open(new ClinicId("beta"), betaV2, COLUMN));
        assertArrayEquals(utf8("complaint of alpha"), cipher.open(new ClinicId("alpha"), sealed.get(new ClinicId("alpha")),
                COLUMN), "the rotating ring goes on with the new master");
        assertArrayEquals(utf8("new clinic"), withNew.open(new ClinicId("delta"),
                cipher.seal(new ClinicId("delta"), utf8("new clinic"), COLUMN), COLUMN));

        EncryptionException refused = assertThrows(EncryptionException.class,
                () -> KeyRing.open(db.dataSource(), oldMaster));
        assertEquals(Reason.MASTER_KEY_MISMATCH, refused.reason());
        assertTrue(refused.getMessage().contains(oldFingerprint), refused.getMessage());

        // Past the bookkeeping: even told it is current, the old master key unwraps nothing.
        execute(db, "UPDATE master_key_fingerprint SET fingerprint = '" + oldFingerprint + "'");
        FieldCipher withOld = new FieldCipher(KeyRing.open(db.dataSource(), oldMaster));
        sealed.forEach((clinic, envelope) -> assertEquals(Reason.MASTER_KEY_MISMATCH,
                assertThrows(EncryptionException.class, () -> withOld.open(clinic, envelope, COLUMN)).reason()));
    }

    @Test
    void aMasterKeyIsNotRotatedToItselfAndAStaleProcessIsToldToRestart() throws Exception {
        Database db = databases.fresh();
        MasterKeySource master = newMaster("M");
        KeyRing keys = KeyRing.open(db.dataSource(), master);
        KeyRing stale = KeyRing.open(db.dataSource(), master);
        assertThrows(IllegalArgumentException.class, () -> keys.rotateMaster(master));

        keys.rotateMaster(newMaster("NEW"));

        EncryptionException e = assertThrows(EncryptionException.class,
                () -> stale.currentVersion(new ClinicId("created-after")));
        assertEquals(Reason.MASTER_KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("restart"), e.getMessage());
        assertEquals(0, count(db, "SELECT count(*) FROM clinic_key"), "the stale process wrapped nothing");
    }

    @Test
    void shreddingMakesAClinicsDataUnreadableAndLeavesTheOthersAlone() throws Exception {
        Database db = databases.fresh();
        MasterKeySource master = newMaster("M");
        KeyRing keys = KeyRing.open(db.dataSource(), master);
        FieldCipher cipher = new FieldCipher(keys);
        ClinicId gone = new ClinicId("closing");
        ClinicId stays = new ClinicId("staying");
        byte[] v1 = cipher.seal(gone, utf8("wheeze and cough"), COLUMN);
        keys.rotate(gone);
        byte[] v2 = cipher.seal(gone, utf8("wheeze and cough, worse"), COLUMN);
        byte[] other = cipher.seal(stays, utf8("ankle sprain"), COLUMN);
        cipher.keyedHash(gone, "pt-1");
        FieldCipher otherProcess = new FieldCipher(KeyRing.open(db.dataSource(), master));
        otherProcess.open(gone, v1, COLUMN);
        byte[] wrappedV1 = wrappedKeys(db).get("closing/1");
        checkpoint(db);
        assertTrue(indexOf(Files.readAllBytes(tableFile(db)), wrappedV1) >= 0,
                "before shredding, the wrapped key is in the table's data file");

        assertEquals(2, keys.shred(gone));

        for (byte[] envelope : List.of(v1, v2)) {
            assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class,
                    () -> cipher.open(gone, envelope, COLUMN)).reason());
            assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class,
                    () -> new FieldCipher(KeyRing.open(db.dataSource(), master)).open(gone, envelope, COLUMN)).reason());
        }
        assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class,
                () -> cipher.seal(gone, utf8("more"), COLUMN)).reason());
        assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class,
                () -> cipher.keyedHash(gone, "pt-1")).reason());
        assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class, () -> keys.rotate(gone)).reason());
        assertArrayEquals(utf8("ankle sprain"), cipher.open(stays, other, COLUMN));

        assertEquals(0, count(db, "SELECT count(*) FROM clinic_key WHERE clinic_id = 'closing'"
                + " AND (wrapped_key IS NOT NULL OR shredded_at IS NULL)"));
        assertEquals(2, keys.versions(gone).stream().filter(v -> v.shreddedAt().isPresent()).count());
        checkpoint(db);
        assertTrue(indexOf(Files.readAllBytes(tableFile(db)), wrappedV1) < 0,
                "after shredding, the wrapped key's old row version is gone from the table's data file");
        assertEquals(0, keys.shred(gone), "shredding twice destroys nothing more");
    }

    @Test
    void aClinicShreddedBeforeItsFirstSealGetsNoKeyAfterwards() throws Exception {
        Database db = databases.fresh();
        KeyRing keys = KeyRing.open(db.dataSource(), newMaster("M"));
        ClinicId clinic = new ClinicId("never-used");

        assertEquals(0, keys.shred(clinic));

        assertEquals(Reason.SHREDDED, assertThrows(EncryptionException.class,
                () -> new FieldCipher(keys).seal(clinic, utf8("x"), COLUMN)).reason());
    }

    @Test
    void theDatabaseHoldsOnlyWrappedKeysNeverTheDataKeysOrTheMasterKey() throws Exception {
        Database db = databases.fresh();
        byte[] masterBytes = SecretFiles.randomBytes(32);
        KeyRing keys = KeyRing.open(db.dataSource(), MasterKeySource.base64("M",
                Base64.getEncoder().encodeToString(masterBytes)));
        ClinicId clinic = new ClinicId("wrapped");
        keys.rotate(clinic);
        keys.rotate(clinic);

        Map<String, byte[]> wrapped = wrappedKeys(db);
        assertEquals(2, wrapped.size());
        for (int version = 1; version <= 2; version++) {
            byte[] raw = keys.version(clinic, version).key().getEncoded();
            byte[] stored = wrapped.get("wrapped/" + version);
            assertEquals(Master.WRAPPED_BYTES, stored.length);
            for (int i = 0; i + 8 <= raw.length; i++) {
                byte[] window = java.util.Arrays.copyOfRange(raw, i, i + 8);
                assertTrue(indexOf(stored, window) < 0, "no 8 bytes of data key " + version + " in its wrapped form");
                assertTrue(indexOf(stored, java.util.Arrays.copyOfRange(masterBytes, i, i + 8)) < 0);
            }
        }
        checkpoint(db);
        byte[] file = Files.readAllBytes(tableFile(db));
        for (int version = 1; version <= 2; version++) {
            assertTrue(indexOf(file, keys.version(clinic, version).key().getEncoded()) < 0);
        }
        assertTrue(indexOf(file, masterBytes) < 0);
    }

    @Test
    void anotherMasterKeyIsRefusedAtOpenNamingBothFingerprints() throws Exception {
        Database db = databases.fresh();
        KeyRing first = KeyRing.open(db.dataSource(), newMaster("FIRST"));
        first.currentVersion(new ClinicId("a"));
        MasterKeySource second = newMaster("SECOND");

        EncryptionException e = assertThrows(EncryptionException.class, () -> KeyRing.open(db.dataSource(), second));

        assertEquals(Reason.MASTER_KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains(first.masterFingerprint()), e.getMessage());
        assertTrue(e.getMessage().contains("SECOND"), "names the source: " + e.getMessage());
    }

    @Test
    void aWrappedKeyCopiedToAnotherClinicsRowDoesNotUnwrap() throws Exception {
        Database db = databases.fresh();
        MasterKeySource master = newMaster("M");
        KeyRing keys = KeyRing.open(db.dataSource(), master);
        keys.currentVersion(new ClinicId("victim"));
        keys.currentVersion(new ClinicId("thief"));

        execute(db, "UPDATE clinic_key SET wrapped_key = (SELECT wrapped_key FROM clinic_key WHERE clinic_id = 'victim')"
                + " WHERE clinic_id = 'thief'");

        EncryptionException e = assertThrows(EncryptionException.class,
                () -> KeyRing.open(db.dataSource(), master).currentVersion(new ClinicId("thief")));
        assertEquals(Reason.MASTER_KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("altered"), e.getMessage());
    }

    private static Map<String, byte[]> wrappedKeys(Database db) throws SQLException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT clinic_id, key_version, wrapped_key FROM clinic_key"
                     + " WHERE wrapped_key IS NOT NULL ORDER BY 1, 2")) {
            while (rs.next()) {
                out.put(rs.getString(1) + "/" + rs.getInt(2), rs.getBytes(3));
            }
        }
        return out;
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void execute(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Writes every dirty page to the data files, so what the table holds is what its file holds. */
    private static void checkpoint(Database db) throws SQLException {
        execute(db, "CHECKPOINT");
    }

    private static Path tableFile(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pg_relation_filepath('clinic_key')");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return databases.pgData().resolve(rs.getString(1));
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
