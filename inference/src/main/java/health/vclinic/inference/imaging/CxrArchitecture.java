package health.vclinic.inference.imaging;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The chest X-ray network, defined with DJL's block API so that training and serving build the same
 * graph from the same few numbers (recorded in the model card): a small VGG-style CNN.
 *
 * <p>Each stage is two 3×3 convolutions (no bias; batch norm; ReLU); stages after the first start
 * with 2×2 max pooling, halving the 28×28 input to 14×14, 7×7, ...; the last stage is followed by
 * global average pooling, dropout and one linear output, the pneumonia logit. Why this shape for a
 * 28×28 input on two CPU cores: MedMNIST v2's ResNet-18 spends most of its 11 M parameters and
 * ~0.5 GFLOP per image on receptive fields far larger than a 28×28 image; three stages of 3×3
 * convolutions already see the whole image (receptive field 28+ pixels) at ~1/20 of the compute, so
 * an epoch of 4,708 images takes seconds, and batch norm lets it train at a high learning rate.
 *
 * @param channels the filters of each stage, e.g. [16, 32, 64]; 1 to 4 stages
 * @param dropout the dropout rate before the output layer, 0 to below 1
 */
public record CxrArchitecture(List<Integer> channels, float dropout) {

    /** The name of this family in model cards. */
    public static final String ID = "vgg-style-cnn/1";

    public CxrArchitecture {
        channels = List.copyOf(channels);
        if (channels.isEmpty() || channels.size() > 4 || channels.stream().anyMatch(c -> c < 1 || c > 1024)) {
            throw new IllegalArgumentException("1 to 4 stages of 1 to 1024 channels each");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be from 0 to below 1");
        }
    }

    /** A new, uninitialised block: input (N, 1, side, side) standardised pixels, output (N, 1) logits. */
    public Block block() {
        SequentialBlock net = new SequentialBlock();
        for (int stage = 0; stage < channels.size(); stage++) {
            if (stage > 0) {
                net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            }
            for (int conv = 0; conv < 2; conv++) {
                net.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                                .setFilters(channels.get(stage)).optBias(false).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation.reluBlock());
            }
        }
        net.add(Pool.globalAvgPool2dBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Dropout.builder().optRate(dropout).build())
                .add(Linear.builder().setUnits(1).build());
        return net;
    }
}
