package health.vclinic.api.keys;

import health.vclinic.api.security.SecretFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Consumer;

/** The built-in {@link MasterKeySource}s. */
final class MasterKeySources {

    private MasterKeySources() {
    }

    /** A key file, created on first use when {@code create}. */
    record KeyFile(Path file, boolean create, Consumer<String> announce) implements MasterKeySource {

        KeyFile {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(announce, "announce");
        }

        @Override
        public byte[] key() {
            if (!create && !Files.isRegularFile(file)) {
                throw new IllegalStateException("no master key file at " + file.toAbsolutePath());
            }
            byte[] key = create
                    ? SecretFiles.readOrCreate(file, () -> SecretFiles.randomBytes(KEY_BYTES),
                            line -> announce.accept(line + " (the master key of encryption at rest: without it"
                                    + " the record cannot be read; back it up apart from the database)"))
                    : SecretFiles.read(file);
            return checked(key, "the master key file " + file.toAbsolutePath());
        }

        @Override
        public String description() {
            return "key file " + file.toAbsolutePath();
        }
    }

    /** A key in base64, from an environment variable or a secret manager's injection. */
    record Base64Key(String name, String value) implements MasterKeySource {

        Base64Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] key() {
            String v = value.strip();
            byte[] key;
            try {
                key = (v.indexOf('-') >= 0 || v.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder())
                        .decode(v);
            } catch (IllegalArgumentException e) {
                // The decoder's message quotes the offending character: a piece of the secret, so not passed on.
                throw new IllegalStateException(name + " is not base64; set it to 32 random bytes in base64"
                        + " (e.g. head -c 32 /dev/urandom | base64)");
            }
            return checked(key, name);
        }

        @Override
        public String description() {
            return "environment variable " + name;
        }

        @Override
        public String toString() {
            return "Base64Key[" + name + "]";
        }
    }

    private static byte[] checked(byte[] key, String where) {
        if (key.length != MasterKeySource.KEY_BYTES) {
            int n = key.length;
            Arrays.fill(key, (byte) 0);
            throw new IllegalStateException(where + " must hold " + MasterKeySource.KEY_BYTES
                    + " bytes (an AES-256 key), not " + n);
        }
        return key;
    }
}
