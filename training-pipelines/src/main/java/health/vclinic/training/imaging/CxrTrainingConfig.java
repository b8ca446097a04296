package health.vclinic.training.imaging;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.CxrArchitecture;
import health.vclinic.training.ConfigFiles;
import health.vclinic.training.TrainingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Everything that decides the trained chest X-ray model besides the data: with the same data file and
 * this configuration, training produces byte-identical parameters (the seed fixes initialisation,
 * shuffling, augmentation and dropout; {@code threads} fixes PyTorch's floating-point reduction order).
 *
 * <p>{@code ./vclinic train cxr-pneumonia --config FILE} reads a JSON object with the dash-case keys
 * below; keys left out keep their defaults, unknown keys are an error. The effective configuration is
 * written into the model card.
 *
 * @param data the PneumoniaMNIST npz, relative to the project root ({@code data}; default
 *     {@code ../shared/datasets/pneumoniamnist/pneumoniamnist.npz})
 * @param architecture the network ({@code channels}, default [32, 64, 128]; {@code dropout}, default 0.3)
 * @param seed seeds every random choice ({@code seed}, default 20240611)
 * @param threads PyTorch intra-op and inter-op threads ({@code threads}, default 2, this project's CI
 *     machine); another count gives different, equally valid, bytes
 * @param maxEpochs upper bound on passes over the training split ({@code max-epochs}, default 40)
 * @param patience epochs without a better validation AUROC before stopping ({@code patience}, default 8)
 * @param batchSize images per optimiser step ({@code batch-size}, default 64)
 * @param learningRate Adam's peak learning rate, annealed to 1% along a cosine over {@code maxEpochs}
 *     ({@code learning-rate}, default 0.002)
 * @param weightDecay L2 penalty on every weight ({@code weight-decay}, default 0.0001)
 * @param augmentation the random transformations of training images ({@code augmentation}, an object)
 * @param trainLimit use only the first N training images, 0 for all ({@code train-limit}, default 0)
 * @param valLimit use only the first N validation images, 0 for all ({@code val-limit}, default 0)
 */
public record CxrTrainingConfig(
        String data,
        CxrArchitecture architecture,
        int seed,
        int threads,
        int maxEpochs,
        int patience,
        int batchSize,
        float learningRate,
        float weightDecay,
        Augmentation augmentation,
        int trainLimit,
        int valLimit) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> KEYS = Set.of("data", "channels", "dropout", "seed", "threads", "max-epochs",
            "patience", "batch-size", "learning-rate", "weight-decay", "augmentation", "train-limit", "val-limit");
    private static final Set<String> AUGMENTATION_KEYS = Set.of("max-rotation-degrees", "max-scale",
            "max-shift-pixels", "max-brightness", "max-contrast");

    /**
     * Random, label-preserving changes to each training image, drawn anew every epoch: a small affine
     * transform (radiographs are taken with some rotation, magnification and offset) and exposure
     * changes. No horizontal flips: the heart lies on the left, and a flipped film is not a real one.
     *
     * @param maxRotationDegrees rotation drawn uniformly from ± this (default 10)
     * @param maxScale zoom drawn uniformly from 1 ± this (default 0.10)
     * @param maxShiftPixels translation drawn uniformly from ± this in each axis (default 2 of 28)
     * @param maxBrightness luminance offset drawn from ± this fraction of full scale (default 0.08)
     * @param maxContrast contrast factor drawn from 1 ± this (default 0.15)
     */
    public record Augmentation(float maxRotationDegrees, float maxScale, float maxShiftPixels, float maxBrightness,
                               float maxContrast) {

        public static final Augmentation DEFAULT = new Augmentation(10, 0.10f, 2, 0.08f, 0.15f);

        public Augmentation {
            if (!(maxRotationDegrees >= 0 && maxScale >= 0 && maxScale < 1 && maxShiftPixels >= 0 && maxBrightness >= 0
                    && maxContrast >= 0 && maxContrast < 1)) {
                throw new TrainingException("augmentation: ranges must be non-negative, max-scale and max-contrast"
                        + " below 1");
            }
        }

        ObjectNode json() {
            ObjectNode m = JSON.createObjectNode();
            m.put("max-rotation-degrees", maxRotationDegrees);
            m.put("max-scale", maxScale);
            m.put("max-shift-pixels", maxShiftPixels);
            m.put("max-brightness", maxBrightness);
            m.put("max-contrast", maxContrast);
            return m;
        }
    }

    /** The configuration of the published model. */
    public static final CxrTrainingConfig DEFAULT = new CxrTrainingConfig(
            MedMnist.PNEUMONIA_RELATIVE_PATH.toString(), new CxrArchitecture(List.of(32, 64, 128), 0.3f), 20240611, 2,
            40, 8, 64, 0.002f, 1e-4f, Augmentation.DEFAULT, 0, 0);

    public CxrTrainingConfig {
        if (data == null || data.isBlank()) {
            throw new TrainingException("data: the path of pneumoniamnist.npz is required");
        }
        if (threads < 1 || maxEpochs < 1 || patience < 1 || batchSize < 2) {
            throw new TrainingException("threads, max-epochs and patience must be at least 1, batch-size at least 2");
        }
        if (!(learningRate > 0) || !(weightDecay >= 0)) {
            throw new TrainingException("learning-rate must be positive and weight-decay non-negative");
        }
        if (trainLimit < 0 || valLimit < 0) {
            throw new TrainingException("train-limit and val-limit are image counts, 0 for all");
        }
    }

    /** A few seconds of training on a slice of the data: for tests of the pipeline, not a usable model. */
    public static CxrTrainingConfig tiny() {
        return new CxrTrainingConfig(DEFAULT.data(), new CxrArchitecture(List.of(4, 8), 0.1f), 7, 1, 2, 2, 32, 0.005f,
                1e-4f, Augmentation.DEFAULT, 256, 128);
    }

    /** The data file, resolved against the project root. */
    public Path dataFile(Path projectRoot) {
        return projectRoot.resolve(data).normalize();
    }

    /**
     * Reads a configuration file: the defaults, overridden by the keys it has.
     *
     * @throws TrainingException naming the key that is unknown or invalid
     */
    public static CxrTrainingConfig load(Path file) {
        JsonNode json = ConfigFiles.readObject(JSON, file);
        unknown(json, KEYS, "");
        CxrTrainingConfig d = DEFAULT;
        List<Integer> channels = d.architecture().channels();
        if (json.has("channels")) {
            channels = new ArrayList<>();
            for (JsonNode c : json.get("channels")) {
                channels.add(integer(c, "channels"));
            }
        }
        JsonNode a = json.path("augmentation");
        if (!a.isMissingNode()) {
            unknown(a, AUGMENTATION_KEYS, "augmentation.");
        }
        Augmentation augmentation = new Augmentation(
                number(a, "max-rotation-degrees", d.augmentation().maxRotationDegrees()),
                number(a, "max-scale", d.augmentation().maxScale()),
                number(a, "max-shift-pixels", d.augmentation().maxShiftPixels()),
                number(a, "max-brightness", d.augmentation().maxBrightness()),
                number(a, "max-contrast", d.augmentation().maxContrast()));
        CxrArchitecture architecture;
        try {
            architecture = new CxrArchitecture(channels, number(json, "dropout", d.architecture().dropout()));
        } catch (IllegalArgumentException e) {
            throw new TrainingException("channels / dropout: " + e.getMessage(), e);
        }
        return new CxrTrainingConfig(json.has("data") ? json.get("data").asText() : d.data(), architecture,
                integer(json, "seed", d.seed()), integer(json, "threads", d.threads()),
                integer(json, "max-epochs", d.maxEpochs()), integer(json, "patience", d.patience()),
                integer(json, "batch-size", d.batchSize()), number(json, "learning-rate", d.learningRate()),
                number(json, "weight-decay", d.weightDecay()), augmentation,
                integer(json, "train-limit", d.trainLimit()), integer(json, "val-limit", d.valLimit()));
    }

    /** The configuration as written into the model card (dash-case keys, as in a config file). */
    public ObjectNode json() {
        ObjectNode m = JSON.createObjectNode();
        m.put("data", data);
        m.putPOJO("channels", architecture.channels());
        m.put("dropout", architecture.dropout());
        m.put("seed", seed);
        m.put("threads", threads);
        m.put("max-epochs", maxEpochs);
        m.put("patience", patience);
        m.put("batch-size", batchSize);
        m.put("learning-rate", learningRate);
        m.put("weight-decay", weightDecay);
        m.set("augmentation", augmentation.json());
        m.put("train-limit", trainLimit);
        m.put("val-limit", valLimit);
        return m;
    }

    private static void unknown(JsonNode object, Set<String> keys, String prefix) {
        if (!object.isObject()) {
            throw new TrainingException(prefix.isEmpty() ? "the configuration must be a JSON object"
                    : prefix.substring(0, prefix.length() - 1) + " must be a JSON object");
        }
        object.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                throw new TrainingException("unknown configuration key '" + prefix + k + "' (known: "
                        + keys.stream().sorted().toList() + ")");
            }
        });
    }

    private static int integer(JsonNode object, String key, int fallback) {
        return object.has(key) ? integer(object.get(key), key) : fallback;
    }

    private static int integer(JsonNode node, String key) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new TrainingException("'" + key + "' must be a whole number");
        }
        return node.intValue();
    }

    private static float number(JsonNode object, String key, float fallback) {
        if (!object.has(key)) {
            return fallback;
        }
        if (!object.get(key).isNumber()) {
            throw new TrainingException("'" + key + "' must be a number");
        }
        return object.get(key).floatValue();
    }
}
