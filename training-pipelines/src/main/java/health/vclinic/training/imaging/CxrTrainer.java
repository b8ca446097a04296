package health.vclinic.training.imaging;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.CxrCalibration;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.inference.imaging.CxrPreprocessing;
import health.vclinic.inference.metrics.Auroc;
import health.vclinic.training.TrainingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains the chest X-ray pneumonia network on PneumoniaMNIST's official train split with DJL on the
 * PyTorch engine (CPU), choosing everything else on the official validation split:
 * <ol>
 *   <li>Each epoch: shuffle, augment every image afresh ({@link CxrAugmentation}), preprocess it with
 *       the service's own {@link CxrPreprocessing}, and take Adam steps on the sigmoid cross-entropy,
 *       the learning rate annealed along a cosine.</li>
 *   <li>After each epoch: validation AUROC; the best epoch's parameters are kept, and training stops
 *       after {@code patience} epochs without a better one (early stopping).</li>
 *   <li>Then, on the validation split with the kept parameters: the temperature (calibration), and
 *       the threshold that maximises Youden's J (the operating point).</li>
 * </ol>
 * The test split is never read here; {@code evaluate} reports on it.
 *
 * <p>Reproducible: the seed fixes DJL/PyTorch initialisation and dropout
 * ({@link Engine#setRandomSeed}), and shuffling and augmentation (a {@link SplittableRandom} per
 * epoch); PyTorch's thread counts are pinned to {@link CxrTrainingConfig#threads()}. The same data
 * and configuration then give byte-identical parameters.
 */
public final class CxrTrainer {

    private CxrTrainer() {
    }

    /**
     * Trains one model.
     *
     * @param progress receives one line per epoch and a summary
     */
    public static TrainedCxr train(MedMnist data, CxrTrainingConfig config, Consumer<String> progress) {
        if (data.split(MedMnist.Split.TRAIN).isEmpty() || data.split(MedMnist.Split.VAL).isEmpty()) {
            throw new TrainingException("training needs images in both the train and the val split");
        }
        long start = System.nanoTime();
        pinThreads(config.threads());
        List<LabelledImage> train = limit(data.split(MedMnist.Split.TRAIN), config.trainLimit());
        List<LabelledImage> val = limit(data.split(MedMnist.Split.VAL), config.valLimit());
        CxrPreprocessing preprocessing = standardisation(train);
        int side = preprocessing.inputSize();
        byte[][] trainPixels = train.stream().map(i -> preprocessing.modelPixels(i.study())).toArray(byte[][]::new);
        List<float[]> valInputs = val.stream().map(i -> preprocessing.input(i.study())).toList();
        int[] valLabels = val.stream().mapToInt(LabelledImage::label).toArray();
        CxrAugmentation augmentation = new CxrAugmentation(config.augmentation());

        // The PyTorch engine by name, as EcgBeatTrainer does: the default engine depends on which engines are
        // on the class path and which was initialised first, and seeding another one leaves PyTorch unseeded.
        Engine.getEngine("PyTorch").setRandomSeed(config.seed());
        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        Tracker learningRate = CosineTracker.builder().setBaseValue(config.learningRate())
                .optFinalValue(config.learningRate() / 100).setMaxUpdates(config.maxEpochs() * stepsPerEpoch).build();
        List<TrainedCxr.Epoch> history = new ArrayList<>();
        byte[] best = null;
        double bestAuroc = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        long parameterCount;
        byte[] modelFile;
        try (Model model = Model.newInstance(CxrModel.NAME, Device.cpu(), "PyTorch")) {
            model.setBlock(config.architecture().block());
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(learningRate)
                            .optWeightDecays(config.weightDecay()).build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(config.batchSize(), 1, side, side));
                parameterCount = model.getBlock().getParameters().values().stream()
                        .filter(p -> p.requiresGradient()).mapToLong(p -> p.getArray().size()).sum();
                progress.accept(String.format(Locale.ROOT, "training %s %s (%,d parameters) on %d images, validating on"
                        + " %d; seed %d, %d threads", CxrModel.NAME, config.architecture().channels(), parameterCount,
                        train.size(), val.size(), config.seed(), config.threads()));
                for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
                    long epochStart = System.nanoTime();
                    double loss = epoch(trainer, trainPixels, train, preprocessing, augmentation, config, epoch);
                    double auroc = Auroc.of(valLabels, toDouble(evaluate(trainer, valInputs, side)));
                    double seconds = (System.nanoTime() - epochStart) / 1e9;
                    float lr = learningRate.getNewValue(epoch * stepsPerEpoch);
                    history.add(new TrainedCxr.Epoch(epoch, loss, auroc, lr, seconds));
                    boolean improved = auroc > bestAuroc;
                    if (improved) {
                        bestAuroc = auroc;
                        bestEpoch = epoch;
                        best = snapshot(model);
                    }
                    progress.accept(String.format(Locale.ROOT, "epoch %2d/%d  loss %.4f  val AUROC %.4f%s  %.1f s",
                            epoch, config.maxEpochs(), loss, auroc, improved ? " (best)" : "", seconds));
                    if (epoch - bestEpoch >= config.patience()) {
                        progress.accept("early stop: no better validation AUROC for " + config.patience() + " epochs;"
                                + " keeping epoch " + bestEpoch);
                        break;
                    }
                }
            }
            modelFile = modelFile(model, best);
        }
        return calibrate(modelFile, config, preprocessing, valInputs, valLabels, history, bestEpoch, parameterCount,
                train.size(), start, progress);
    }

    /** One pass over the shuffled, freshly augmented training images; returns the mean loss. */
    private static double epoch(Trainer trainer, byte[][] pixels, List<LabelledImage> train,
                                CxrPreprocessing preprocessing, CxrAugmentation augmentation,
                                CxrTrainingConfig config, int epoch) {
        int side = preprocessing.inputSize();
        SplittableRandom random = new SplittableRandom(config.seed() * 1_000_003L + epoch);
        int[] order = shuffled(train.size(), random);
        double lossSum = 0;
        for (int from = 0; from < order.length; from += config.batchSize()) {
            int n = Math.min(config.batchSize(), order.length - from);
            float[] x = new float[n * side * side];
            float[] y = new float[n];
            for (int j = 0; j < n; j++) {
                int i = order[from + j];
                byte[] augmented = augmentation.apply(pixels[i], side, random);
                System.arraycopy(preprocessing.standardise(augmented), 0, x, j * side * side, side * side);
                y[j] = train.get(i).label();
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray input = batch.create(x, new Shape(n, 1, side, side));
                NDArray labels = batch.create(y, new Shape(n, 1));
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                    NDArray loss = binaryCrossEntropy(logits, labels);
                    collector.backward(loss);
                    lossSum += loss.getFloat() * n;
                }
                trainer.step();
            }
        }
        return lossSum / order.length;
    }

    /** Mean sigmoid cross-entropy from logits, in the stable form max(z,0) - z*y + log(1 + e^-|z|). */
    static NDArray binaryCrossEntropy(NDArray logits, NDArray labels) {
        NDArray stable = Activation.relu(logits).sub(logits.mul(labels))
                .add(logits.abs().neg().exp().add(1).log());
        return stable.mean();
    }

    private static float[] evaluate(Trainer trainer, List<float[]> inputs, int side) {
        float[] out = new float[inputs.size()];
        int chunk = 256;
        for (int from = 0; from < inputs.size(); from += chunk) {
            int n = Math.min(chunk, inputs.size() - from);
            float[] x = new float[n * side * side];
            for (int j = 0; j < n; j++) {
                System.arraycopy(inputs.get(from + j), 0, x, j * side * side, side * side);
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray logits = trainer.evaluate(new NDList(batch.create(x, new Shape(n, 1, side, side))))
                        .singletonOrThrow();
                System.arraycopy(logits.toFloatArray(), 0, out, from, n);
            }
        }
        return out;
    }

    /** Fits temperature and threshold on the validation split with the kept parameters, loaded as served. */
    private static TrainedCxr calibrate(byte[] modelFile, CxrTrainingConfig config, CxrPreprocessing preprocessing,
                                        List<float[]> valInputs, int[] valLabels, List<TrainedCxr.Epoch> history,
                                        int bestEpoch, long parameterCount, int trainImages, long start,
                                        Consumer<String> progress) {
        double[] logits;
        // Through the serving code: the logits calibrated here are the ones the service will compute.
        try (CxrModel model = CxrModel.of(CxrModel.NAME + "@candidate", modelFile, config.architecture(),
                preprocessing, CxrCalibration.IDENTITY);
             Predictor<float[], Float> predictor = model.newPredictor()) {
            logits = toDouble(CxrModel.logits(predictor, valInputs, 256));
        }
        double auroc = Auroc.of(valLabels, logits);
        // Rounded as the card records them, so the metrics below are those of the published model.
        double temperature = roundTo6(ValidationFit.temperature(logits, valLabels));
        double[] probabilities = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = CxrCalibration.sigmoid(logits[i] / temperature);
        }
        double threshold = roundTo6(ValidationFit.youdenThreshold(probabilities, valLabels));
        CxrCalibration calibration = new CxrCalibration(temperature, threshold);
        TrainedCxr.OperatingMetrics metrics = operatingMetrics(logits, probabilities, valLabels, calibration);
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format(Locale.ROOT, "kept epoch %d: val AUROC %.4f; temperature %.3f (val NLL %.4f ->"
                        + " %.4f); threshold %.3f (Youden): val sensitivity %.3f, specificity %.3f, accuracy %.3f;"
                        + " %.0f s", bestEpoch, auroc, temperature, metrics.nllUncalibrated(), metrics.nll(), threshold,
                metrics.sensitivity(), metrics.specificity(), metrics.accuracy(), seconds));
        return new TrainedCxr(modelFile, config, config.architecture(), preprocessing, calibration, history, bestEpoch,
                auroc, metrics, parameterCount, trainImages, valLabels.length, seconds);
    }

    private static TrainedCxr.OperatingMetrics operatingMetrics(double[] logits, double[] probabilities, int[] labels,
                                                                CxrCalibration calibration) {
        int tp = 0;
        int tn = 0;
        int positives = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean predicted = calibration.positive(probabilities[i]);
            if (labels[i] == 1) {
                positives++;
                tp += predicted ? 1 : 0;
            } else {
                tn += predicted ? 0 : 1;
            }
        }
        int negatives = labels.length - positives;
        return new TrainedCxr.OperatingMetrics((double) tp / positives, (double) tn / negatives,
                (double) (tp + tn) / labels.length, ValidationFit.nll(logits, labels, 1),
                ValidationFit.nll(logits, labels, calibration.temperature()));
    }

    /** The training split's mean and standard deviation on the [0, 1] scale. */
    static CxrPreprocessing standardisation(List<LabelledImage> train) {
        int side = train.getFirst().study().width();
        double sum = 0;
        double sumSquares = 0;
        long n = 0;
        for (LabelledImage image : train) {
            for (byte b : image.study().pixels()) {
                double v = Byte.toUnsignedInt(b) / 255.0;
                sum += v;
                sumSquares += v * v;
                n++;
            }
        }
        double mean = sum / n;
        double std = Math.sqrt(sumSquares / n - mean * mean);
        return new CxrPreprocessing(side, (float) mean, (float) std);
    }

    /**
     * PyTorch's thread counts decide its floating-point reduction order. Inter-op threads can only be
     * set before PyTorch starts its pool: through the system property, read when the engine loads.
     */
    private static void pinThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    private static byte[] snapshot(Model model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.getBlock().saveParameters(out);
        } catch (IOException e) {
            throw new TrainingException("cannot keep the best epoch's parameters: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** The kept parameters as a DJL {@code .params} file, as published. */
    private static byte[] modelFile(Model model, byte[] parameters) {
        try {
            model.getBlock().loadParameters(model.getNDManager(),
                    new DataInputStream(new ByteArrayInputStream(parameters)));
            Path dir = Files.createTempDirectory("cxr-train");
            try {
                model.save(dir, CxrModel.NAME);
                Path file = dir.resolve(CxrModel.NAME + "-0000.params");
                byte[] bytes = Files.readAllBytes(file);
                Files.delete(file);
                return bytes;
            } finally {
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new TrainingException("cannot write the trained parameters: " + e, e);
        } catch (MalformedModelException e) {
            throw new TrainingException("the kept parameters do not reload into their own network", e);
        }
    }

    private static double roundTo6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static List<LabelledImage> limit(List<LabelledImage> images, int limit) {
        return limit == 0 || limit >= images.size() ? images : images.subList(0, limit);
    }

    private static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
