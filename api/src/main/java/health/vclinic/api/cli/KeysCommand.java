package health.vclinic.api.cli;

import health.vclinic.api.keys.EncryptionException;
import health.vclinic.api.keys.KeyRing;
import health.vclinic.api.keys.MasterKeySource;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.ServedEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic admin keys rotate --clinic NAME} and {@code vclinic admin keys rotate-master --new-key-file
 * FILE}: the key rotations of encryption at rest ({@link KeyRing}; NIST SP 800-57 Part 1 rev. 5 §5.3,
 * cryptoperiods). Both open the record's database like the other {@code admin} commands and work beside a
 * running server. Scripts outside the repository use these names.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Rotate the keys of encryption at rest.",
        subcommands = {KeysCommand.Rotate.class, KeysCommand.RotateMaster.class, KeysCommand.Shred.class})
final class KeysCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("usage: vclinic admin keys (rotate --clinic NAME | rotate-master --new-key-file FILE"
                + " | shred --clinic NAME --destroy-all-data)"
                + " [--key-dir DIR] [--data-dir DIR]");
    }

    /** An {@code admin keys} action: opens the record's database and the key ring, and reports refusals plainly. */
    abstract static class KeyAction implements Callable<Integer> {
        @Mixin
        KeyOptions keys;
        @Mixin
        RecordOptions record;
        @Spec
        CommandSpec spec;

        /** Checks the options before anything is opened; throws IllegalArgumentException naming the option. */
        void check() {
        }

        /** The action on the open key ring; returns the exit code. */
        abstract int run(KeyRing ring, PrintWriter out);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                check();
                try (Database db = record.openDatabase()) {
                    return run(KeyRing.open(db.dataSource(), keys.master(out)), out);
                }
            } catch (EncryptionException | IllegalStateException | IllegalArgumentException | UncheckedIOException e) {
                spec.commandLine().getErr().println("vclinic: " + e.getMessage());
                return 2;
            }
        }

        boolean runningServer() {
            return ServerAddress.read(record.dataDir()).isPresent();
        }
    }

    @Command(name = "shred", mixinStandardHelpOptions = true,
            description = "Crypto-shred a clinic (erasing the clinic): destroy every data key of it, so all it"
                    + " has sealed can never be opened again and nothing more is sealed for it. Irreversible.")
    static final class Shred extends KeyAction {
        @Option(names = "--clinic", required = true, paramLabel = "NAME", description = "The clinic id.")
        String clinic;
        @Option(names = "--destroy-all-data", required = true,
                description = "Required: says that every record of the clinic becomes unreadable for good.")
        boolean confirmed;

        @Override
        void check() {
            try {
                new ClinicId(clinic);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--clinic: " + e.getMessage(), e);
            }
        }

        @Override
        int run(KeyRing ring, PrintWriter out) {
            ClinicId id = new ClinicId(clinic);
            int destroyed = ring.shred(id);
            out.println("clinic " + id.value() + ": " + destroyed + " data keys destroyed; its sealed records can"
                    + " no longer be opened" + (runningServer() ? " (the running server forgets its cached keys within "
                    + KeyRing.CACHE_TTL.toSeconds() + " s)" : ""));
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Make a new data key current for a clinic's new writes; older versions stay and keep"
                    + " opening what they sealed (nothing is re-encrypted).")
    static final class Rotate extends KeyAction {
        @Option(names = "--clinic", required = true, paramLabel = "NAME", description = "The clinic id.")
        String clinic;

        @Override
        void check() {
            try {
                new ClinicId(clinic);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--clinic: " + e.getMessage(), e);
            }
        }

        @Override
        int run(KeyRing ring, PrintWriter out) {
            ClinicId id = new ClinicId(clinic);
            int version = ring.rotate(id);
            out.println("clinic " + id.value() + ": data key version " + version + " is current for new writes"
                    + (version > 1 ? "; versions 1 to " + (version - 1) + " stay for reading" : "")
                    + (runningServer() ? "; the running server seals with it within "
                    + KeyRing.CACHE_TTL.toSeconds() + " s" : ""));
            return 0;
        }
    }

    @Command(name = "rotate-master", mixinStandardHelpOptions = true,
            description = "Rewrap every clinic's data keys under a new master key (the data is not re-encrypted)"
                    + " and install it as the key file; the old master key then opens nothing.")
    static final class RotateMaster extends KeyAction {
        @Option(names = "--new-key-file", required = true, paramLabel = "FILE", description = "The new master"
                + " key: 32 random bytes, owner-only (0600); created when absent.")
        Path newKeyFile;

        @Override
        int run(KeyRing ring, PrintWriter out) {
            MasterKeySource next = MasterKeySource.keyFile(newKeyFile, out::println);
            KeyRing.MasterRotation done = ring.rotateMaster(next);
            out.println("rewrapped " + done.keysRewrapped() + " data keys of " + done.clinics()
                    + " clinics: master key " + done.oldFingerprint() + " -> " + done.newFingerprint());
            if (keys.masterFromKeyFile()) {
                Path installed = install(next, keys.keyDir().resolve(MasterKeySource.KEY_FILE));
                out.println(installed.toAbsolutePath() + " now holds the new master key; " + newKeyFile
                        + " is a copy of it: keep one copy offline as the backup, apart from the database");
            } else {
                out.println("set " + MasterKeySource.ENVIRONMENT_VARIABLE + " to the new key before the next start: "
                        + MasterKeySource.ENVIRONMENT_VARIABLE + "=$(base64 -w0 " + newKeyFile + ")");
            }
            if (runningServer()) {
                out.println("a server runs on this data directory: restart it, so that it reads the new master key"
                        + " (until then it refuses keys it has not cached)");
            }
            return 0;
        }

        /** Replaces {@code target} by the new key atomically, owner-only throughout. */
        private static Path install(MasterKeySource next, Path target) {
            byte[] key = next.key();
            try {
                Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".master", ".key",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.write(tmp, key);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("the data keys are rewrapped, but " + target + " could not be"
                        + " replaced: copy the new key file over it before the next start", e);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }
    }
}
