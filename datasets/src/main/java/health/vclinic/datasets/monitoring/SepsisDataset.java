package health.vclinic.datasets.monitoring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * Reads the PhysioNet/CinC Challenge 2019 stays ({@code training_setA/pNNNNNN.psv}: pipe-separated,
 * a header row, one row per ICU hour, {@code NaN} for not measured). See the data set's README for the
 * 200-stay subset's selection rule and license (ODbL).
 */
public final class SepsisDataset {

    /** Where the subset lies, relative to the project root. */
    public static final Path RELATIVE_PATH = Path.of("..", "shared", "datasets", "physionet_sepsis2019_subset");
    /** The folder of stay files inside the data set. */
    public static final String STAYS_FOLDER = "training_setA";

    private static final List<String> COLUMNS =
            List.of("HR", "O2Sat", "Temp", "SBP", "MAP", "DBP", "Resp", "FiO2", "Age", "ICULOS", "SepsisLabel");

    private SepsisDataset() {
    }

    /**
     * Reads every stay under {@code datasetDir/training_setA}, ordered by patient id.
     *
     * @throws UncheckedIOException when a file cannot be read
     * @throws IllegalArgumentException naming the file and line when a file is malformed
     */
    public static List<SepsisStay> read(Path datasetDir) {
        Path folder = datasetDir.resolve(STAYS_FOLDER);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("no " + STAYS_FOLDER + " folder in " + datasetDir
                    + "; point at the physionet_sepsis2019_subset data set");
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> psv = files.filter(p -> p.getFileName().toString().endsWith(".psv")).sorted().toList();
            if (psv.isEmpty()) {
                throw new IllegalArgumentException("no .psv stays in " + folder);
            }
            return psv.stream().map(SepsisDataset::readStay).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /** Reads one stay file. */
    public static SepsisStay readStay(Path file) {
        String name = file.getFileName().toString();
        String patientId = name.endsWith(".psv") ? name.substring(0, name.length() - 4) : name;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String header = in.readLine();
            if (header == null) {
                throw new IllegalArgumentException(file + " is empty");
            }
            Map<String, Integer> index = columns(file, header);
            int width = header.split("\\|", -1).length;
            List<SepsisHour> hours = new ArrayList<>();
            double age = Double.NaN;
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\\|", -1);
                if (f.length != width) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": " + f.length + " fields, the header has " + width);
                }
                String where = file + " line " + lineNo;
                age = number(f[index.get("Age")], where, "Age").orElse(age);
                OptionalDouble iculos = number(f[index.get("ICULOS")], where, "ICULOS");
                OptionalDouble label = number(f[index.get("SepsisLabel")], where, "SepsisLabel");
                if (iculos.isEmpty() || label.isEmpty() || (label.getAsDouble() != 0 && label.getAsDouble() != 1)) {
                    throw new IllegalArgumentException(where + ": ICULOS must be a number and SepsisLabel 0 or 1");
                }
                hours.add(new SepsisHour((int) iculos.getAsDouble(),
                        number(f[index.get("HR")], where, "HR"),
                        number(f[index.get("O2Sat")], where, "O2Sat"),
                        number(f[index.get("Temp")], where, "Temp"),
                        number(f[index.get("SBP")], where, "SBP"),
                        number(f[index.get("MAP")], where, "MAP"),
                        number(f[index.get("DBP")], where, "DBP"),
                        number(f[index.get("Resp")], where, "Resp"),
                        number(f[index.get("FiO2")], where, "FiO2"),
                        label.getAsDouble() == 1));
            }
            return new SepsisStay(patientId, age, hours);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Map<String, Integer> columns(Path file, String header) {
        String[] names = header.split("\\|", -1);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            index.put(names[i].trim(), i);
        }
        for (String c : COLUMNS) {
            if (!index.containsKey(c)) {
                throw new IllegalArgumentException(file + ": no column " + c + " in the header");
            }
        }
        return index;
    }

    private static OptionalDouble number(String field, String where, String column) {
        String s = field.trim();
        if (s.equals("NaN") || s.isEmpty()) {
            return OptionalDouble.empty();
        }
        try {
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return OptionalDouble.of(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + column + " is not a number or NaN", e);
        }
    }
}
