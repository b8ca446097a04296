package health.vclinic.training.ecg;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.Ecg5000;
import health.vclinic.datasets.monitoring.LabelledBeat;
import health.vclinic.inference.monitoring.BeatPrediction;
import health.vclinic.inference.monitoring.EcgBeatModel;
import health.vclinic.inference.monitoring.EcgBeatNet;
import health.vclinic.models.ModelCard;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.Sha256;
import health.vclinic.models.VersionCard;
import health.vclinic.training.Publisher;
import health.vclinic.training.RunProvenance;
import health.vclinic.training.TrainingException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code ./vclinic train ecg-beat [--config FILE]}: on the 500 official ECG5000 training beats,
 * a stratified cross-validation (the 5-class accuracy the evaluation reports), then the final fit on
 * all of them, published as the next version of {@code ecg-beat} in {@code models/repository} with its
 * card. The 4,500 test beats are never read here; {@code ./vclinic evaluate monitoring} reports on them.
 */
public final class EcgBeatPipeline {

    public static final String MODEL_NAME = EcgBeatModel.MODEL_NAME;

    private static final ObjectMapper JSON = new ObjectMapper();

    private EcgBeatPipeline() {
    }

    /**
     * What a run published.
     *
     * @param crossValidation empty when the configuration has no folds
     */
    public record Result(EcgBeatTrainer.Trained trained, Optional<EcgBeatTrainer.CrossValidation> crossValidation,
                         Path directory, int version) {
    }

