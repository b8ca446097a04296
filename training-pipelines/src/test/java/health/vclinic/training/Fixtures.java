package health.vclinic.training;

import health.vclinic.datasets.ktas.KtasData;
import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.datasets.ktas.KtasReader;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlagRules;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** The real KTAS files and the small configuration the tests train with. */
final class Fixtures {

    static final RedFlagRules RULES = RedFlagRules.standard();
    static final TriageEngine ENGINE = new TriageEngine(RULES);

    private Fixtures() {
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
    }

    static KtasData read(String file) {
        return KtasReader.read(KtasFiles.directory(projectRoot()).resolve(file));
    }

    static List<TriageTable.Case> cases(KtasData data) {
        return data.visits().stream().map(v -> new TriageTable.Case(v, ENGINE.findings(v.encounter()))).toList();
    }

    /** Two folds, two quick candidates and their ensemble: the whole pipeline in a few seconds. */
    static TrainingConfig smallConfig() {
        try (InputStream in = Fixtures.class.getResourceAsStream("small-config.json")) {
            return TrainingConfig.parse(in.readAllBytes(), "small-config.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The KTAS training site read with the small configuration (its visits, feature table, rows and expert
     * levels) and the test site's visits, for the models fitted by hand; read once per test class that asks.
     */
    record KtasSites(TrainingConfig config, List<TriageTable.Case> train, List<TriageTable.Case> test,
                     TriageTable table, double[][] x, int[] y) {
        static KtasSites read() {
            TrainingConfig config = smallConfig();
            List<TriageTable.Case> train = cases(Fixtures.read(KtasFiles.TRAIN));
            TriageTable table = TriageTable.fit(train, config, RULES);
            return new KtasSites(config, train, cases(Fixtures.read(KtasFiles.TEST)), table,
                    train.stream().map(table::row).toArray(double[][]::new),
                    train.stream().mapToInt(c -> c.visit().expertLevel()).toArray());
        }
    }
}
