package health.vclinic.training.ecg;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.Ecg5000;
import health.vclinic.training.ConfigFiles;
import health.vclinic.training.TrainingException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Everything that decides the trained ECG beat model besides the data: the same data and this
 * configuration give byte-identical parameters (the seed fixes initialisation and shuffling;
 * {@code threads} fixes PyTorch's floating-point reduction order).
 *
 * <p>{@code ./vclinic train ecg-beat --config FILE} reads a JSON object with these dash-case keys;
 * keys left out keep their defaults, unknown keys are an error. The effective configuration is written
 * into the model card.
 *
 * @param data the ECG5000 folder, relative to the project root ({@code data}; default
 *     {@code ../shared/datasets/ecg5000})
 * @param seed seeds initialisation, shuffling and the cross-validation folds ({@code seed}, default 5000)
 * @param threads PyTorch intra-op and inter-op threads ({@code threads}, default 1: the network is small
 *     and one thread keeps the bytes the same on every machine)
 * @param epochs passes over the training beats ({@code epochs}, default 40: the training loss has
 *     flattened by then on every fold)
 * @param batchSize beats per Adam step ({@code batch-size}, default 32)
 * @param learningRate Adam's learning rate, fixed ({@code learning-rate}, default 0.003)
 * @param folds stratified folds of the cross-validation run on the training beats before the final fit
 *     ({@code folds}, default 5; 0 skips it)
 * @param trainLimit use only the first N training beats, 0 for all ({@code train-limit}, default 0)
 */
public record EcgBeatConfig(String data, long seed, int threads, int epochs, int batchSize, float learningRate,
                            int folds, int trainLimit) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> KEYS = Set.of("data", "seed", "threads", "epochs", "batch-size", "learning-rate",
            "folds", "train-limit");

    /** The configuration of the published model. */
    public static final EcgBeatConfig DEFAULT = new EcgBeatConfig(Ecg5000.RELATIVE_PATH.toString(), 5000, 1, 40, 32,
            0.003f, 5, 0);

    public EcgBeatConfig {
        if (data == null || data.isBlank()) {
            throw new TrainingException("data: the ECG5000 folder is required");
        }
        if (threads < 1 || epochs < 1 || batchSize < 2 || folds < 0 || folds == 1 || trainLimit < 0) {
            throw new TrainingException("threads and epochs must be at least 1, batch-size at least 2, folds 0 or at"
                    + " least 2, train-limit 0 (all) or a beat count");
        }
        if (!(learningRate > 0)) {
            throw new TrainingException("learning-rate must be positive");
        }
    }

    /** Two epochs on 100 beats, no cross-validation: seconds, for tests of the pipeline, not a usable model. */
    public static EcgBeatConfig tiny() {
        return new EcgBeatConfig(DEFAULT.data(), 7, 1, 2, 16, 0.003f, 0, 100);
    }

    public Path dataDir(Path projectRoot) {
        return projectRoot.resolve(data).normalize();
    }

    /** The effective configuration, as the card records it. */
    public ObjectNode json() {
        ObjectNode m = JSON.createObjectNode();
        m.put("data", data);
        m.put("seed", seed);
        m.put("threads", threads);
        m.put("epochs", epochs);
        m.put("batch-size", batchSize);
        m.put("learning-rate", learningRate);
        m.put("folds", folds);
        m.put("train-limit", trainLimit);
        return m;
    }

    /**
     * The defaults, overridden by the keys of a JSON file.
     *
     * @throws TrainingException naming an unknown or invalid key
     */
    public static EcgBeatConfig load(Path file) {
        JsonNode json = ConfigFiles.readObject(JSON, file);
        ConfigFiles.rejectUnknownKeys(json, KEYS, file);
        EcgBeatConfig d = DEFAULT;
        return new EcgBeatConfig(json.path("data").asText(d.data()), json.path("seed").asLong(d.seed()),
                json.path("threads").asInt(d.threads()), json.path("epochs").asInt(d.epochs()),
                json.path("batch-size").asInt(d.batchSize()), (float) json.path("learning-rate").asDouble(d.learningRate()),
                json.path("folds").asInt(d.folds()), json.path("train-limit").asInt(d.trainLimit()));
    }
}
