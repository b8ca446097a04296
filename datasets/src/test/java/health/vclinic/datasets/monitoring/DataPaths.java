package health.vclinic.datasets.monitoring;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project root in tests: Surefire sets {@code vclinic.root}; otherwise walk up to the root pom. */
final class DataPaths {

    private DataPaths() {
    }

    static Path root() {
        String root = System.getProperty("vclinic.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("vclinic"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the project root (the vclinic launcher)");
        }
        return dir;
    }

    static Path sepsis() {
        return root().resolve(SepsisDataset.RELATIVE_PATH).normalize();
    }

    static Path ecg() {
        return root().resolve(Ecg5000.RELATIVE_PATH).normalize();
    }
}
