package health.vclinic.training;

import health.vclinic.models.ProjectRoot;
import health.vclinic.models.ModelRepository;
import health.vclinic.training.ecg.EcgBeatPipeline;
import health.vclinic.training.imaging.CxrPneumoniaPipeline;
import health.vclinic.training.monitoring.MonitoringForestPipeline;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vclinic train triage-acuity [--config FILE]}: runs the pipeline and publishes a new version
 * into {@code models/repository} under the project root (system property {@code vclinic.root}, which
 * the launcher sets; default the working directory).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model and publish it as a new version in models/repository.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PIPELINE", description = "The pipeline to run: triage-acuity,"
            + " cxr-pneumonia, ecg-beat or monitoring-forest.")
    String pipeline;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration (JSON, dash-case keys); keys left out take the defaults"
                    + " (training-pipelines/src/main/resources/health/vclinic/training/triage-acuity.json).")
    Path config;

    @Override
    public Integer call() {
        if (pipeline.equals(CxrPneumoniaPipeline.MODEL_NAME)) {
            return CxrPneumoniaPipeline.command(ProjectRoot.path(), config);
        }
        if (pipeline.equals(EcgBeatPipeline.MODEL_NAME)) {
            return EcgBeatPipeline.command(ProjectRoot.path(), config);
        }
        if (pipeline.equals(MonitoringForestPipeline.MODEL_NAME)) {
            return MonitoringForestPipeline.command(ProjectRoot.path(), config);
        }
        if (!pipeline.equals(TriageAcuityPipeline.MODEL_NAME)) {
            System.err.println("vclinic train: unknown pipeline '" + pipeline + "'; the pipelines are: "
                    + TriageAcuityPipeline.MODEL_NAME + ", " + CxrPneumoniaPipeline.MODEL_NAME + ", "
                    + EcgBeatPipeline.MODEL_NAME + ", " + MonitoringForestPipeline.MODEL_NAME);
            return 2;
        }
        Path root = ProjectRoot.path();
        try {
            TrainingConfig settings = config == null ? TrainingConfig.defaults() : TrainingConfig.load(config);
            TriageAcuityPipeline.Result result;
            try (Progress progress = Progress.console(System.err)) {
                result = TriageAcuityPipeline.run(settings, root,
                        root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT), progress);
            }
            var cv = result.card().at("/metrics/cross_validation/" + result.selected());
            System.out.printf("selected %s: out-of-fold mean cost %s, quadratic weighted kappa %s, "
                            + "critical under-triage %s of %s%n", result.selected(), cv.get("mean_cost"),
                    cv.get("quadratic_weighted_kappa"), cv.get("critical_under_triage"), cv.get("high_acuity_visits"));
            System.out.println("published " + TriageAcuityPipeline.MODEL_NAME + " version " + result.version()
                    + " in " + root.relativize(result.directory()));
            System.out.println("next: ./vclinic evaluate " + TriageAcuityPipeline.MODEL_NAME + " --version " + result.version());
            return 0;
        } catch (TrainingException e) {
            System.err.println("vclinic train: " + e.getMessage());
            return 1;
        }
    }
}
