package health.vclinic.models;

import java.nio.file.Path;

/**
 * The project root every command works under (models/, reports/, examples/, data/): the launcher sets
 * the system property {@value #PROPERTY}; without it, the working directory. The one place that reads it.
 */
public final class ProjectRoot {

    /** The system property the {@code ./vclinic} launcher sets to the project root. */
    public static final String PROPERTY = "vclinic.root";

    private ProjectRoot() {
    }

    /** The project root as an absolute, normalised path. */
    public static Path path() {
        return Path.of(System.getProperty(PROPERTY, ".")).toAbsolutePath().normalize();
    }
}
