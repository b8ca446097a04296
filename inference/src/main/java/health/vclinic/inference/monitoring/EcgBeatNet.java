package health.vclinic.inference.monitoring;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;

/**
 * The heartbeat classifier's network, defined once with DJL's block API and used by both training
 * and serving: a small 1D convolutional network in the style of Wang, Yan and Oates ("Time series
 * classification from scratch with deep neural networks: a strong baseline", IJCNN 2017), whose
 * fully convolutional network is a standard baseline on the UCR archive.
 *
 * <pre>
 * input (N, 1, 140) z-normalised beat
 * conv 16 x 7, batch norm, ReLU, max-pool 2    (N, 16, 70)
 * conv 32 x 5, batch norm, ReLU, max-pool 2    (N, 32, 35)
 * conv 64 x 3, batch norm, ReLU, global average pool   (N, 64)
 * linear 5                                     logits of UCR classes 1-5
 * </pre>
 *
 * About 9,700 values (weights and batch-norm statistics): it trains in seconds on one CPU thread and classifies a beat in well
 * under a millisecond.
 */
public final class EcgBeatNet {

    /** Names this architecture on model cards; a model of another architecture is refused. */
    public static final String ARCHITECTURE = "ecg-cnn-1";
    /** The input of one beat: one channel of {@code EcgBeat.LENGTH} points. */
    public static final Shape INPUT_SHAPE = new Shape(1, 1, health.vclinic.datasets.monitoring.EcgBeat.LENGTH);

    private EcgBeatNet() {
    }

    /** A new, uninitialised network. */
    public static Block build() {
        return new SequentialBlock()
                .add(convolution(16, 7))
                .add(Pool.maxPool1dBlock(new Shape(2)))
                .add(convolution(32, 5))
                .add(Pool.maxPool1dBlock(new Shape(2)))
                .add(convolution(64, 3))
                .add(Pool.globalAvgPool1dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(BeatPrediction.CLASSES).build());
    }

    private static Block convolution(int filters, int kernel) {
        return new SequentialBlock()
                .add(Conv1d.builder().setFilters(filters).setKernelShape(new Shape(kernel))
                        .optPadding(new Shape(kernel / 2)).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
    }
}
