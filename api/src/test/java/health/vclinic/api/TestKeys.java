package health.vclinic.api;

import health.vclinic.api.keys.FieldCipher;
import health.vclinic.api.keys.KeyRing;
import health.vclinic.api.keys.MasterKeySource;
import java.nio.file.Path;
import javax.sql.DataSource;

/** The master key of encryption at rest for tests: a key file in the test's own directory, created on first use. */
public final class TestKeys {

    private TestKeys() {
    }

    /** {@code dir/keys/master.key}, created (0600) on first use; the same key for every later call on {@code dir}. */
    public static MasterKeySource master(Path dir) {
        return MasterKeySource.keyFile(dir.resolve("keys").resolve(MasterKeySource.KEY_FILE), line -> { });
    }

    /** A cipher over {@code db}'s key ring under {@link #master}. */
    public static FieldCipher cipher(DataSource db, Path dir) {
        return new FieldCipher(KeyRing.open(db, master(dir)));
    }
}
