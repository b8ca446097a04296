package health.vclinic.evaluation;

import health.vclinic.models.ProjectRoot;
import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.evaluation.imaging.CxrEvaluation;
import health.vclinic.evaluation.monitoring.MonitoringEvaluation;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vclinic evaluate triage-acuity [--version N]}: evaluates a version from
 * {@code models/repository} (the served one by default) and writes
 * {@code reports/triage-acuity/<version>/}, under the project root (system property
 * {@code vclinic.root}, which the launcher sets; default the working directory).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model version on its held-out test site and write report.html and metrics.json.")
final class EvaluateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model to evaluate: triage-acuity,"
            + " cxr-pneumonia, or monitoring (the monitoring-forest and ecg-beat models with the monitoring rules).")
    String model;

    @Option(names = "--version", paramLabel = "N",
            description = "The version to evaluate (default: the one the service serves, the highest unless pinned).")
    Integer version;

    @Override
    public Integer call() {
        if (model.equals(MonitoringEvaluation.NAME)) {
            return MonitoringEvaluation.command(ProjectRoot.path());
        }
        if (model.equals(CxrEvaluation.MODEL_NAME)) {
            return CxrEvaluation.command(ProjectRoot.path(),
                    version == null ? OptionalInt.empty() : OptionalInt.of(version));
        }
        if (!model.equals(TriageEvaluation.MODEL_NAME)) {
            System.err.println("vclinic evaluate: unknown model '" + model + "'; evaluations exist for: "
                    + TriageEvaluation.MODEL_NAME + ", " + CxrEvaluation.MODEL_NAME + ", " + MonitoringEvaluation.NAME);
            return 2;
        }
        Path root = ProjectRoot.path();
        try {
            TriageEvaluation.Result result = TriageEvaluation.run(root,
                    version == null ? OptionalInt.empty() : OptionalInt.of(version));
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
            System.out.println("wrote " + root.relativize(result.directory().resolve(Report.REPORT_FILE)) + " and "
                    + Report.METRICS_FILE);
            return 0;
        } catch (EvaluationException e) {
            System.err.println("vclinic evaluate: " + e.getMessage());
            return 1;
        }
    }
}
