package health.vclinic.evaluation;

import health.vclinic.models.ProjectRoot;
import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.evaluation.imaging.CxrEvaluation;
import health.vclinic.evaluation.monitoring.MonitoringEvaluation;
import java.nio.file.Path;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic evaluate <model> [--version N]}: evaluates a version from {@code models/repository}
 * (the served one by default) and writes {@code reports/<model>/<version>/}, under the project root
 * (system property {@code vclinic.root}, which the launcher sets; default the working directory). One
 * picocli subcommand per evaluation, each with its own help; an unknown one is a usage error (exit 2).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model version on its held-out test site and write report.html and metrics.json.",
        synopsisSubcommandLabel = "MODEL")
final class EvaluateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a model: the list of evaluations. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name the model to evaluate");
    }

    /**
     * {@code -h, --help} only: picocli's standard options would also claim {@code --version}, which
     * here names a model version.
     */
    static final class HelpOption {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;
    }

    /** {@code --version N}, for the evaluations of one model version. */
    static final class VersionOption {
        @Option(names = "--version", paramLabel = "N",
                description = "The version to evaluate (default: the one the service serves, the highest unless pinned).")
        Integer version;

        OptionalInt value() {
            return version == null ? OptionalInt.empty() : OptionalInt.of(version);
        }
    }

    @Command(name = TriageEvaluation.MODEL_NAME,
            description = "The triage-acuity model, the nurses and the rules on the test site (KTAS, regional ED).")
    int triageAcuity(@Mixin HelpOption help, @Mixin VersionOption options,
                     @Option(names = "--reviews", paramLabel = "FILE", description = "Clinicians' reviewed cases"
                             + " (./vclinic admin export reviews): adds agreement with clinicians over time, override"
                             + " reasons and the model's figures on the reviewed cases.") Path reviews) {
        return triageAcuity(options.value(), java.util.Optional.ofNullable(reviews));
    }

    @Command(name = CxrEvaluation.MODEL_NAME,
            description = "The chest X-ray model on the official PneumoniaMNIST test split.")
    int cxrPneumonia(@Mixin HelpOption help, @Mixin VersionOption options) {
        return CxrEvaluation.command(ProjectRoot.path(), options.value());
    }

    @Command(name = MonitoringEvaluation.NAME,
            description = "The monitoring-forest and ecg-beat models with the monitoring rules: sepsis early warning"
                    + " against NEWS2 and qSOFA, and ECG5000 beats.")
    int monitoring(@Mixin HelpOption help) {
        return MonitoringEvaluation.command(ProjectRoot.path());
    }

    static int triageAcuity(OptionalInt version) {
        return triageAcuity(version, java.util.Optional.empty());
    }

    static int triageAcuity(OptionalInt version, java.util.Optional<Path> reviews) {
        Path root = ProjectRoot.path();
        try {
            TriageEvaluation.Result result = TriageEvaluation.run(root, version, root, reviews);
            System.out.println("evaluated " + result.modelId() + " on the test site:");
            JsonNode predictors = result.metrics().get("predictors");
            predictors.properties().forEach(e -> {
                JsonNode p = e.getValue();
                System.out.printf("  %-14s critical under-triage %s/%s, under-triage %s, weighted kappa %s,"
                                + " AUROC 1-2 %s (%s-%s)%n", p.get("name").asText(),
                        p.get("critical_under_triage"), p.get("high_acuity_visits"),
                        Report.format(p.get("under_triage_rate"), "pct"), Report.format(p.get("quadratic_weighted_kappa"), "3"),
                        Report.format(p.at("/high_acuity_auroc/value"), "3"), Report.format(p.at("/high_acuity_auroc/ci_low"), "3"),
                        Report.format(p.at("/high_acuity_auroc/ci_high"), "3"));
            });
            JsonNode reviewed = result.metrics().at("/reviews/figures_on_reviewed_cases/model");
            if (!reviewed.isMissingNode()) {
                System.out.printf("  on %s reviewed cases against the clinicians: exact %s, under-triage %s, weighted"
                                + " kappa %s%n", reviewed.get("cases"), Report.format(reviewed.get("exact_agreement"), "pct"),
                        Report.format(reviewed.get("under_triage_rate"), "pct"),
                        Report.format(reviewed.get("quadratic_weighted_kappa"), "3"));
            }
            System.out.println("wrote " + root.relativize(result.directory().resolve(Report.REPORT_FILE)) + " and "
                    + Report.METRICS_FILE);
            return 0;
        } catch (EvaluationException e) {
            System.err.println("vclinic evaluate: " + e.getMessage());
            return 1;
        }
    }
}
