package health.vclinic.training;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.models.ModelRepository;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Publishes a new version into a model repository the way {@link ModelRepository} expects: the next
 * free version directory, the artifact first, the version card (listing the artifact's sha256) last,
 * so a reader never sees a card whose artifact is not yet complete.
 */
public final class Publisher {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two-space indent and LF line ends on every platform, so cards are byte-identical everywhere. */
    private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private Publisher() {
    }

    /**
     * @param modelCard the model-level card, written only when the model has none yet
     * @param card the version card, artifacts listed
     * @return the directory of the new version
     */
    public static Path publish(Path repositoryRoot, ObjectNode modelCard, String artifact, byte[] bytes, JsonNode card) {
        String name = modelCard.get("name").asText();
        Path modelDir = repositoryRoot.resolve(name);
        try {
            Files.createDirectories(modelDir);
            Path modelCardFile = modelDir.resolve(ModelRepository.CARD_FILE);
            if (!Files.exists(modelCardFile)) {
                Files.write(modelCardFile, json(modelCard));
            }
            Path dir = nextVersion(modelDir);
            Files.write(dir.resolve(artifact), bytes);
            Files.write(dir.resolve(ModelRepository.CARD_FILE), json(card));
            return dir;
        } catch (IOException e) {
            throw new TrainingException("cannot publish into " + modelDir + ": " + e, e);
        }
    }

    /** The card as written: pretty JSON with LF line ends and a final newline. */
    public static byte[] json(JsonNode node) {
        try {
            return (WRITER.writeValueAsString(node) + "\n").getBytes(UTF_8);
        } catch (IOException e) {
            throw new TrainingException("cannot write a card as JSON", e);
        }
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
