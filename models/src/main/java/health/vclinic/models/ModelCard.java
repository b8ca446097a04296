package health.vclinic.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The model-level card, {@code <root>/<name>/model.json}: what the model is for and, when it pins
 * one, which version to serve. The format is documented in {@code models/CARD.md}. For example:
 *
 * <pre>{@code
 * {"name": "triage-acuity", "task": "triage-acuity", "format": "onnx", "pinned_version": 2}
 * }</pre>
 *
 * <p>Read and written with Jackson databind ({@link StrictJson}, snake_case keys): unknown keys,
 * duplicate keys and values of the wrong type are refused with the key named.
 *
 * @param name the model's name, also its directory name: no '/', '\', '.' or '..'
 * @param task what the model predicts, e.g. {@code triage-acuity} or {@code ecg-beat-classification}
 * @param format how the artifacts are stored ({@code onnx}, {@code djl-pytorch},
 *     {@code smile-isolation-forest}); a version card may override it (see {@link ResolvedModel#format()})
 * @param description what the model does, in a sentence or two
 * @param intendedUse who uses its output for what ({@code intended_use})
 * @param data where the training data comes from, with its citation
 * @param pinnedVersion the version to serve instead of the highest one ({@code pinned_version}), at least 1
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ModelCard(String name, String task, Optional<String> format, Optional<String> description,
                        Optional<String> intendedUse, Optional<String> data, OptionalInt pinnedVersion) {

    public ModelCard {
        validName(Json.required(name, "name"));
        Json.required(task, "task");
        format = Json.optional(format, "format");
        description = Json.optional(description, "description");
        intendedUse = Json.optional(intendedUse, "intended_use");
        data = Json.optional(data, "data");
        pinnedVersion = pinnedVersion == null ? OptionalInt.empty() : pinnedVersion;
        if (pinnedVersion.isPresent() && pinnedVersion.getAsInt() < 1) {
            throw new ModelRepositoryException("\"pinned_version\" must be a positive integer naming a version"
                    + " directory, e.g. 2, not " + pinnedVersion.getAsInt());
        }
    }

    /** A card with just a name, a task and a format. */
    public static ModelCard of(String name, String task, String format, String description, String intendedUse,
                               String data) {
        return new ModelCard(name, task, Optional.of(format), Optional.of(description), Optional.of(intendedUse),
                Optional.of(data), OptionalInt.empty());
    }

    /**
     * Reads a card file strictly.
     *
     * @throws ModelRepositoryException naming the file and the key that is unknown, mistyped or invalid
     */
    public static ModelCard read(Path file) {
        return Json.read(file, ModelCard.class);
    }

    /** A card from a JSON tree, as strictly as {@link #read}. */
    public static ModelCard fromJson(JsonNode json) {
        return Json.fromTree(json, ModelCard.class);
    }

    /** The card as a JSON tree, as it is written; changing it does not change this card. */
    public JsonNode json() {
        return Json.tree(this);
    }

    /** The card as written to {@code model.json}: pretty JSON, two-space indent, LF line ends, final newline. */
    public byte[] bytes() {
        return Json.bytes(this);
    }

    private static void validName(String name) {
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")) {
            throw new ModelRepositoryException(
                    "\"name\" must be usable as a directory name (no '/', '\\', '.' or '..'), not \"" + name + "\"");
        }
    }
}
