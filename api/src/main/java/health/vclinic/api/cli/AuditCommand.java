package health.vclinic.api.cli;

import health.vclinic.api.audit.AuditLog;
import health.vclinic.api.audit.ChainVerification;
import health.vclinic.api.record.Database;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic admin audit verify}: recomputes the audit trail's hash chain with the audit key and names
 * the first entry that was altered, removed or inserted (HIPAA §164.312(c)(1) integrity). Works beside a
 * running server on the same data directory. Exit 0 when intact, 1 when broken, 2 when it cannot check.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println("usage: vclinic admin audit verify [--data-dir DIR] [--key-dir DIR]");
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Recompute the audit chain; print \"audit chain intact: N entries\" or name the first"
                    + " altered, removed or inserted entry (exit 1).")
    static final class Verify implements Callable<Integer> {
        @Mixin
        RecordOptions record;
        @Mixin
        KeyOptions keys;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path keyFile = keys.keyFile(AuditLog.KEY_FILE);
            if (!Files.exists(keyFile)) {
                // Verifying with a fresh key would call every entry forged: refuse instead of creating one.
                spec.commandLine().getErr().println("vclinic: no audit key at " + keyFile.toAbsolutePath()
                        + "; the chain is verified with the key that wrote it (pass --key-dir)");
                return 2;
            }
            try (Database db = record.openDatabase()) {
                ChainVerification result = AuditLog.open(db.dataSource(), keyFile, out::println).verify();
                out.println(result.describe());
                return result instanceof ChainVerification.Intact ? 0 : 1;
            }
        }
    }
}
