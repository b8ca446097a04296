package health.vclinic.api.cli;

import static health.vclinic.api.cli.CommandRun.vclinic;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.keys.EncryptionException;
import health.vclinic.api.keys.FieldCipher;
import health.vclinic.api.keys.KeyRing;
import health.vclinic.api.keys.KeyVersion;
import health.vclinic.api.keys.MasterKeySource;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vclinic admin keys rotate} and {@code rotate-master} through the real command line, beside a
 * process that holds the embedded PostgreSQL (as a running server would): the command joins it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeysCommandTest {

    private static final String COLUMN = "triage_assessment.request";

    @TempDir
    static Path dir;

    private static Path dataDir;
    private static Database db;

    @BeforeAll
    static void start() {
        dataDir = dir.resolve("data");
        db = Database.embedded(dataDir, OptionalInt.empty());
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void rotateMakesANewVersionCurrentAndKeepsTheOld() throws Exception {
        Path keyDir = dir.resolve("rotate-keys");

        CommandRun first = vclinic("admin", "keys", "rotate", "--clinic", "north", "--key-dir", keyDir.toString(),
                "--data-dir", dataDir.toString());
        CommandRun second = vclinic("admin", "keys", "rotate", "--clinic", "north", "--key-dir", keyDir.toString(),
                "--data-dir", dataDir.toString());

        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("created " + MasterKeySource.KEY_FILE), "announced: " + first.out());
        assertTrue(first.out().contains("data key version 1 is current"), first.out());
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("data key version 2 is current") && second.out().contains("versions 1 to 1"),
                second.out());
        assertFalse(second.out().contains("created "), "the key file is created once");
        Path keyFile = keyDir.resolve(MasterKeySource.KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        KeyRing keys = KeyRing.open(db.dataSource(), MasterKeySource.existingKeyFile(keyFile));
        assertEquals(java.util.List.of(false, true),
                keys.versions(new ClinicId("north")).stream().map(KeyVersion::current).toList());
    }

    @Test
    void rotateMasterRewrapsInstallsTheNewKeyAndTheOldOneOpensNothing() throws Exception {
        Path keyDir = dir.resolve("master-keys");
        Path keyFile = keyDir.resolve(MasterKeySource.KEY_FILE);
        // This test owns its database: the master key is one per database.
        try (Database own = ownDatabase("rotate_master")) {
            KeyRing keys = KeyRing.open(own.dataSource(), MasterKeySource.keyFile(keyFile, line -> { }));
            byte[] oldKey = Files.readAllBytes(keyFile);
            byte[] sealed = new FieldCipher(keys).seal(new ClinicId("east"), "vomiting".getBytes(StandardCharsets.UTF_8),
                    COLUMN);
            Path newKeyFile = dir.resolve("new-master.key");

            CommandRun run = vclinic("admin", "keys", "rotate-master", "--new-key-file", newKeyFile.toString(),
                    "--key-dir", keyDir.toString(), "--database-url", jdbcUrl("rotate_master"), "--database-user", "postgres");

            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("rewrapped 1 data keys of 1 clinics"), run.out());
            assertArrayEquals(Files.readAllBytes(newKeyFile), Files.readAllBytes(keyFile), "installed as master.key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(newKeyFile)));
            assertArrayEquals("vomiting".getBytes(StandardCharsets.UTF_8), new FieldCipher(KeyRing.open(own.dataSource(),
                    MasterKeySource.existingKeyFile(keyFile))).open(new ClinicId("east"), sealed, COLUMN));
            Path oldKeyFile = dir.resolve("old-master.key");
            Files.write(oldKeyFile, oldKey);
            Files.setPosixFilePermissions(oldKeyFile, PosixFilePermissions.fromString("rw-------"));
            assertEquals(EncryptionException.Reason.MASTER_KEY_MISMATCH, assertThrows(EncryptionException.class,
                    () -> KeyRing.open(own.dataSource(), MasterKeySource.existingKeyFile(oldKeyFile))).reason());

            CommandRun again = vclinic("admin", "keys", "rotate-master", "--new-key-file", newKeyFile.toString(),
                    "--key-dir", keyDir.toString(), "--database-url", jdbcUrl("rotate_master"), "--database-user", "postgres");
            assertEquals(2, again.code());
            assertTrue(again.err().contains("is the one in use"), again.err());
        }
    }

    @Test
    void aBadClinicNameIsRefusedNamingTheOption() {
        CommandRun run = vclinic("admin", "keys", "rotate", "--clinic", "North Clinic", "--key-dir",
                dir.resolve("bad-keys").toString(), "--data-dir", dataDir.toString());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("--clinic"), run.err());
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + db.embeddedPort().getAsInt() + "/" + database;
    }

    @Test
    void shredMakesEverythingTheClinicSealedUnreadableAndAsksForConfirmation() throws Exception {
        Path keyFile = dir.resolve("shred-keys").resolve(MasterKeySource.KEY_FILE);
        try (Database own = ownDatabase("shred")) {
            FieldCipher cipher = new FieldCipher(KeyRing.open(own.dataSource(), MasterKeySource.keyFile(keyFile, line -> { })));
            byte[] sealed = cipher.seal(new ClinicId("west"), "vomiting".getBytes(StandardCharsets.UTF_8), COLUMN);
            String[] args = {"admin", "keys", "shred", "--clinic", "west", "--key-dir", keyFile.getParent().toString(),
                    "--database-url", jdbcUrl("shred"), "--database-user", "postgres"};

            CommandRun unconfirmed = vclinic(args);
            assertNotEquals(0, unconfirmed.code());
            assertTrue(unconfirmed.err().contains("--destroy-all-data"), unconfirmed.err());

            String[] confirmed = java.util.Arrays.copyOf(args, args.length + 1);
            confirmed[args.length] = "--destroy-all-data";
            CommandRun run = vclinic(confirmed);
            assertEquals(0, run.code(), run.err());
            assertTrue(run.out().contains("1 data keys destroyed"), run.out());
            FieldCipher fresh = new FieldCipher(KeyRing.open(own.dataSource(), MasterKeySource.existingKeyFile(keyFile)));
            EncryptionException e = assertThrows(EncryptionException.class,
                    () -> fresh.open(new ClinicId("west"), sealed, COLUMN));
            assertEquals(EncryptionException.Reason.SHREDDED, e.reason());
        }
    }

    private static Database ownDatabase(String name) throws Exception {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return Database.external(jdbcUrl(name), "postgres", "");
    }
}
