package health.vclinic.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The model-level card, {@code <root>/<name>/model.json}: what the model is for and, when it pins
 * one, which version to serve. For example:
 *
 * <pre>{@code
 * {"name": "triage-acuity", "task": "triage-acuity", "format": "onnx", "pinned_version": 2}
 * }</pre>
 *
 * <p>The card is its JSON tree; the accessors read the fields this module understands, validated
 * once when the card is built. Fields it does not model yet (features, labels, metrics, provenance)
 * are kept and reachable through {@link #json()}, so a newer card still loads here.
 *
 * @param json the whole card, a JSON object with a non-blank {@code name} and {@code task}; an
 *     optional {@code format} string and an optional positive integer {@code pinned_version}
 */
public record ModelCard(JsonNode json) {

    public ModelCard {
        Objects.requireNonNull(json, "json");
        Json.requireObject(json, "a model card");
        json = json.deepCopy();
        validName(Json.requiredText(json, "name"));
        Json.requiredText(json, "task");
        Json.optionalText(json, "format");
        pinnedVersion(json);
    }

    /** The model's name, which is also its directory name in the repository. */
    public String name() {
        return json.get("name").asText();
    }

    /** What the model predicts, e.g. {@code triage-acuity} or {@code ecg-beat}. */
    public String task() {
        return json.get("task").asText();
    }

    /**
     * How the artifacts are stored, e.g. {@code onnx}, {@code djl-pytorch}, {@code tribuo}; a
     * version card may override it (see {@link ResolvedModel#format()}).
     */
    public Optional<String> format() {
        return Json.optionalText(json, "format");
    }

    /** The version to serve instead of the highest one ({@code pinned_version}), if the card pins one. */
    public OptionalInt pinnedVersion() {
        return pinnedVersion(json);
    }

    /** A copy of the whole card, unknown fields included; changing it does not change this card. */
    @Override
    public JsonNode json() {
        return json.deepCopy();
    }

    private static OptionalInt pinnedVersion(JsonNode json) {
        JsonNode node = json.get("pinned_version");
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (!node.isInt() || node.intValue() < 1) {
            throw new ModelRepositoryException(
                    "\"pinned_version\" must be a positive integer naming a version directory, e.g. 2, not " + node);
        }
        return OptionalInt.of(node.intValue());
    }

    private static void validName(String name) {
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
            throw new ModelRepositoryException(
                    "\"name\" must be usable as a directory name (no '/', '\\', '.' or '..'), not \"" + name + "\"");
        }
    }
}
