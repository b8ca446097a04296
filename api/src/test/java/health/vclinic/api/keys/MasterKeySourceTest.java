package health.vclinic.api.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the master key comes from: the owner-only key file, created once and announced, or the environment. */
class MasterKeySourceTest {

    @TempDir
    Path dir;

    @Test
    void theKeyFileIsCreatedOwnerOnlyOnFirstUseAndAnnouncedOnce() throws Exception {
        Path keyDir = dir.resolve("keys");
        List<String> said = new ArrayList<>();
        MasterKeySource source = MasterKeySource.standard(keyDir, Map.of(), said::add);

        byte[] first = source.key();
        byte[] second = source.key();

        Path file = keyDir.resolve(MasterKeySource.KEY_FILE);
        assertEquals(32, first.length);
        assertArrayEquals(first, second, "the second start reads the key the first created");
        assertArrayEquals(first, Files.readAllBytes(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyDir)));
        assertEquals(1, said.size(), "announced once, on creation: " + said);
        assertTrue(said.getFirst().contains(file.toAbsolutePath().toString()), said.getFirst());
        assertTrue(source.description().contains(file.toAbsolutePath().toString()));
    }

    @Test
    void aKeyFileThatGroupOrOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve(MasterKeySource.KEY_FILE);
        Files.write(file, new byte[32]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MasterKeySource.keyFile(file, line -> { }).key());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> MasterKeySource.existingKeyFile(file).key());
    }

    @Test
    void aKeyFileOfTheWrongLengthIsRefusedNamingTheLength() throws Exception {
        Path file = dir.resolve("short.key");
        Files.write(file, new byte[16]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MasterKeySource.existingKeyFile(file).key());
        assertTrue(e.getMessage().contains("32 bytes") && e.getMessage().contains("not 16"), e.getMessage());
    }

    @Test
    void anExistingKeyFileIsNeverCreated() {
        Path file = dir.resolve("absent.key");
        assertThrows(IllegalStateException.class, () -> MasterKeySource.existingKeyFile(file).key());
        assertFalse(Files.exists(file));
    }

    @Test
    void theEnvironmentVariableWinsOverTheKeyFile() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        Path keyDir = dir.resolve("keys");
        MasterKeySource source = MasterKeySource.standard(keyDir,
                Map.of(MasterKeySource.ENVIRONMENT_VARIABLE, Base64.getEncoder().encodeToString(key) + "\n"), l -> { });

        assertArrayEquals(key, source.key());
        assertFalse(Files.exists(keyDir), "no key file is created when the variable is set");
        assertTrue(source.description().contains(MasterKeySource.ENVIRONMENT_VARIABLE));
        assertFalse(source.toString().contains(Base64.getEncoder().encodeToString(key)), source.toString());
        assertArrayEquals(key, MasterKeySource.base64("K", Base64.getUrlEncoder().encodeToString(key)).key());

        MasterKeySource blank = MasterKeySource.standard(keyDir, Map.of(MasterKeySource.ENVIRONMENT_VARIABLE, " "),
                l -> { });
        assertEquals(32, blank.key().length);
        assertTrue(Files.exists(keyDir.resolve(MasterKeySource.KEY_FILE)), "a blank variable falls back to the file");
    }

    @Test
    void aVariableThatIsNotBase64OrNot32BytesIsRefusedWithoutEchoingIt() {
        String secretish = "s3cr3t*value!";
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MasterKeySource.base64(MasterKeySource.ENVIRONMENT_VARIABLE, secretish).key());
        assertTrue(e.getMessage().contains(MasterKeySource.ENVIRONMENT_VARIABLE), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t") || e.getMessage().contains("*"), e.getMessage());

        String tooShort = Base64.getEncoder().encodeToString(new byte[31]);
        IllegalStateException shortKey = assertThrows(IllegalStateException.class,
                () -> MasterKeySource.base64(MasterKeySource.ENVIRONMENT_VARIABLE, tooShort).key());
        assertTrue(shortKey.getMessage().contains("not 31"), shortKey.getMessage());
        assertFalse(shortKey.getMessage().contains(tooShort), shortKey.getMessage());
    }
}
