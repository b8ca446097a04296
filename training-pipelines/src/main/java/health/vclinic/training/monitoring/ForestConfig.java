package health.vclinic.training.monitoring;

import static health.vclinic.training.ConfigFiles.require;

import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.training.ConfigFiles;
import java.nio.file.Path;

/**
 * Everything that decides the monitoring anomaly forest besides the data. The same data and
 * configuration give a byte-identical forest: the split and the forest are seeded, and the forest is
 * grown on one thread (Smile grows trees in parallel otherwise, and the result then depends on
 * scheduling).
 *
 * <p>{@code ./vclinic train monitoring-forest --config FILE} reads a JSON object with these dash-case
 * keys ({@link ConfigFiles}); keys left out keep their defaults; unknown keys, values of the wrong type
 * and values out of range are refused with the key named.
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

    /** The configuration of the published forest. */
    public static final ForestConfig DEFAULT = new ForestConfig(SepsisDataset.RELATIVE_PATH.toString(), 42, 0.5, 2019,
            100, 256, 0.99, 0.999, 0);

    public ForestConfig {
        require(data != null && !data.isBlank(), "data", "the sepsis subset folder", data);
        require(trainFraction > 0 && trainFraction < 1, "train-fraction", "between 0 and 1 (exclusive)", trainFraction);
        require(trees >= 1, "trees", "at least 1", trees);
        require(sampleSize >= 2, "sample-size", "at least 2", sampleSize);
        require(stayLimit >= 0, "stay-limit", "0 (all stays) or more", stayLimit);
        require(lowQuantile > 0.5 && lowQuantile < 1, "low-quantile", "above 0.5 and below 1", lowQuantile);
        require(mediumQuantile >= lowQuantile && mediumQuantile < 1, "medium-quantile",
                "at least low-quantile (" + lowQuantile + ") and below 1", mediumQuantile);
    }

    /** A few stays and trees: a forest in well under a second, for tests. */
    public static ForestConfig tiny() {
        return new ForestConfig(DEFAULT.data(), DEFAULT.splitSeed(), DEFAULT.trainFraction(), 7, 20, 64, 0.99, 0.999, 12);
    }

    public Path dataDir(Path projectRoot) {
        return projectRoot.resolve(data).normalize();
    }

    /** The effective configuration, as the card records it (dash-case keys, as in a file). */
    public ObjectNode json() {
        return ConfigFiles.json(this);
    }

    /**
     * The defaults, overridden by the keys of a JSON file.
     *
     * @throws health.vclinic.training.TrainingException naming an unknown, mistyped or out-of-range key
     */
    public static ForestConfig load(Path file) {
        return ConfigFiles.read(file, DEFAULT, ForestConfig.class);
    }
}
