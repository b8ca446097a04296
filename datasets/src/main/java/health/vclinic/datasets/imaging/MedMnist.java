package health.vclinic.datasets.imaging;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A 2D MedMNIST v2 data set (Yang et al., "MedMNIST v2 - A large-scale lightweight benchmark for 2D and
 * 3D biomedical image classification", Scientific Data 10, 41, 2023) read from its official
 * {@code .npz} file: the official train / val / test splits, each image with its label.
 *
 * <p>The file holds {@code <split>_images} (N, H, W) uint8 and {@code <split>_labels} (N, 1) uint8
 * for each split; {@link #read} checks exactly that and nothing is resampled, so the splits are the
 * published ones and results compare with the paper's.
 *
 * @param name the data set, e.g. {@code pneumoniamnist}; used in study ids
 * @param classes the class names, index = label
 * @param splits the images of each split, in file order
 */
public record MedMnist(String name, List<String> classes, Map<Split, List<LabelledImage>> splits) {

    /** PneumoniaMNIST's classes (MedMNIST {@code INFO["pneumoniamnist"]["label"]}). */
    public static final List<String> PNEUMONIA_CLASSES = List.of("normal", "pneumonia");

    /** Where the official PneumoniaMNIST file lies, relative to the project root. */
    public static final Path PNEUMONIA_RELATIVE_PATH =
            Path.of("..", "shared", "datasets", "pneumoniamnist", "pneumoniamnist.npz");

    /** The official splits of MedMNIST v2. */
    public enum Split {
        TRAIN("train"), VAL("val"), TEST("test");

        private final String key;

        Split(String key) {
            this.key = key;
        }

        /** The key prefix in the file, e.g. {@code val}. */
        public String key() {
            return key;
        }
    }

    public MedMnist {
        Objects.requireNonNull(name, "name");
        classes = List.copyOf(classes);
        EnumMap<Split, List<LabelledImage>> copy = new EnumMap<>(Split.class);
        splits.forEach((split, images) -> copy.put(split, List.copyOf(images)));
        for (Split s : Split.values()) {
            if (!copy.containsKey(s)) {
                throw new IllegalArgumentException(name + " has no " + s.key() + " split");
            }
        }
        splits = Collections.unmodifiableMap(copy);
    }

    /** The images of one split, in file order. */
    public List<LabelledImage> split(Split split) {
        return splits.get(split);
    }

    /** The number of images with each label in a split, index = label. */
    public int[] classCounts(Split split) {
        int[] counts = new int[classes.size()];
        split(split).forEach(i -> counts[i.label()]++);
        return counts;
    }

    /** Reads PneumoniaMNIST (28×28, 2 classes). */
    public static MedMnist readPneumonia(Path npz) throws IOException {
        return read(npz, "pneumoniamnist", PNEUMONIA_CLASSES);
    }

    /**
     * Reads a 2D MedMNIST file with one label per image.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when an array is missing or shaped unlike a MedMNIST file, or a
     *     label is not one of {@code classes}
     */
    public static MedMnist read(Path npz, String name, List<String> classes) throws IOException {
        Map<String, NpyArray> arrays = NpzFile.read(npz);
        EnumMap<Split, List<LabelledImage>> splits = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            splits.put(split, split(arrays, name, split, classes.size()));
        }
        return new MedMnist(name, classes, splits);
    }

    private static List<LabelledImage> split(Map<String, NpyArray> arrays, String name, Split split, int classes) {
        NpyArray images = require(arrays, split.key() + "_images");
        NpyArray labels = require(arrays, split.key() + "_labels");
        int[] shape = images.shape();
        int[] labelShape = labels.shape();
        if (shape.length != 3 || labelShape.length != 2 || labelShape[1] != 1 || labelShape[0] != shape[0]) {
            throw new IllegalArgumentException(name + " " + split.key() + ": expected images (N, H, W) and labels (N, 1),"
                    + " found " + Arrays.toString(shape) + " and " + Arrays.toString(labelShape));
        }
        int n = shape[0];
        int height = shape[1];
        int width = shape[2];
        int pixels = width * height;
        List<LabelledImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = labels.unsigned(i);
            if (label >= classes) {
                throw new IllegalArgumentException(name + " " + split.key() + "[" + i + "]: label " + label
                        + " is not one of the " + classes + " classes");
            }
            ImageStudy study = new ImageStudy(name + "/" + split.key() + "/" + i, width, height,
                    images.slice(i * pixels, pixels));
            out.add(new LabelledImage(study, label));
        }
        return out;
    }

    private static NpyArray require(Map<String, NpyArray> arrays, String key) {
        NpyArray array = arrays.get(key);
        if (array == null) {
            throw new IllegalArgumentException("no '" + key + "' array in the file (arrays: " + arrays.keySet() + ")");
        }
        return array;
    }
}
