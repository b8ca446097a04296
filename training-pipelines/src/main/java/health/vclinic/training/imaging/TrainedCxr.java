package health.vclinic.training.imaging;

import health.vclinic.inference.imaging.CxrArchitecture;
import health.vclinic.inference.imaging.CxrCalibration;
import health.vclinic.inference.imaging.CxrPreprocessing;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one training run, before it is published.
 *
 * @param params the chosen network's parameters in DJL's {@code .params} format
 * @param history one entry per epoch run
 * @param bestEpoch the epoch (1-based) whose parameters were kept
 * @param valAuroc validation AUROC of the kept parameters
 * @param valMetrics validation metrics at the operating point, calibrated
 * @param parameterCount trainable values in the network
 * @param trainImages training images used
 * @param valImages validation images used
 * @param seconds wall-clock time of the run
 */
public record TrainedCxr(
        byte[] params,
        CxrTrainingConfig config,
        CxrArchitecture architecture,
        CxrPreprocessing preprocessing,
        CxrCalibration calibration,
        List<Epoch> history,
        int bestEpoch,
        double valAuroc,
        OperatingMetrics valMetrics,
        long parameterCount,
        int trainImages,
        int valImages,
        double seconds) {

    public TrainedCxr {
        params = params.clone();
        Objects.requireNonNull(config, "config");
        history = List.copyOf(history);
    }

    @Override
    public byte[] params() {
        return params.clone();
    }

    /**
     * One epoch's progress.
     *
     * @param epoch 1-based
     * @param trainLoss mean training loss over the epoch (on augmented images)
     * @param valAuroc validation AUROC after the epoch
     * @param learningRate the learning rate at the epoch's last step
     * @param seconds wall-clock time of the epoch, validation included
     */
    public record Epoch(int epoch, double trainLoss, double valAuroc, double learningRate, double seconds) {
    }

    /**
     * Metrics at the operating point.
     *
     * @param sensitivity true-positive rate
     * @param specificity true-negative rate
     * @param accuracy correct / all
     * @param nllUncalibrated mean negative log-likelihood of sigmoid(logit)
     * @param nll mean negative log-likelihood of the calibrated probabilities
     */
    public record OperatingMetrics(double sensitivity, double specificity, double accuracy, double nllUncalibrated,
                                   double nll) {
    }
}