    /** The command: progress on standard error, the outcome on standard output; an exit code. */
    public static int command(Path projectRoot, Path configFile) {
        Path root = projectRoot.toAbsolutePath().normalize();
        PrintStream err = System.err;
        try {
            EcgBeatConfig config = configFile == null ? EcgBeatConfig.DEFAULT : EcgBeatConfig.load(configFile);
            Result r = run(root, config, root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT), err::println);
            r.crossValidation().ifPresent(cv -> System.out.printf(Locale.ROOT,
                    "%d-fold cross-validation on the training beats: 5-class accuracy %.4f%n", cv.foldAccuracy().size(),
                    cv.foldAccuracy().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
            System.out.printf(Locale.ROOT, "final fit: loss %.4f after %d epochs%n", r.trained().losses().getLast(),
                    r.trained().losses().size());
            System.out.println("published " + MODEL_NAME + " version " + r.version() + " in " + root.relativize(r.directory())
                    + " (sha256 of " + EcgBeatModel.PARAMS_FILE + ": " + Sha256.sha256(r.trained().params()) + ")");
            System.out.println("next: ./vclinic evaluate monitoring");
            return 0;
        } catch (TrainingException e) {
            System.err.println("vclinic train: " + e.getMessage());
            return 1;
        }
    }

    /** Cross-validates, trains and publishes one version. */
    public static Result run(Path projectRoot, EcgBeatConfig config, Path repository, Consumer<String> progress) {
        Path dir = config.dataDir(projectRoot);
        Ecg5000 data;
        try {
            data = Ecg5000.read(dir);
        } catch (RuntimeException e) {
            throw new TrainingException("cannot read ECG5000 from " + dir + ": " + e.getMessage(), e);
        }
        List<LabelledBeat> train = config.trainLimit() == 0 ? data.train()
                : data.train().subList(0, Math.min(config.trainLimit(), data.train().size()));
        Optional<EcgBeatTrainer.CrossValidation> cv = config.folds() == 0 ? Optional.empty()
                : Optional.of(EcgBeatTrainer.crossValidate(train, config, progress));
        EcgBeatTrainer.Trained trained = EcgBeatTrainer.train(train, config, progress);
        VersionCard card = card(trained, cv, train, config, dir, RunProvenance.git(projectRoot));
        Path published = Publisher.publish(repository, modelCard(), EcgBeatModel.PARAMS_FILE, trained.params(), card);
        return new Result(trained, cv, published, Integer.parseInt(published.getFileName().toString()));
    }

    static ModelCard modelCard() {
        return ModelCard.of(MODEL_NAME, "ecg-beat-classification", EcgBeatModel.FORMAT,
                "Classifies one heartbeat (140 points, any gain) into the five ECG5000 classes; remote"
                + " monitoring counts the abnormal ones (classes 2-5) among a patient's recent beats.",
                "A screen for frequent ectopy in wearable ECG beats, for a clinician to review. Trained on"
                + " beats from one 20-hour recording of one patient with severe congestive heart failure (PhysioNet chfdb"
                + " chf07 via the UCR archive): not validated for other patients, leads or devices, and not a diagnosis.",
                "UCR ECG5000 (Dau et al., IEEE/CAA J. Autom. Sinica 2019), from PhysioNet chfdb (ODC-BY)");
    }

    private static VersionCard card(EcgBeatTrainer.Trained t, Optional<EcgBeatTrainer.CrossValidation> cv,
                                   List<LabelledBeat> train, EcgBeatConfig config, Path dataDir, ObjectNode git) {
        ObjectNode card = JSON.createObjectNode();
        card.put("format", EcgBeatModel.FORMAT);
        card.putArray("artifacts").addObject().put("path", EcgBeatModel.PARAMS_FILE).put("sha256", Sha256.sha256(t.params()));
        card.put("architecture", EcgBeatNet.ARCHITECTURE);
        ObjectNode network = card.putObject("network");
        network.put("id", EcgBeatNet.ARCHITECTURE);
        network.put("layers", "conv 16x7, conv 32x5, conv 64x3 (each batch norm + ReLU; max-pool 2 after the first two),"
                + " global average pool, linear 5");
        network.put("parameters", t.parameterCount());
        network.put("input", "1 x 140, each beat z-normalised on its own (EcgBeatTranslator)");
        network.put("output", "5 logits, softmax: UCR classes 1-5");
        network.put("why", "A small fully convolutional network in the style of Wang, Yan and Oates (IJCNN 2017), the"
                + " standard deep baseline on the UCR archive: it trains in seconds on one thread, classifies a beat in"
                + " well under a millisecond, and global pooling makes it insensitive to small shifts of the R peak.");
        ArrayNode labels = card.putArray("labels");
        for (String name : BeatPrediction.CLASS_NAMES) {
            labels.add(name);
        }
        card.put("abnormal", "classes 2-5: P(abnormal) = 1 - P(class 1); a beat is abnormal at P >= 0.5");
        ObjectNode data = card.putObject("data");
        data.put("folder", config.data());
        ObjectNode sha = data.putObject("sha256");
        for (String f : List.of(Ecg5000.TRAIN_TEXT, Ecg5000.SIGNALS_NPY, Ecg5000.LABELS_NPY)) {
            Path file = dataDir.resolve(f);
            sha.put(f, Files.isRegularFile(file) ? Sha256.sha256(file) : "missing");
        }
        data.put("training_beats", train.size());
        data.put("split", "official UCR train (rows 0-499); the 4,500 official test beats are never read by training");
        ObjectNode metrics = card.putObject("metrics");
        cv.ifPresent(c -> {
            ObjectNode m = metrics.putObject("cross_validation");
            m.put("folds", c.foldAccuracy().size());
            m.put("method", "stratified by class, seeded (the configuration's seed); each fold trained with this"
                    + " configuration on the other folds and read through the serving code");
            double mean = c.foldAccuracy().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double sd = Math.sqrt(c.foldAccuracy().stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                    / Math.max(1, c.foldAccuracy().size() - 1));
            m.put("accuracy_mean", round(mean));
            m.put("accuracy_sd", round(sd));
            m.put("accuracy_out_of_fold", round(c.accuracy(train)));
            ArrayNode folds = m.putArray("fold_accuracy");
            c.foldAccuracy().forEach(a -> folds.add(round(a)));
            ArrayNode confusion = m.putArray("confusion");
            for (int actual = 1; actual <= 5; actual++) {
                ArrayNode row = confusion.addArray();
                for (int predicted = 1; predicted <= 5; predicted++) {
                    int n = 0;
                    for (int i = 0; i < train.size(); i++) {
                        if (train.get(i).ucrClass() == actual && c.predicted()[i] == predicted) {
                            n++;
                        }
                    }
                    row.add(n);
                }
            }
            m.put("confusion_rows", "actual class 1-5; columns: predicted class 1-5");
            StringBuilder digits = new StringBuilder(c.fold().length);
            for (int f : c.fold()) {
                digits.append(f);
            }
            m.put("fold_of_beat", digits.toString());
            m.put("fold_of_beat_rule", "the fold (0-based) each training beat was held out in, one digit per beat in file order");
        });
        metrics.put("test", "never read by training; ./vclinic evaluate monitoring reports on the 4,500 test beats");
        ObjectNode training = card.putObject("training");
        training.set("config", config.json());
        ArrayNode losses = training.putArray("loss_per_epoch");
        t.losses().forEach(l -> losses.add(round(l)));
        ObjectNode provenance = card.putObject("provenance");
        provenance.set("git", git);
        provenance.putObject("libraries")
                .put("djl", Engine.getDjlVersion())
                .put("pytorch", Engine.getEngine("PyTorch").getVersion())
                .put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        provenance.put("reproduce", "./vclinic train ecg-beat: the same data, configuration, seed and thread count give"
                + " byte-identical parameters");
        return VersionCard.fromJson(card);
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
