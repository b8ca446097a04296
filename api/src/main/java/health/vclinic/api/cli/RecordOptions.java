package health.vclinic.api.cli;

import health.vclinic.api.record.AssessmentLog;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.triage.ServedEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * Where the clinical record lives, a picocli mixin of {@code serve}, {@code bench} and {@code admin}:
 * an embedded PostgreSQL in {@code --data-dir} by default, or {@code --database-url} for a clinic's own.
 */
public final class RecordOptions {

    /** The file in the data directory where a running server writes its port, for {@code admin}. */
    static final String SERVER_PORT_FILE = "server.port";

    @Option(names = "--data-dir", description = "Directory of the embedded PostgreSQL and the local spool"
            + " (default: data/ under the project root).")
    Path dataDir;

    @Option(names = "--database-url", description = "An external PostgreSQL instead of the embedded one,"
            + " as jdbc:postgresql://host:port/database.")
    String databaseUrl;

    @Option(names = "--database-user", defaultValue = "vclinic",
            description = "User for --database-url (default: ${DEFAULT-VALUE}).")
    String databaseUser;

    @Option(names = "--database-password-file", description = "File holding the password for --database-url"
            + " (one line; never on the command line, where ps would show it).")
    Path passwordFile;

    @Option(names = "--retention-days", defaultValue = "0", description = "Purge records older than this many"
            + " days, hourly (default: 0, keep until erased).")
    int retentionDays;

    @Option(names = "--spool-max-mb", defaultValue = "64", description = "Bound of the local journal that keeps"
            + " assessments until the database has them (all of them while it is unreachable), in MiB"
            + " (default: ${DEFAULT-VALUE}).")
    int spoolMaxMb;

    @Option(names = "--record-durability", defaultValue = "journal", converter = DurabilityConverter.class,
            description = "When an assessment is answered: journal = once appended to the local journal, committed"
                    + " to the database milliseconds later (survives a crash of the service); commit = once"
                    + " committed to the database (also survives a power loss; each call waits for a commit)"
                    + " (default: ${DEFAULT-VALUE}).")
    AssessmentLog.Durability durability;

    /** journal | commit, in lower case as the README writes them. */
    static final class DurabilityConverter implements picocli.CommandLine.ITypeConverter<AssessmentLog.Durability> {
        @Override
        public AssessmentLog.Durability convert(String value) {
            return switch (value) {
                case "journal" -> AssessmentLog.Durability.JOURNAL;
                case "commit" -> AssessmentLog.Durability.COMMIT;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "--record-durability must be journal or commit, not '" + value + "'");
            };
        }
    }

    Path dataDir() {
        return dataDir != null ? dataDir : ServedEngine.projectRoot().resolve("data");
    }

    /** Connects (starting the embedded server when none runs on the data directory) and migrates. */
    Database openDatabase() {
        if (databaseUrl == null) {
            return Database.embedded(dataDir(), OptionalInt.empty());
        }
        String password = "";
        if (passwordFile != null) {
            try {
                password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --database-password-file", e);
            }
        }
        return Database.external(databaseUrl, databaseUser, password);
    }

    /**
     * Opens the record, its patient data sealed under the master key of {@code keys} (created and announced
     * on the console on first start, see {@link KeyOptions#master}).
     */
    ClinicalRecord open(KeyOptions keys) {
        if (retentionDays < 0 || spoolMaxMb < 1) {
            throw new IllegalArgumentException("--retention-days must be 0 or more and --spool-max-mb 1 or more");
        }
        return ClinicalRecord.open(openDatabase(), keys.master(new java.io.PrintWriter(System.out, true)), dataDir(), (long) spoolMaxMb << 20,
                retentionDays == 0 ? Optional.empty() : Optional.of(Duration.ofDays(retentionDays)), durability);
    }
}
