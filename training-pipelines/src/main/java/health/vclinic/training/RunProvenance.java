package health.vclinic.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.tribuo.Model;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;

/**
 * What a model card records about how its model was made, beyond data and config: the git commit,
 * library versions, and Tribuo's own provenance as JSON.
 *
 * <p>No wall-clock time is recorded anywhere, so a rerun on the same inputs writes the same bytes:
 * Tribuo's provenance holds timestamps (when a model was trained, when a data source was created),
 * and {@link #tribuoProvenance} replaces each with {@value #REMOVED_TIME}.
 */
public final class RunProvenance {

    /** What replaces every timestamp in Tribuo's provenance. */
    static final String REMOVED_TIME = "(removed: runs are reproducible byte for byte)";
    /**
     * The source folders whose uncommitted changes could change a trained model: models/ only for its code,
     * not models/repository, where a run publishes what it trained.
     */
    static final List<String> SOURCES = List.of("pom.xml", "datasets", "models/pom.xml", "models/src", "inference",
            "training-pipelines");

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunProvenance() {
    }

    /** Tribuo's provenance of {@code model} as JSON (OLCUT's marshalled form), timestamps removed. */
    static JsonNode tribuoProvenance(Model<Label> model) {
        String json = new JsonProvenanceSerialization(false).marshalAndSerialize(model.getProvenance());
        try {
            JsonNode tree = JSON.readTree(json);
            scrubTimes(tree);
            return tree;
        } catch (IOException e) {
            throw new TrainingException("Tribuo's provenance is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static void scrubTimes(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode type = object.get("provenance-class");
            if (type != null && type.asText().endsWith("DateTimeProvenance")) {
                object.put("value", REMOVED_TIME);
            }
        }
        node.forEach(RunProvenance::scrubTimes);
    }

    /**
     * The commit the project is at and whether the pipeline's sources differ from it.
     *
     * @return {@code {"commit": ..., "sources_modified": ...}}; "unknown" without git
     */
    public static ObjectNode git(Path projectRoot) {
        ObjectNode git = JSON.createObjectNode();
        String commit = run(projectRoot, "git", "rev-parse", "HEAD");
        git.put("commit", commit.isEmpty() ? "unknown" : commit);
        if (!commit.isEmpty()) {
            List<String> status = new ArrayList<>(List.of("git", "status", "--porcelain", "--"));
            status.addAll(SOURCES);
            git.put("sources_modified", !run(projectRoot, status.toArray(String[]::new)).isEmpty());
            git.put("sources_checked", String.join(" ", SOURCES));
        }
        return git;
    }

    /** The versions of everything that computes the model or its metrics. */
    static ObjectNode libraries(String onnxRuntimeVersion) {
        ObjectNode libraries = JSON.createObjectNode();
        libraries.put("tribuo", Tribuo.VERSION);
        libraries.put("onnxruntime", onnxRuntimeVersion);
        libraries.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        libraries.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return libraries;
    }

    private static String run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            process.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = process.getInputStream()) {
                in.transferTo(out);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                return "";
            }
            return process.exitValue() == 0 ? out.toString(StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
