package health.vclinic.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reading a pipeline's JSON configuration file: one object, and only keys the pipeline knows. */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /**
     * @throws TrainingException when the file cannot be read or does not hold one JSON object
     */
    public static JsonNode readObject(ObjectMapper json, Path file) {
        JsonNode node;
        try {
            node = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new TrainingException("cannot read " + file + " as JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new TrainingException(file + " must hold one JSON object");
        }
        return node;
    }

    /**
     * @throws TrainingException listing every key of {@code object} that is not in {@code keys}
     */
    public static void rejectUnknownKeys(JsonNode object, Set<String> keys, Path file) {
        List<String> unknown = new ArrayList<>();
        object.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new TrainingException(file + ": unknown keys " + unknown + "; the keys are " + keys);
        }
    }
}
