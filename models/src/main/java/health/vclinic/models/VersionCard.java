package health.vclinic.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The card of one version, {@code <root>/<name>/<version>/model.json}: the artifact files that make
 * up the version, each with its sha256, plus whatever else training recorded. For example:
 *
 * <pre>{@code
 * {"format": "onnx", "artifacts": [{"path": "model.onnx", "sha256": "9f86d0...0f00a08"}]}
 * }</pre>
 *
 * <p>Like {@link ModelCard}, the card is its JSON tree; fields this module does not model yet
 * (metrics, data sha256, provenance) are kept in {@link #json()}.
 *
 * @param json the whole card, a JSON object with a non-empty {@code artifacts} array and an optional
 *     {@code format} string
 */
public record VersionCard(JsonNode json) {

    public VersionCard {
        Objects.requireNonNull(json, "json");
        Json.requireObject(json, "a version card");
        json = json.deepCopy();
        Json.optionalText(json, "format");
        artifacts(json);
    }

    /** The files of this version, in card order; at least one, no path twice. */
    public List<Artifact> artifacts() {
        return artifacts(json);
    }

    /** How the artifacts are stored, when this version says so itself. */
    public Optional<String> format() {
        return Json.optionalText(json, "format");
    }

    /** The listed artifact with this path, spelled as in the card. */
    public Optional<Artifact> artifact(String path) {
        return artifacts().stream().filter(a -> a.path().equals(path)).findFirst();
    }

    /** A copy of the whole card, unknown fields included; changing it does not change this card. */
    @Override
    public JsonNode json() {
        return json.deepCopy();
    }

    private static List<Artifact> artifacts(JsonNode json) {
        JsonNode array = json.get("artifacts");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new ModelRepositoryException(
                    "a version card must list its files: \"artifacts\": [{\"path\": ..., \"sha256\": ...}]");
        }
        List<Artifact> artifacts = new ArrayList<>(array.size());
        Set<String> paths = new HashSet<>();
        for (JsonNode entry : array) {
            Json.requireObject(entry, "each entry of \"artifacts\"");
            Artifact artifact = new Artifact(Json.requiredText(entry, "path"), Json.requiredText(entry, "sha256"));
            if (!paths.add(artifact.path())) {
                throw new ModelRepositoryException("artifact '" + artifact.path() + "' is listed twice");
            }
            artifacts.add(artifact);
        }
        return List.copyOf(artifacts);
    }

    /**
     * One file of a version and the sha256 its bytes must have.
     *
     * @param path relative to the version directory, '/'-separated and normalized: not absolute, no
     *     {@code ..} or {@code .} segments, so it cannot leave the version directory
     * @param sha256 64 hex digits, stored in lower case
     */
    public record Artifact(String path, String sha256) {
        public Artifact {
            requireInside(path);
            if (!Sha256.isSha256(sha256)) {
                throw new ModelRepositoryException(
                        "artifact '" + path + "' needs a sha256 of 64 hex digits, not \"" + sha256 + "\"");
            }
            sha256 = sha256.toLowerCase(Locale.ROOT);
        }

        /**
         * Accepts only the one canonical spelling of a path inside the version directory, so the
         * same file is never listed under two names and lookups by path are exact.
         */
        static void requireInside(String path) {
            Objects.requireNonNull(path, "path");
            String rejected = "artifact path '" + path + "' ";
            if (path.isBlank() || path.contains("\\") || path.startsWith("/") || !validOnThisSystem(path)) {
                throw new ModelRepositoryException(
                        rejected + "must be relative to the version directory, '/'-separated, e.g. \"model.onnx\"");
            }
            for (String segment : path.split("/", -1)) {
                if (segment.equals("..")) {
                    throw new ModelRepositoryException(rejected + "leaves the version directory ('..')");
                }
                if (segment.isEmpty() || segment.equals(".")) {
                    throw new ModelRepositoryException(
                            rejected + "must be normalized: no empty or '.' segments, no trailing '/'");
                }
            }
        }

        private static boolean validOnThisSystem(String path) {
            try {
                return !Path.of(path).isAbsolute();
            } catch (InvalidPathException e) {
                return false;
            }
        }
    }
}
