package health.vclinic.training;

import health.vclinic.models.ModelRepository;
import health.vclinic.models.ProjectRoot;
import health.vclinic.training.ecg.EcgBeatPipeline;
import health.vclinic.training.imaging.CxrPneumoniaPipeline;
import health.vclinic.training.monitoring.MonitoringForestPipeline;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic train <pipeline> [--config FILE]}: runs a pipeline and publishes a new version into
 * {@code models/repository} under the project root (system property {@code vclinic.root}, which the
 * launcher sets; default the working directory). One picocli subcommand per pipeline, each with its
 * own help ({@code vclinic train cxr-pneumonia --help}); an unknown pipeline is a usage error (exit 2).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model and publish it as a new version in models/repository.",
        synopsisSubcommandLabel = "PIPELINE")
final class TrainCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a pipeline: the list of pipelines. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name the pipeline to run");
    }

    /** {@code --config FILE}, shared by every pipeline. */
    static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE",
                description = "Configuration (JSON, dash-case keys); keys left out take the defaults, unknown keys,"
                        + " wrong types and values out of range are refused naming the key.")
        Path config;
    }

    @Command(name = TriageAcuityPipeline.MODEL_NAME, mixinStandardHelpOptions = true,
            description = "The KTAS triage-acuity model (Tribuo, exported to ONNX). Defaults:"
                    + " training-pipelines/src/main/resources/health/vclinic/training/triage-acuity.json.")
    int triageAcuity(@Mixin ConfigOption options,
                     @Option(names = "--reviews", paramLabel = "FILE", description = "Clinicians' reviewed cases"
                             + " (./vclinic admin export reviews) added to the training data at the configuration's"
                             + " reviews.weight (default 2); their file's sha256 goes on the card.") Path reviews) {
        return triageAcuity(options.config, java.util.Optional.ofNullable(reviews));
    }

    @Command(name = CxrPneumoniaPipeline.MODEL_NAME, mixinStandardHelpOptions = true,
            description = "The chest X-ray pneumonia CNN (DJL/PyTorch on CPU); keys: see CxrTrainingConfig.")
    int cxrPneumonia(@Mixin ConfigOption options) {
        return CxrPneumoniaPipeline.command(ProjectRoot.path(), options.config);
    }

    @Command(name = EcgBeatPipeline.MODEL_NAME, mixinStandardHelpOptions = true,
            description = "The ECG5000 beat CNN (DJL/PyTorch); keys: see EcgBeatConfig.")
    int ecgBeat(@Mixin ConfigOption options) {
        return EcgBeatPipeline.command(ProjectRoot.path(), options.config);
    }

    @Command(name = MonitoringForestPipeline.MODEL_NAME, mixinStandardHelpOptions = true,
            description = "The vital-sign isolation forest (Smile); keys: see ForestConfig.")
    int monitoringForest(@Mixin ConfigOption options) {
        return MonitoringForestPipeline.command(ProjectRoot.path(), options.config);
    }

    static int triageAcuity(Path config) {
        return triageAcuity(config, java.util.Optional.empty());
    }

    static int triageAcuity(Path config, java.util.Optional<Path> reviews) {
        Path root = ProjectRoot.path();
        try {
            TrainingConfig settings = config == null ? TrainingConfig.defaults() : TrainingConfig.load(config);
            TriageAcuityPipeline.Result result;
            try (Progress progress = Progress.console(System.err)) {
                result = TriageAcuityPipeline.run(settings, root,
                        root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT), reviews, progress);
            }
            var cv = result.card().at("/metrics/cross_validation/" + result.selected());
            System.out.printf("selected %s: out-of-fold mean cost %s, quadratic weighted kappa %s, "
                            + "critical under-triage %s of %s%n", result.selected(), cv.get("mean_cost"),
                    cv.get("quadratic_weighted_kappa"), cv.get("critical_under_triage"), cv.get("high_acuity_visits"));
            var added = result.card().at("/data/reviews");
            if (!added.isMissingNode()) {
                System.out.printf("with %s reviewed cases of %s (sha256 %s) at weight %s; %s without a clinician's"
                                + " level skipped%n", added.get("cases_used"), added.get("file").asText(),
                        added.get("sha256").asText(), added.get("weight"),
                        added.get("cases_skipped_without_a_clinician_level"));
            }
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
