package health.vclinic.training.ecg;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import health.vclinic.datasets.monitoring.EcgBeat;
import health.vclinic.datasets.monitoring.LabelledBeat;
import health.vclinic.inference.monitoring.BeatPrediction;
import health.vclinic.inference.monitoring.EcgBeatModel;
import health.vclinic.inference.monitoring.EcgBeatNet;
import health.vclinic.inference.monitoring.EcgBeatTranslator;
import health.vclinic.training.TrainingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the {@link EcgBeatNet} on labelled beats with DJL's trainer on the PyTorch engine (CPU):
 * each epoch shuffles the beats, z-normalises each with the serving translator's own
 * {@link EcgBeatTranslator#normalise}, and takes Adam steps on the softmax cross-entropy of the five
 * UCR classes. Reproducible: {@link Engine#setRandomSeed} fixes initialisation, a {@link Random} with
 * the configuration's seed fixes shuffling, and PyTorch's threads are pinned, so the same beats and
 * configuration give byte-identical parameters.
 */
public final class EcgBeatTrainer {

    /**
     * A trained network.
     *
     * @param params the DJL parameter file, as published
     * @param losses mean training loss per epoch
     * @param parameterCount trainable and running-statistics values in the network
     */
    public record Trained(byte[] params, List<Double> losses, long parameterCount) {
        public Trained {
            params = params.clone();
            losses = List.copyOf(losses);
        }

        @Override
        public byte[] params() {
            return params.clone();
        }
    }

    /**
     * Out-of-fold results of a stratified cross-validation.
     *
     * @param foldAccuracy 5-class accuracy of each fold
     * @param predicted the out-of-fold predicted class (1-5) of every beat, in input order
     * @param fold the fold each beat was held out in, in input order
     */
    public record CrossValidation(List<Double> foldAccuracy, int[] predicted, int[] fold) {
        public double accuracy(List<LabelledBeat> beats) {
            int correct = 0;
            for (int i = 0; i < beats.size(); i++) {
                if (predicted[i] == beats.get(i).ucrClass()) {
                    correct++;
                }
            }
            return correct / (double) beats.size();
        }
    }

    private EcgBeatTrainer() {
    }

    /** Trains on all of {@code beats} (each must carry its UCR class). */
    public static Trained train(List<LabelledBeat> beats, EcgBeatConfig config, Consumer<String> progress) {
        if (beats.isEmpty() || beats.stream().anyMatch(b -> b.ucrClass() == 0)) {
            throw new TrainingException("training needs beats with their UCR class (the official training split)");
        }
        pinThreads(config.threads());
        Engine.getEngine("PyTorch").setRandomSeed((int) config.seed());
        int n = beats.size();
        float[] x = new float[n * EcgBeat.LENGTH];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            beats.get(i).beat().copyTo(x, i * EcgBeat.LENGTH);
            EcgBeatTranslator.normalise(x, i * EcgBeat.LENGTH);
            y[i] = beats.get(i).ucrClass() - 1;
        }
        List<Double> losses = new ArrayList<>();
        long parameters;
        try (Model model = Model.newInstance(EcgBeatModel.MODEL_NAME, "PyTorch")) {
            model.setBlock(EcgBeatNet.build());
            DefaultTrainingConfig training = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(config.learningRate())).build());
            try (Trainer trainer = model.newTrainer(training)) {
                trainer.initialize(new Shape(config.batchSize(), 1, EcgBeat.LENGTH));
                parameters = model.getBlock().getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
                Random shuffle = new Random(config.seed());
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                    shuffle(order, shuffle);
                    double loss = epoch(trainer, x, y, order, config.batchSize());
                    losses.add(loss);
                    progress.accept(String.format(java.util.Locale.ROOT, "epoch %2d/%d  loss %.4f", epoch,
                            config.epochs(), loss));
                }
            }
            return new Trained(save(model), losses, parameters);
        }
    }

    private static double epoch(Trainer trainer, float[] x, float[] y, int[] order, int batchSize) {
        int n = order.length;
        double sum = 0;
        int batches = 0;
        for (int from = 0; from < n; from += batchSize) {
            int size = Math.min(batchSize, n - from);
            float[] bx = new float[size * EcgBeat.LENGTH];
            float[] by = new float[size];
            for (int k = 0; k < size; k++) {
                System.arraycopy(x, order[from + k] * EcgBeat.LENGTH, bx, k * EcgBeat.LENGTH, EcgBeat.LENGTH);
                by[k] = y[order[from + k]];
            }
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray input = batch.create(bx, new Shape(size, 1, EcgBeat.LENGTH));
                NDArray label = batch.create(by, new Shape(size));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray predicted = trainer.forward(new NDList(input)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(label), new NDList(predicted));
                    sum += loss.getFloat();
                    gc.backward(loss);
                }
                trainer.step();
            }
            batches++;
        }
        return sum / batches;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * Stratified {@code folds}-fold cross-validation: each fold is trained with this configuration on
     * the other folds and classifies its own beats through the serving code ({@link EcgBeatModel}).
     */
    public static CrossValidation crossValidate(List<LabelledBeat> beats, EcgBeatConfig config, Consumer<String> progress) {
        int k = config.folds();
        int[] fold = folds(beats, k, config.seed());
        int[] predicted = new int[beats.size()];
        List<Double> accuracy = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<LabelledBeat> train = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < beats.size(); i++) {
                if (fold[i] == f) {
                    held.add(i);
                } else {
                    train.add(beats.get(i));
                }
            }
            int foldNumber = f + 1;
            Trained trained = train(train, config, line -> { });
            List<BeatPrediction> out = classify(trained, held.stream().map(i -> beats.get(i).beat()).toList());
            int correct = 0;
            for (int j = 0; j < held.size(); j++) {
                int i = held.get(j);
                predicted[i] = out.get(j).predictedClass();
                if (predicted[i] == beats.get(i).ucrClass()) {
                    correct++;
                }
            }
            accuracy.add(correct / (double) held.size());
            progress.accept(String.format(java.util.Locale.ROOT, "fold %d/%d  5-class accuracy %.4f (%d beats)",
                    foldNumber, k, accuracy.getLast(), held.size()));
        }
        return new CrossValidation(accuracy, predicted, fold);
    }

    /**
     * The fold of each beat: within each class, beats in input order are shuffled with the seed and dealt
     * round-robin, so every fold has each class in proportion (a class rarer than k lands in fewer folds).
     */
    public static int[] folds(List<LabelledBeat> beats, int k, long seed) {
        int[] fold = new int[beats.size()];
        Random random = new Random(seed);
        for (int c = 1; c <= 5; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < beats.size(); i++) {
                if (beats.get(i).ucrClass() == c) {
                    members.add(i);
                }
            }
            members.sort(Comparator.naturalOrder());
            java.util.Collections.shuffle(members, random);
            for (int j = 0; j < members.size(); j++) {
                fold[members.get(j)] = j % k;
            }
        }
        return fold;
    }

    /** Classifies beats with trained parameters through the serving model code. */
    static List<BeatPrediction> classify(Trained trained, List<EcgBeat> beats) {
        try {
            Path dir = Files.createTempDirectory("ecg-beat-cv");
            Path file = dir.resolve(EcgBeatModel.PARAMS_FILE);
            try {
                Files.write(file, trained.params());
                try (EcgBeatModel model = EcgBeatModel.load(dir, EcgBeatModel.MODEL_NAME + "@cv", 1)) {
                    return model.classify(beats);
                }
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new TrainingException("cannot write a fold's parameters: " + e, e);
        }
    }

    private static byte[] save(Model model) {
        try {
            Path dir = Files.createTempDirectory("ecg-beat-train");
            Path file = dir.resolve(EcgBeatModel.PARAMS_FILE);
            try {
                model.save(dir, EcgBeatModel.MODEL_NAME);
                return Files.readAllBytes(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new TrainingException("cannot write the trained parameters: " + e, e);
        }
    }

    /**
     * PyTorch's thread counts decide its floating-point reduction order. Inter-op threads can only be
     * set before PyTorch starts its pool, through the system property read when the engine loads; the
     * intra-op count can be set at any time.
     */
    private static void pinThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }
}
