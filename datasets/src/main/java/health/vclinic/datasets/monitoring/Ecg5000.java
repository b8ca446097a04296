package health.vclinic.datasets.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The UCR ECG5000 heartbeats (Dau et al., The UCR Time Series Archive, 2019; from PhysioNet chfdb
 * record chf07): 500 official training beats with their 5 classes and 4,500 official test beats with
 * the normal/abnormal label. See the data set's README for sources and checks.
 *
 * <p>The training beats are read from {@code ECG5000_TRAIN.txt} (5-class labels) and the test beats
 * from the {@code .npy} files (rows 500 to 4999; the signals are stored column-major). Rows 0 to 499 of
 * the {@code .npy} must equal the text file as float32, and their binary labels its classes: the reader
 * checks both, so a reordered or truncated copy fails loudly instead of mixing splits.
 *
 * @param train the 500 official training beats, file order
 * @param test the 4,500 official test beats, file order
 */
public record Ecg5000(List<LabelledBeat> train, List<LabelledBeat> test) {

    /** Where the data set lies, relative to the project root. */
    public static final Path RELATIVE_PATH = Path.of("..", "shared", "datasets", "ecg5000");
    public static final String TRAIN_TEXT = "ECG5000_TRAIN.txt";
    public static final String SIGNALS_NPY = "ecg5000_all_signals_float32.npy";
    public static final String LABELS_NPY = "ecg5000_all_labels_binary.npy";
    public static final int TRAIN_SIZE = 500;
    public static final int TOTAL_SIZE = 5000;

    public Ecg5000 {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    /**
     * @throws IllegalArgumentException naming the file when a file is malformed or the files disagree
     */
    public static Ecg5000 read(Path dir) {
        List<float[]> trainRows = new ArrayList<>();
        List<Integer> trainClasses = new ArrayList<>();
        readText(dir.resolve(TRAIN_TEXT), trainRows, trainClasses);
        Npy signals = Npy.read(dir.resolve(SIGNALS_NPY));
        Npy labels = Npy.read(dir.resolve(LABELS_NPY));
        int[] shape = signals.shape();
        if (shape.length != 2 || shape[0] != TOTAL_SIZE || shape[1] != EcgBeat.LENGTH) {
            throw new IllegalArgumentException(SIGNALS_NPY + " must be (5000, 140), not " + java.util.Arrays.toString(shape));
        }
        int[] binary = labels.ints();
        if (binary.length != TOTAL_SIZE) {
            throw new IllegalArgumentException(LABELS_NPY + " must hold 5000 labels, not " + binary.length);
        }
        float[] all = signals.floats();
        List<LabelledBeat> train = new ArrayList<>(TRAIN_SIZE);
        for (int i = 0; i < TRAIN_SIZE; i++) {
            float[] row = java.util.Arrays.copyOfRange(all, i * EcgBeat.LENGTH, (i + 1) * EcgBeat.LENGTH);
            if (!java.util.Arrays.equals(row, trainRows.get(i))) {
                throw new IllegalArgumentException(SIGNALS_NPY + " row " + i + " differs from " + TRAIN_TEXT
                        + " line " + (i + 1) + ": the files are not the same ECG5000 copy (or the column-major"
                        + " layout was not undone)");
            }
            int ucrClass = trainClasses.get(i);
            if ((binary[i] == 1) != (ucrClass != 1)) {
                throw new IllegalArgumentException(LABELS_NPY + " label " + i + " contradicts class " + ucrClass);
            }
            train.add(new LabelledBeat(i, EcgBeat.of(row, "ecg_beat"), ucrClass, ucrClass != 1));
        }
        List<LabelledBeat> test = new ArrayList<>(TOTAL_SIZE - TRAIN_SIZE);
        for (int i = TRAIN_SIZE; i < TOTAL_SIZE; i++) {
            if (binary[i] != 0 && binary[i] != 1) {
                throw new IllegalArgumentException(LABELS_NPY + " label " + i + " is not 0 or 1");
            }
            float[] row = java.util.Arrays.copyOfRange(all, i * EcgBeat.LENGTH, (i + 1) * EcgBeat.LENGTH);
            test.add(new LabelledBeat(i, EcgBeat.of(row, "ecg_beat"), 0, binary[i] == 1));
        }
        return new Ecg5000(train, test);
    }

    private static void readText(Path file, List<float[]> rows, List<Integer> classes) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != EcgBeat.LENGTH + 1) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": " + f.length
                        + " values, expected a class and " + EcgBeat.LENGTH + " points");
            }
            double c = Double.parseDouble(f[0]);
            if (c != Math.rint(c) || c < 1 || c > 5) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": class must be 1 to 5");
            }
            float[] row = new float[EcgBeat.LENGTH];
            for (int i = 0; i < EcgBeat.LENGTH; i++) {
                row[i] = (float) Double.parseDouble(f[i + 1]);
            }
            rows.add(row);
            classes.add((int) c);
        }
        if (rows.size() != TRAIN_SIZE) {
            throw new IllegalArgumentException(file + " holds " + rows.size() + " beats, the official split has " + TRAIN_SIZE);
        }
    }
}
