package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.opencsv.CSVReader;
import com.opencsv.CSVWriter;
import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.datasets.ktas.KtasReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TriageTableTest {

    private static final List<String> LEAKAGE =
            List.of("KTAS_RN", "Diagnosis in ED", "Length of stay_min", "Patients number per hour");

    /**
     * The training file with every leakage column scrambled (rows rotated by one) gives the very same
     * examples: nothing known only after the visit, and not the nurse's level, reaches a feature.
     */
    @Test
    void leakageColumnsNeverReachAFeature(@TempDir Path dir) throws Exception {
        Path original = KtasFiles.directory(Fixtures.projectRoot()).resolve(KtasFiles.TRAIN);
        Path scrambled = dir.resolve(KtasFiles.TRAIN);
        scramble(original, scrambled);
        List<TriageTable.Case> a = Fixtures.cases(KtasReader.read(original));
        List<TriageTable.Case> b = Fixtures.cases(KtasReader.read(scrambled));
        assertNotEquals(a.stream().map(c -> c.visit().nurseLevel()).toList(),
                b.stream().map(c -> c.visit().nurseLevel()).toList(), "the nurse's levels were scrambled");

        TriageTable ta = TriageTable.fit(a, Fixtures.smallConfig(), Fixtures.RULES);
        TriageTable tb = TriageTable.fit(b, Fixtures.smallConfig(), Fixtures.RULES);

        assertEquals(ta.used(), tb.used());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(ta.example(a.get(i)), tb.example(b.get(i)), "row " + (i + 1));
        }
        for (String name : ta.used()) {
            for (String leak : List.of("diagnosis", "stay", "ktas", "nurse", "rn:", "patients")) {
                assertFalse(name.toLowerCase().contains(leak), name);
            }
        }
    }

    @Test
    void constantAndExcludedFeaturesAreLeftOut() {
        TriageTable table = TriageTable.fit(Fixtures.cases(Fixtures.read(KtasFiles.TRAIN)), Fixtures.smallConfig(),
                Fixtures.RULES);

        assertEquals(true, table.constant().contains("vital:spo2"), "the data has no SpO2");
        assertEquals(true, table.excluded().contains("missing:heart_rate"));
        assertFalse(table.used().stream().anyMatch(n -> n.startsWith("missing:")));
        assertEquals(table.features().names().size(),
                table.used().size() + table.constant().size() + table.excluded().size());
    }

    private static void scramble(Path from, Path to) throws IOException, com.opencsv.exceptions.CsvException {
        List<String[]> rows;
        try (Reader in = Files.newBufferedReader(from); CSVReader csv = new CSVReader(in)) {
            rows = csv.readAll();
        }
        String[] header = rows.getFirst();
        List<Integer> columns = LEAKAGE.stream().map(c -> Arrays.asList(header).indexOf(c)).toList();
        List<String[]> out = new ArrayList<>();
        out.add(header);
        int n = rows.size() - 1;
        for (int r = 1; r <= n; r++) {
            String[] row = rows.get(r).clone();
            String[] donor = rows.get(1 + (r % n));
            for (int c : columns) {
                row[c] = donor[c];
            }
            out.add(row);
        }
        try (Writer w = Files.newBufferedWriter(to); CSVWriter csv = new CSVWriter(w)) {
            csv.writeAll(out, false);
        }
    }
}
