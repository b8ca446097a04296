package health.vclinic.training.monitoring;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.training.ConfigFiles;
import health.vclinic.training.TrainingException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Everything that decides the monitoring anomaly forest besides the data. The same data and
 * configuration give a byte-identical forest: the split and the forest are seeded, and the forest is
 * grown on one thread (Smile grows trees in parallel otherwise, and the result then depends on
 * scheduling).
 *
 * <p>{@code ./vclinic train monitoring-forest --config FILE} reads a JSON object with these dash-case
 * keys; keys left out keep their defaults, unknown keys are an error.
 *
 * @param data the sepsis subset folder, relative to the project root ({@code data}; default
 *     {@code ../shared/datasets/physionet_sepsis2019_subset})
 * @param splitSeed seed of the train/test split of the stays, stratified by sepsis ({@code split-seed},
 *     default 42). The evaluation recomputes the split from the card and refuses a forest that saw a
 *     test stay
 * @param trainFraction share of the stays in the training part ({@code train-fraction}, default 0.5)
 * @param seed the forest's seed ({@code seed}, default 2019)
 * @param trees trees in the forest ({@code trees}, default 100, as Liu, Ting and Zhou recommend: path lengths
 *     converge well before)
 * @param sampleSize windows per tree ({@code sample-size}, default 256, Liu et al.'s recommendation)
 * @param lowQuantile quantile of the training windows' scores that becomes the LOW threshold
 *     ({@code low-quantile}, default 0.99: one training window in a hundred scores above it)
 * @param mediumQuantile quantile that becomes the MEDIUM threshold ({@code medium-quantile}, default 0.999)
 * @param stayLimit use only the first N training stays, 0 for all ({@code stay-limit}, default 0; for tests)
 */
public record ForestConfig(String data, long splitSeed, double trainFraction, long seed, int trees, int sampleSize,
                           double lowQuantile, double mediumQuantile, int stayLimit) {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> KEYS = Set.of("data", "split-seed", "train-fraction", "seed", "trees",
            "sample-size", "low-quantile", "medium-quantile", "stay-limit");

    /** The configuration of the published forest. */
    public static final ForestConfig DEFAULT = new ForestConfig(SepsisDataset.RELATIVE_PATH.toString(), 42, 0.5, 2019,
            100, 256, 0.99, 0.999, 0);

    public ForestConfig {
        if (data == null || data.isBlank()) {
            throw new TrainingException("data: the sepsis subset folder is required");
        }
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new TrainingException("train-fraction must be between 0 and 1");
        }
        if (trees < 1 || sampleSize < 2 || stayLimit < 0) {
            throw new TrainingException("trees must be at least 1, sample-size at least 2, stay-limit 0 or more");
        }
        if (!(lowQuantile > 0.5 && lowQuantile <= mediumQuantile && mediumQuantile < 1)) {
            throw new TrainingException("quantiles: 0.5 < low-quantile <= medium-quantile < 1");
        }
    }

    /** A few stays and trees: a forest in well under a second, for tests. */
    public static ForestConfig tiny() {
        return new ForestConfig(DEFAULT.data(), DEFAULT.splitSeed(), DEFAULT.trainFraction(), 7, 20, 64, 0.99, 0.999, 12);
    }

    public Path dataDir(Path projectRoot) {
        return projectRoot.resolve(data).normalize();
    }

    public ObjectNode json() {
        ObjectNode m = JSON.createObjectNode();
        m.put("data", data);
        m.put("split-seed", splitSeed);
        m.put("train-fraction", trainFraction);
        m.put("seed", seed);
        m.put("trees", trees);
        m.put("sample-size", sampleSize);
        m.put("low-quantile", lowQuantile);
        m.put("medium-quantile", mediumQuantile);
        m.put("stay-limit", stayLimit);
        return m;
    }

    /** The defaults, overridden by the keys of a JSON file. */
    public static ForestConfig load(Path file) {
        JsonNode json = ConfigFiles.readObject(JSON, file);
        ConfigFiles.rejectUnknownKeys(json, KEYS, file);
        ForestConfig d = DEFAULT;
        return new ForestConfig(json.path("data").asText(d.data()), json.path("split-seed").asLong(d.splitSeed()),
                json.path("train-fraction").asDouble(d.trainFraction()), json.path("seed").asLong(d.seed()),
                json.path("trees").asInt(d.trees()), json.path("sample-size").asInt(d.sampleSize()),
                json.path("low-quantile").asDouble(d.lowQuantile()), json.path("medium-quantile").asDouble(d.mediumQuantile()),
                json.path("stay-limit").asInt(d.stayLimit()));
    }
}
