package health.vclinic.api.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Key files outside the database: read one, or create it on first use readable by its owner only (0600),
 * saying so once. A key file that group or others can read is refused: a key anyone on the machine can
 * copy protects nothing.
 */
public final class SecretFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFiles() {
    }

    /**
     * The bytes of {@code file}, creating it with {@code create}'s output (0600, directory 0700) when absent.
     *
     * @param announce told "created KEY at PATH" once, when the file is created
     */
    public static byte[] readOrCreate(Path file, java.util.function.Supplier<byte[]> create, Consumer<String> announce) {
        try {
            if (!Files.exists(file)) {
                Path dir = file.toAbsolutePath().getParent();
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                }
                byte[] secret = create.get();
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    Files.write(file, secret);
                    announce.accept("created " + file.getFileName() + " at " + file.toAbsolutePath()
                            + " (owner-only, 0600); keep it out of backups of the database");
                    return secret;
                } catch (FileAlreadyExistsException raced) {
                    // Another process created it first: read theirs.
                }
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the key file " + file, e);
        }
    }

    /** The bytes of an existing key file, refused when group or others may read it. */
    public static byte[] read(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalStateException("key file " + file + " is readable by group or others ("
                        + PosixFilePermissions.toString(perms) + "); chmod 600 it");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + file, e);
        }
    }

    /** {@code n} bytes from a {@link SecureRandom}. */
    public static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        RANDOM.nextBytes(out);
        return out;
    }
}
