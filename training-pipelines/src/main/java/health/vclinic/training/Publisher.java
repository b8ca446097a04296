package health.vclinic.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.models.ModelCard;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.VersionCard;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Publishes a new version into a model repository the way {@link ModelRepository} expects: the next
 * free version directory, the artifact first, the version card (listing the artifact's sha256) last,
 * so a reader never sees a card whose artifact is not yet complete. Cards are written by their records
 * ({@link ModelCard#bytes()}, {@link VersionCard#bytes()}): two-space indent, LF line ends, a final newline.
 */
public final class Publisher {

    private Publisher() {
    }

    /**
     * @param modelCard the model-level card, written only when the model has none yet
     * @param card the version card, artifacts listed
     * @return the directory of the new version
     */
    public static Path publish(Path repositoryRoot, ModelCard modelCard, String artifact, byte[] bytes,
                               VersionCard card) {
        Path modelDir = repositoryRoot.resolve(modelCard.name());
        try {
            Files.createDirectories(modelDir);
            Path modelCardFile = modelDir.resolve(ModelRepository.CARD_FILE);
            if (!Files.exists(modelCardFile)) {
                Files.write(modelCardFile, modelCard.bytes());
            }
            Path dir = nextVersion(modelDir);
            Files.write(dir.resolve(artifact), bytes);
            Files.write(dir.resolve(ModelRepository.CARD_FILE), card.bytes());
            return dir;
        } catch (IOException e) {
            throw new TrainingException("cannot publish into " + modelDir + ": " + e, e);
        }
    }

    /**
     * The same for a writer that assembles its cards as JSON trees: both are first read into their
     * records as strictly as the repository reads them, so a card that would not load is never written.
     */
    public static Path publish(Path repositoryRoot, ObjectNode modelCard, String artifact, byte[] bytes, JsonNode card) {
        return publish(repositoryRoot, ModelCard.fromJson(modelCard), artifact, bytes, VersionCard.fromJson(card));
    }

    /** Creates the directory after the highest numbered one, unfinished versions included. */
    private static Path nextVersion(Path modelDir) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int highest = 0;
            try (Stream<Path> children = Files.list(modelDir)) {
                for (Path p : children.toList()) {
                    String n = p.getFileName().toString();
                    if (n.matches("[1-9][0-9]{0,8}")) {
                        highest = Math.max(highest, Integer.parseInt(n));
                    }
                }
            }
            try {
                return Files.createDirectory(modelDir.resolve(Integer.toString(highest + 1)));
            } catch (FileAlreadyExistsException e) {
                // Another run published at the same moment; take the next number.
            }
        }
        throw new TrainingException("cannot find a free version directory under " + modelDir);
    }
}
