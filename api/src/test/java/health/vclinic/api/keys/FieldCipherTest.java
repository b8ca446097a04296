package health.vclinic.api.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.keys.EncryptionException.Reason;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Field envelopes and keyed hashes, with data keys in a real PostgreSQL (embedded, fresh database). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FieldCipherTest {

    private static final ClinicId NORTH = new ClinicId("north");
    private static final ClinicId SOUTH = new ClinicId("south");
    private static final String COMPLAINT = "crushing chest pain radiating to the left arm";
    private static final String COLUMN = "triage_assessment.request";

    @TempDir
    static Path dir;

    private static FreshDatabases databases;
    private static Database db;
    private static KeyRing keys;
    private static FieldCipher cipher;

    @BeforeAll
    static void start() throws Exception {
        databases = new FreshDatabases(dir.resolve("data"));
        db = databases.fresh();
        keys = KeyRing.open(db.dataSource(),
                MasterKeySource.keyFile(dir.resolve("keys").resolve(MasterKeySource.KEY_FILE), line -> { }));
        cipher = new FieldCipher(keys);
    }

    @AfterAll
    static void stop() {
        if (databases != null) {
            databases.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void whatIsSealedOpensAsItWasInAVersionedEnvelope() {
        for (int size : new int[] {0, 1, 16, 1000, 300_000}) {
            byte[] plaintext = new byte[size];
            for (int i = 0; i < size; i++) {
                plaintext[i] = (byte) (i * 31 + size);
            }
            byte[] envelope = cipher.seal(NORTH, plaintext, COLUMN);

            assertEquals(size + FieldCipher.OVERHEAD, envelope.length);
            assertEquals(FieldCipher.FORMAT, envelope[0]);
            assertEquals(keys.currentVersion(NORTH), FieldCipher.keyVersion(envelope));
            assertArrayEquals(plaintext, cipher.open(NORTH, envelope, COLUMN), "size " + size);
        }
        byte[] a = cipher.seal(NORTH, utf8(COMPLAINT), COLUMN);
        byte[] b = cipher.seal(NORTH, utf8(COMPLAINT), COLUMN);
        assertFalse(Arrays.equals(a, b), "the same plaintext seals differently each time (fresh nonce)");
        assertFalse(HexFormat.of().formatHex(a).contains(HexFormat.of().formatHex(utf8("chest pain"))));
    }

    @Test
    void everyAlteredByteIsRefusedWithoutThePlaintextInTheMessage() {
        byte[] envelope = cipher.seal(NORTH, utf8(COMPLAINT), COLUMN);
        for (int i = 0; i < envelope.length; i++) {
            byte[] altered = envelope.clone();
            altered[i] ^= 0x01;
            EncryptionException e = assertThrows(EncryptionException.class, () -> cipher.open(NORTH, altered, COLUMN),
                    "byte " + i + " altered");
            // The format byte and the key version are read first; everything else is caught by the GCM tag.
            int version = java.nio.ByteBuffer.wrap(altered, 1, 4).getInt();
            Reason expected = i == 0 || version < 1 ? Reason.MALFORMED : i <= 4 ? Reason.UNKNOWN_KEY : Reason.REFUSED;
            assertEquals(expected, e.reason(), "byte " + i + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("chest"), e.getMessage());
        }
        EncryptionException truncated = assertThrows(EncryptionException.class,
                () -> cipher.open(NORTH, Arrays.copyOf(envelope, FieldCipher.OVERHEAD - 1), COLUMN));
        assertEquals(Reason.MALFORMED, truncated.reason());
        EncryptionException cut = assertThrows(EncryptionException.class,
                () -> cipher.open(NORTH, Arrays.copyOf(envelope, envelope.length - 1), COLUMN));
        assertEquals(Reason.REFUSED, cut.reason());
    }

    @Test
    void aValueMovedToAnotherClinicOrColumnDoesNotOpen() {
        byte[] envelope = cipher.seal(NORTH, utf8(COMPLAINT), COLUMN);
        cipher.seal(SOUTH, utf8("anything"), COLUMN); // SOUTH has a key of the same version

        EncryptionException otherClinic = assertThrows(EncryptionException.class,
                () -> cipher.open(SOUTH, envelope, COLUMN));
        assertEquals(Reason.REFUSED, otherClinic.reason());
        assertTrue(otherClinic.getMessage().contains("another clinic"), otherClinic.getMessage());

        EncryptionException otherColumn = assertThrows(EncryptionException.class,
                () -> cipher.open(NORTH, envelope, "imaging_analysis.image"));
        assertEquals(Reason.REFUSED, otherColumn.reason());

        EncryptionException keyless = assertThrows(EncryptionException.class,
                () -> cipher.open(new ClinicId("no-keys-yet"), envelope, COLUMN));
        assertEquals(Reason.UNKNOWN_KEY, keyless.reason());

        for (EncryptionException e : new EncryptionException[] {otherClinic, otherColumn, keyless}) {
            assertFalse(e.getMessage().contains("chest"), e.getMessage());
        }
        assertArrayEquals(utf8(COMPLAINT), cipher.open(NORTH, envelope, COLUMN), "still opens where it belongs");
    }

    @Test
    void noncesNeverRepeatOverAHundredThousandSeals() {
        int seals = 100_000;
        Set<String> nonces = new HashSet<>(2 * seals);
        byte[] plaintext = utf8("x");
        for (int i = 0; i < seals; i++) {
            byte[] envelope = cipher.seal(NORTH, plaintext, COLUMN);
            nonces.add(HexFormat.of().formatHex(envelope, 5, 17));
        }
        assertEquals(seals, nonces.size());
    }

    @Test
    void aBadContextIsRefusedNamingTheField() {
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> cipher.seal(NORTH, utf8(COMPLAINT), " "));
        assertTrue(blank.getMessage().startsWith("context"), blank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cipher.seal(NORTH, utf8(COMPLAINT), "c".repeat(129)));
    }

    @Test
    void theKeyedHashIsStablePerClinicAndAcrossRotationsAndDiffersBetweenClinics() {
        ClinicId clinic = new ClinicId("hashing");
        String ref = "pt-000123";
        String before = cipher.keyedHash(clinic, ref);

        assertTrue(before.matches("[0-9a-f]{64}"), before);
        assertEquals(before, cipher.keyedHash(clinic, ref));
        assertNotEquals(before, cipher.keyedHash(clinic, "pt-000124"));
        assertNotEquals(before, cipher.keyedHash(SOUTH, ref), "another clinic, another hash");

        keys.rotate(clinic);
        keys.rotate(clinic);
        assertEquals(3, keys.currentVersion(clinic));
        assertEquals(before, cipher.keyedHash(clinic, ref), "rotation keeps the hash");
        FieldCipher uncached = new FieldCipher(KeyRing.open(db.dataSource(),
                MasterKeySource.keyFile(dir.resolve("keys").resolve(MasterKeySource.KEY_FILE), line -> { })));
        assertEquals(before, uncached.keyedHash(clinic, ref), "another process computes the same hash");
    }
}
