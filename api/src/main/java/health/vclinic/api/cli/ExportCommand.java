package health.vclinic.api.cli;

import health.vclinic.api.record.Database;
import health.vclinic.api.review.ReviewExport;
import health.vclinic.api.review.ReviewStore;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.models.ProjectRoot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic admin export reviews --since DATE --out FILE}: the clinicians' reviews, de-identified, for
 * retraining ({@link ReviewExport}). A local operator's command in the data-scientist role: it reads the
 * database directly (joining a running server's embedded PostgreSQL), and records who ran it, when, and the
 * file's sha256 in the database and in the file's header.
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export de-identified data for retraining.",
        subcommands = {ExportCommand.Reviews.class})
final class ExportCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name what to export: reviews");
    }

    @Command(name = "reviews", mixinStandardHelpOptions = true,
            description = "Write each reviewed assessment (its latest review since DATE) de-identified as JSON Lines,"
                    + " with its sha256 in FILE.sha256: no patient reference, ages in bands, the complaint only as the"
                    + " served model's vocabulary terms, vital signs kept.")
    static final class Reviews implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--since", required = true, paramLabel = "DATE",
                description = "The first day (UTC) of reviews to export, as 2026-01-31.")
        String since;
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write.")
        Path out;
        @Option(names = "--clinic", paramLabel = "CLINIC", description = "A clinic to export (repeatable; default: all).")
        List<String> clinics = List.of();
        @Option(names = "--subject", description = "Who runs the export, as recorded (default: cli:<user>).")
        String subject;
        @Mixin
        RecordOptions record;
        @picocli.CommandLine.Mixin
        KeyOptions keys;

        @Override
        public Integer call() {
            LocalDate day;
            try {
                day = LocalDate.parse(since);
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), "--since must be a date as 2026-01-31");
            }
            Set<ClinicId> wanted = clinics.stream().map(ClinicId::new).collect(Collectors.toSet());
            String who = subject != null ? subject : "cli:" + System.getProperty("user.name", "unknown");
            ReviewExport.Result result;
            try (Database db = record.openDatabase()) {
                health.vclinic.api.keys.FieldCipher cipher = new health.vclinic.api.keys.FieldCipher(
                        health.vclinic.api.keys.KeyRing.open(db.dataSource(), keys.master(spec.commandLine().getErr())));
                result = new ReviewExport(new ReviewStore(db.dataSource(), cipher), Clock.systemUTC())
                        .export(ProjectRoot.path(), day, wanted, who, out);
            }
            PrintWriter o = spec.commandLine().getOut();
            o.println("exported " + result.cases() + " reviewed cases to " + result.file() + " (complaint terms of "
                    + result.vocabularyOf() + "'s vocabulary), as data-scientist " + who);
            o.println("sha256 " + result.sha256() + " (also in " + ReviewExportFile.sha256File(result.file().toAbsolutePath())
                    .getFileName() + ")");
            return 0;
        }
    }
}
