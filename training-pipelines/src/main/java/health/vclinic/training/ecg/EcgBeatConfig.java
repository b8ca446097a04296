package health.vclinic.training.ecg;

import static health.vclinic.training.ConfigFiles.require;

import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.Ecg5000;
import health.vclinic.training.ConfigFiles;
import java.nio.file.Path;

/**
 * Everything that decides the trained ECG beat model besides the data: the same data and this
 * configuration give byte-identical parameters (the seed fixes initialisation and shuffling;
 * {@code threads} fixes PyTorch's floating-point reduction order).
 *
 * <p>{@code ./vclinic train ecg-beat --config FILE} reads a JSON object with these dash-case keys;
 * keys left out keep their defaults; unknown keys, values of the wrong type and values out of range are
 * refused with the key named ({@link ConfigFiles}). The effective configuration is written into the
 * model card.
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

    /** The configuration of the published model. */
    public static final EcgBeatConfig DEFAULT = new EcgBeatConfig(Ecg5000.RELATIVE_PATH.toString(), 5000, 1, 40, 32,
            0.003f, 5, 0);

    public EcgBeatConfig {
        require(data != null && !data.isBlank(), "data", "the ECG5000 folder", data);
        require(threads >= 1, "threads", "at least 1", threads);
        require(epochs >= 1, "epochs", "at least 1", epochs);
        require(batchSize >= 2, "batch-size", "at least 2", batchSize);
        require(learningRate > 0 && Float.isFinite(learningRate), "learning-rate", "a positive number", learningRate);
        require(folds == 0 || folds >= 2, "folds", "0 (no cross-validation) or at least 2", folds);
        require(trainLimit >= 0, "train-limit", "0 (all beats) or a beat count", trainLimit);
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
        return ConfigFiles.json(this);
    }

    /**
     * The defaults, overridden by the keys of a JSON file.
     *
     * @throws health.vclinic.training.TrainingException naming an unknown, mistyped or out-of-range key
     */
    public static EcgBeatConfig load(Path file) {
        return ConfigFiles.read(file, DEFAULT, EcgBeatConfig.class);
    }
}
