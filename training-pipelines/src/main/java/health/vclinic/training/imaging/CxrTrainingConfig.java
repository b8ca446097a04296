package health.vclinic.training.imaging;

import static health.vclinic.training.ConfigFiles.require;

import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.CxrArchitecture;
import health.vclinic.training.ConfigFiles;
import health.vclinic.training.TrainingException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything that decides the trained chest X-ray model besides the data: with the same data file and
 * this configuration, training produces byte-identical parameters (the seed fixes initialisation,
 * shuffling, augmentation and dropout; {@code threads} fixes PyTorch's floating-point reduction order).
 *
 * <p>{@code ./vclinic train cxr-pneumonia --config FILE} reads a JSON object with the dash-case keys
 * below; keys left out keep their defaults; unknown keys, values of the wrong type and values out of
 * range are refused with the key named ({@link ConfigFiles}). The effective configuration is written
 * into the model card.
 *
 * @param data the PneumoniaMNIST npz, relative to the project root ({@code data}; default
 *     {@code ../shared/datasets/pneumoniamnist/pneumoniamnist.npz})
 * @param channels the filters of each stage of the network ({@code channels}, default [32, 64, 128]);
 *     see {@link CxrArchitecture}
 * @param dropout the dropout rate before the output layer ({@code dropout}, default 0.3)
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
        List<Integer> channels,
        float dropout,
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
            require(maxRotationDegrees >= 0, "augmentation.max-rotation-degrees", "0 or more", maxRotationDegrees);
            require(maxScale >= 0 && maxScale < 1, "augmentation.max-scale", "from 0 to below 1", maxScale);
            require(maxShiftPixels >= 0, "augmentation.max-shift-pixels", "0 or more", maxShiftPixels);
            require(maxBrightness >= 0, "augmentation.max-brightness", "0 or more", maxBrightness);
            require(maxContrast >= 0 && maxContrast < 1, "augmentation.max-contrast", "from 0 to below 1", maxContrast);
        }
    }

    /** The configuration of the published model. */
    public static final CxrTrainingConfig DEFAULT = new CxrTrainingConfig(
            MedMnist.PNEUMONIA_RELATIVE_PATH.toString(), List.of(32, 64, 128), 0.3f, 20240611, 2,
            40, 8, 64, 0.002f, 1e-4f, Augmentation.DEFAULT, 0, 0);

    public CxrTrainingConfig {
        require(data != null && !data.isBlank(), "data", "the path of pneumoniamnist.npz", data);
        require(channels != null, "channels", "an array of channel counts", channels);
        channels = List.copyOf(channels);
        try {
            new CxrArchitecture(channels, dropout);
        } catch (IllegalArgumentException e) {
            throw new TrainingException("'channels' / 'dropout': " + e.getMessage(), e);
        }
        require(threads >= 1, "threads", "at least 1", threads);
        require(maxEpochs >= 1, "max-epochs", "at least 1", maxEpochs);
        require(patience >= 1, "patience", "at least 1", patience);
        require(batchSize >= 2, "batch-size", "at least 2", batchSize);
        require(learningRate > 0 && Float.isFinite(learningRate), "learning-rate", "a positive number", learningRate);
        require(weightDecay >= 0 && Float.isFinite(weightDecay), "weight-decay", "0 or a positive number", weightDecay);
        require(augmentation != null, "augmentation", "an object", augmentation);
        require(trainLimit >= 0, "train-limit", "0 (all images) or an image count", trainLimit);
        require(valLimit >= 0, "val-limit", "0 (all images) or an image count", valLimit);
    }

    /** The network these settings describe. */
    public CxrArchitecture architecture() {
        return new CxrArchitecture(channels, dropout);
    }

    /** A few seconds of training on a slice of the data: for tests of the pipeline, not a usable model. */
    public static CxrTrainingConfig tiny() {
        return new CxrTrainingConfig(DEFAULT.data(), List.of(4, 8), 0.1f, 7, 1, 2, 2, 32, 0.005f,
                1e-4f, Augmentation.DEFAULT, 256, 128);
    }

    /** The data file, resolved against the project root. */
    public Path dataFile(Path projectRoot) {
        return projectRoot.resolve(data).normalize();
    }

    /**
     * Reads a configuration file: the defaults, overridden by the keys it has.
     *
     * @throws TrainingException naming the key that is unknown, mistyped or out of range
     */
    public static CxrTrainingConfig load(Path file) {
        return ConfigFiles.read(file, DEFAULT, CxrTrainingConfig.class);
    }

    /** The configuration as written into the model card (dash-case keys, as in a config file). */
    public ObjectNode json() {
        return ConfigFiles.json(this);
    }
}
