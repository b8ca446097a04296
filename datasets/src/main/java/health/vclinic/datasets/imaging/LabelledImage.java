package health.vclinic.datasets.imaging;

import java.util.Objects;

/**
 * An image with its reference label from a data set.
 *
 * @param study the image
 * @param label the class index, 0 to the number of classes - 1 (PneumoniaMNIST: 0 normal, 1 pneumonia)
 */
public record LabelledImage(ImageStudy study, int label) {
    public LabelledImage {
        Objects.requireNonNull(study, "study");
        if (label < 0) {
            throw new IllegalArgumentException("a label is a class index, at least 0");
        }
    }
}
