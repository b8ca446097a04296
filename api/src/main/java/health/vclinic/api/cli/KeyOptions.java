package health.vclinic.api.cli;

import health.vclinic.api.triage.ServedEngine;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the service's key files live, a picocli mixin: outside the data directory and out of the database,
 * so that a copy of the database (a backup, a stolen disk image) comes without the keys that vouch for it.
 */
public final class KeyOptions {

    @Option(names = "--key-dir", description = "Directory of the key files, e.g. audit.key (default: keys/ under"
            + " the project root; created owner-only on first use).")
    Path keyDir;

    Path keyDir() {
        return keyDir != null ? keyDir : ServedEngine.projectRoot().resolve("keys");
    }

    /** A key file in the key directory. */
    Path keyFile(String name) {
        return keyDir().resolve(name);
    }
}
