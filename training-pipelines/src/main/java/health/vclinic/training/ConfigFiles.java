package health.vclinic.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.models.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Reading a pipeline's configuration file into its record with Jackson databind, strictly
 * ({@link StrictJson}): one JSON object with dash-case keys (the record component {@code batchSize} is
 * the key {@code batch-size}); a key left out keeps the default; an unknown key, a value of the wrong
 * type ({@code "epochs": "forty"}, {@code "seed": 2.9}) or out of range is refused with the key named.
 * Objects nest the same way: a file may set one key of a nested object and keep the others' defaults.
 */
public final class ConfigFiles {

    private static final JsonMapper JSON = StrictJson.mapper(PropertyNamingStrategies.KEBAB_CASE);

    private ConfigFiles() {
    }

    /**
     * The defaults, overridden by the keys of {@code file}.
     *
     * @throws TrainingException naming the file and the key that is unknown, of the wrong type or out of range
     */
    public static <T extends Record> T read(Path file, T defaults, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TrainingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString(), defaults, type);
    }

    /** As {@link #read}, from bytes; {@code source} names them in messages. */
    public static <T extends Record> T parse(byte[] bytes, String source, T defaults, Class<T> type) {
        try {
            JsonNode file = JSON.readTree(bytes);
            if (file == null || !file.isObject()) {
                throw new TrainingException(source + " must hold one JSON object");
            }
            ObjectNode merged = json(defaults);
            overlay(merged, (ObjectNode) file);
            return JSON.treeToValue(merged, type);
        } catch (JsonProcessingException e) {
            throw new TrainingException(source + ": " + StrictJson.describe(e), e);
        } catch (IOException e) {
            throw new TrainingException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** A configuration as a file would spell it (dash-case keys), as model cards record it. */
    public static ObjectNode json(Record config) {
        return JSON.valueToTree(config);
    }

    /**
     * Checks one value against its allowed range.
     *
     * @throws TrainingException naming {@code key} and the range when {@code ok} is false
     */
    public static void require(boolean ok, String key, String allowed, Object value) {
        if (!ok) {
            throw new TrainingException("'" + key + "' must be " + allowed + ", not " + value);
        }
    }

    /** Keys of {@code file} replace those of {@code base}; where both hold an object, key by key. */
    private static void overlay(ObjectNode base, ObjectNode file) {
        for (Iterator<Map.Entry<String, JsonNode>> it = file.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (base.get(e.getKey()) instanceof ObjectNode inner && e.getValue() instanceof ObjectNode value) {
                overlay(inner, value);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }
}
