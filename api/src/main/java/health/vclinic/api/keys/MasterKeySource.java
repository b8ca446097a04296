package health.vclinic.api.keys;

import health.vclinic.api.security.SecretFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the master key comes from: the AES-256 key that wraps every clinic's data keys and is never stored
 * in the database (NIST SP 800-57 Part 1 rev. 5, §6.2: a key-wrapping key kept apart from the keys it
 * protects; HIPAA §164.312(a)(2)(iv), encryption and decryption).
 *
 * <p>Two sources are built in: a key file ({@value #KEY_FILE}, 32 random bytes, owner-only, created on first
 * start and announced) and the environment variable {@value #ENVIRONMENT_VARIABLE} (the 32 bytes in base64),
 * which wins when set ({@link #standard}).
 *
 * <p><b>KMS hook.</b> A key management service plugs in by implementing this interface: {@link #key()}
 * typically asks the KMS to decrypt a master key it wrapped (envelope encryption: AWS KMS {@code Decrypt},
 * Google Cloud KMS {@code decrypt}, Azure Key Vault {@code unwrapKey}, HashiCorp Vault transit
 * {@code decrypt}) and returns the 32 plaintext bytes, so the master key lives unwrapped only in this
 * process's memory. {@link KeyRing#open} calls {@link #key()} once, and {@link KeyRing#rotateMaster} once for
 * the new source; nothing else is required of an implementation.
 */
public interface MasterKeySource {

    /** The master key file's name in the key directory. */
    String KEY_FILE = "master.key";
    /** The environment variable that, when set, holds the master key in base64 instead of the file. */
    String ENVIRONMENT_VARIABLE = "VCLINIC_MASTER_KEY";
    /** Length of the master key: AES-256. */
    int KEY_BYTES = 32;

    /**
     * The master key, {@value #KEY_BYTES} bytes, as a fresh array the caller may wipe.
     *
     * @throws IllegalStateException when the key cannot be had (missing, unreadable, wrong length), with a
     *                               message that names the source and never the key
     */
    byte[] key();

    /** Where the key comes from, in words for an operator (a path, a variable name); never the key. */
    String description();

    /**
     * The key file {@code file}: read it, or create it with {@value #KEY_BYTES} random bytes (0600, its
     * directory 0700) on first use, telling {@code announce} once. A file that group or others can read
     * is refused ({@link SecretFiles#read}).
     */
    static MasterKeySource keyFile(Path file, Consumer<String> announce) {
        return new MasterKeySources.KeyFile(file, true, announce);
    }

    /** The existing key file {@code file}, never created (a rotation's new key, a restored backup). */
    static MasterKeySource existingKeyFile(Path file) {
        return new MasterKeySources.KeyFile(file, false, line -> { });
    }

    /** The key in base64 (standard or URL-safe alphabet), from the named variable (named in messages). */
    static MasterKeySource base64(String variableName, String value) {
        return new MasterKeySources.Base64Key(variableName, value);
    }

    /**
     * The service's master key: {@value #ENVIRONMENT_VARIABLE} from {@code environment} when set and not
     * blank, else {@code keyDir/}{@value #KEY_FILE}, created on first start.
     */
    static MasterKeySource standard(Path keyDir, Map<String, String> environment, Consumer<String> announce) {
        String fromEnv = environment.get(ENVIRONMENT_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return base64(ENVIRONMENT_VARIABLE, fromEnv);
        }
        return keyFile(keyDir.resolve(KEY_FILE), announce);
    }
}
