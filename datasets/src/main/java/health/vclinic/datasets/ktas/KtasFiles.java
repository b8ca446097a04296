package health.vclinic.datasets.ktas;

import java.nio.file.Path;

/**
 * Where the KTAS data lives: {@code ../shared/datasets/ktas_triage_moon2019/} beside the project, as
 * every data set of this project (nothing is downloaded). Its README gives source, license and sha256.
 */
public final class KtasFiles {

    /** The data directory, relative to the project root. */
    public static final Path DEFAULT_DIRECTORY = Path.of("..", "shared", "datasets", "ktas_triage_moon2019");
    /** All 688 visits of the local ED (Group 1): the training site. */
    public static final String TRAIN = "ktas_train_group1_local_ed.csv";
    /** All 579 visits of the regional ED (Group 2): the external test site. */
    public static final String TEST = "ktas_test_group2_regional_ed.csv";

    private KtasFiles() {
    }

    /** The default data directory of the project at {@code projectRoot}. */
    public static Path directory(Path projectRoot) {
        return projectRoot.resolve(DEFAULT_DIRECTORY).normalize();
    }
}
