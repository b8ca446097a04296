package health.vclinic.datasets.imaging;

import java.util.Arrays;
import java.util.Objects;

/**
 * One array of a NumPy {@code .npy} file (format versions 1.0 to 3.0, NumPy NEP 1), as unsigned
 * 8-bit values in C (row-major) order, the form MedMNIST stores images and labels in.
 *
 * @param name the array's name, e.g. {@code train_images} (its {@code .npz} entry without
 *     {@code .npy})
 * @param shape the dimensions, each at least 0; their product is the number of values
 * @param data the values, row-major; {@code Byte.toUnsignedInt} gives 0 to 255
 */
public record NpyArray(String name, int[] shape, byte[] data) {

    public NpyArray {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        data = data.clone();
        long size = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            size *= d;
        }
        if (size != data.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + size
                    + " values, the data has " + data.length);
        }
    }

    /** A copy of the dimensions. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** A copy of the values. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The value at a flat (row-major) index, 0 to 255. */
    public int unsigned(int index) {
        return Byte.toUnsignedInt(data[index]);
    }

    /** The number of values. */
    public int size() {
        return data.length;
    }

    /** Values {@code [from, from + length)} without copying the whole array. */
    byte[] slice(int from, int length) {
        return Arrays.copyOfRange(data, from, from + length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray other && name.equals(other.name) && Arrays.equals(shape, other.shape)
                && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "NpyArray[" + name + ", uint8 " + Arrays.toString(shape) + "]";
    }
}
