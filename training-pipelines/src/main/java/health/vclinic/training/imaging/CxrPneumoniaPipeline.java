package health.vclinic.training.imaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.Sha256;
import health.vclinic.models.VersionCard;
import health.vclinic.training.Publisher;
import health.vclinic.training.RunProvenance;
import health.vclinic.training.TrainingException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code ./vclinic train cxr-pneumonia [--config FILE]}: reads the official PneumoniaMNIST file,
 * trains the chest X-ray network ({@link CxrTrainer}) and publishes it as the next version of
 * {@code cxr-pneumonia} in {@code models/repository}, with its card.
 */
public final class CxrPneumoniaPipeline {

    /** The model this pipeline publishes. */
    public static final String MODEL_NAME = CxrModel.NAME;
    /** The parameter file's name in every version directory. */
    public static final String PARAMS_FILE = CxrModel.NAME + "-0000.params";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CxrPneumoniaPipeline() {
    }

    /**
     * What a run published.
     *
     * @param directory the new version directory
     * @param version its number
     */
    public record Result(TrainedCxr trained, Path directory, int version) {
    }

    /** The command: progress per epoch on standard error, the outcome on standard output; an exit code. */
    public static int command(Path projectRoot, Path configFile) {
        Path root = projectRoot.toAbsolutePath().normalize();
        PrintStream err = System.err;
        try {
            CxrTrainingConfig config = configFile == null ? CxrTrainingConfig.DEFAULT : CxrTrainingConfig.load(configFile);
            Result result = run(root, config, root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT), err::println);
            TrainedCxr t = result.trained();
            System.out.printf(Locale.ROOT, "kept epoch %d of %d: validation AUROC %.4f, temperature %.3f, threshold %.3f"
                            + " (sensitivity %.3f, specificity %.3f)%n", t.bestEpoch(), t.history().size(),
                    t.valAuroc(), t.calibration().temperature(), t.calibration().threshold(),
                    t.valMetrics().sensitivity(), t.valMetrics().specificity());
            System.out.println("published " + MODEL_NAME + " version " + result.version() + " in "
                    + root.relativize(result.directory()) + " (sha256 of " + PARAMS_FILE + ": "
                    + Sha256.sha256(t.params()) + ")");
            System.out.println("next: ./vclinic evaluate " + MODEL_NAME + " --version " + result.version());
            return 0;
        } catch (TrainingException e) {
            System.err.println("vclinic train: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Trains and publishes one version.
     *
     * @param projectRoot where the configuration's data path and git are resolved
     * @param repository the model repository to publish into
     * @param progress receives a line per epoch
     */
    public static Result run(Path projectRoot, CxrTrainingConfig config, Path repository, Consumer<String> progress) {
        Path file = config.dataFile(projectRoot);
        if (!Files.isRegularFile(file)) {
            throw new TrainingException("no PneumoniaMNIST file at " + file + "; see ../shared/datasets/pneumoniamnist"
                    + " or set 'data' in the configuration");
        }
        MedMnist data;
        try {
            data = MedMnist.readPneumonia(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new TrainingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        TrainedCxr trained = CxrTrainer.train(data, config, progress);
        ObjectNode dataNode = JSON.createObjectNode();
        dataNode.put("file", file.getFileName().toString());
        dataNode.put("sha256", Sha256.sha256(file));
        dataNode.put("splits", "official MedMNIST v2 train / val / test; training reads train and val only");
        dataNode.putObject("images").put("train", trained.trainImages()).put("val", trained.valImages());
        VersionCard card = CxrCard.version(trained, PARAMS_FILE, dataNode, RunProvenance.git(projectRoot));
        Path dir = Publisher.publish(repository, CxrCard.model(), PARAMS_FILE, trained.params(), card);
        return new Result(trained, dir, Integer.parseInt(dir.getFileName().toString()));
    }
}
