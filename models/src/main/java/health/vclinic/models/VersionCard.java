package health.vclinic.models;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The card of one version, {@code <root>/<name>/<version>/model.json}: the artifact files that make
 * up the version, each with its sha256, the labels, the metrics and the provenance of the run that
 * made it, and the sections particular to the model's kind. The format is documented in
 * {@code models/CARD.md}. For example:
 *
 * <pre>{@code
 * {"format": "onnx", "artifacts": [{"path": "model.onnx", "sha256": "9f86d0...0f00a08"}],
 *  "labels": [1, 2, 3, 4, 5], "metrics": {...}, "provenance": {"git": {...}, "libraries": {...}}}
 * }</pre>
 *
 * <p>Read and written with Jackson databind ({@link StrictJson}, snake_case keys). The common part is
 * typed; the model-specific sections (a network's shape, a calibration, thresholds, the training
 * configuration...) are kept as JSON under their key, and only the keys of {@link #SECTIONS} are
 * allowed: an unknown top-level key is refused, so a misspelt {@code artifact} or a second copy of a
 * field under another name never loads silently.
 *
 * @param format how the artifacts are stored, when this version says so itself
 * @param artifacts the files of this version, in card order; at least one, no path twice
 * @param labels the model's output classes in output order: class names, or triage levels 1-5
 * @param metrics what training measured, by name (each a number, a string or an object of measures)
 * @param provenance the commit and library versions of the run that made this version
 * @param sections the model-specific top-level sections, by key (one of {@link #SECTIONS}), in file order
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record VersionCard(Optional<String> format, List<Artifact> artifacts, Optional<List<Object>> labels,
                          Optional<Map<String, JsonNode>> metrics, Optional<Provenance> provenance,
                          @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> sections) {

    /**
     * The model-specific sections a card may have, in the order a card is written (the common part
     * comes first). Triage: {@code task, description, intended_use, created_by, model, onnx, features,
     * calibration, decision_rule, explanation, data, config, seed, tribuo_provenance}. Chest X-ray:
     * {@code finding, architecture, preprocessing, calibration, operating_point, saliency, data,
     * training}. ECG beats: {@code architecture, network, abnormal, data, training}. Monitoring forest:
     * {@code feature_version, features, resolution_minutes, thresholds, feature_median, feature_scale,
     * forest, data, split, training}.
     */
    public static final List<String> SECTIONS = List.of(
            "task", "description", "intended_use", "created_by", "finding", "model", "onnx", "architecture",
            "network", "feature_version", "features", "resolution_minutes", "thresholds", "feature_median",
            "feature_scale", "forest", "preprocessing", "calibration", "operating_point", "decision_rule",
            "explanation", "saliency", "abnormal", "data", "split", "config", "seed", "training",
            "tribuo_provenance");

    public VersionCard {
        format = Json.optional(format, "format");
        artifacts = checked(artifacts);
        labels = labels == null ? Optional.empty() : labels.map(List::copyOf);
        metrics = metrics == null ? Optional.empty()
                : metrics.map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m)));
        provenance = provenance == null ? Optional.empty() : provenance;
        Map<String, JsonNode> given = sections == null ? Map.of() : sections;
        for (String key : given.keySet()) {
            if (!SECTIONS.contains(key)) {
                throw new ModelRepositoryException("unknown key '" + key + "'; a version card has format, artifacts,"
                        + " labels, metrics, provenance and the sections " + SECTIONS.stream().sorted().toList());
            }
        }
        // The documented order, not the order of the map handed in: the same card always writes the same bytes.
        Map<String, JsonNode> ordered = new LinkedHashMap<>();
        for (String key : SECTIONS) {
            if (given.get(key) != null) {
                ordered.put(key, given.get(key).deepCopy());
            }
        }
        sections = Collections.unmodifiableMap(ordered);
    }

    /**
     * Reads a card file strictly.
     *
     * @throws ModelRepositoryException naming the file and the key that is unknown, mistyped or invalid
     */
    public static VersionCard read(Path file) {
        return Json.read(file, VersionCard.class);
    }

    /** A card from a JSON tree, as strictly as {@link #read}. */
    public static VersionCard fromJson(JsonNode json) {
        return Json.fromTree(json, VersionCard.class);
    }

    /** The listed artifact with this path, spelled as in the card. */
    public Optional<Artifact> artifact(String path) {
        return artifacts.stream().filter(a -> a.path().equals(path)).findFirst();
    }

    /** One model-specific section, when the card has it. */
    public Optional<JsonNode> section(String key) {
        return Optional.ofNullable(sections.get(key)).map(JsonNode::deepCopy);
    }

    /** The card as a JSON tree, as it is written; changing it does not change this card. */
    public JsonNode json() {
        return Json.tree(this);
    }

    /** The card as written to {@code model.json}: pretty JSON, two-space indent, LF line ends, final newline. */
    public byte[] bytes() {
        return Json.bytes(this);
    }

    private static List<Artifact> checked(List<Artifact> artifacts) {
        if (artifacts == null || artifacts.isEmpty()) {
            throw new ModelRepositoryException(
                    "a version card must list its files: \"artifacts\": [{\"path\": ..., \"sha256\": ...}]");
        }
        Set<String> paths = new HashSet<>();
        for (Artifact artifact : artifacts) {
            Objects.requireNonNull(artifact, "an entry of \"artifacts\" is null");
            if (!paths.add(artifact.path())) {
                throw new ModelRepositoryException("artifact '" + artifact.path() + "' is listed twice");
            }
        }
        return List.copyOf(artifacts);
    }

    /**
     * Who made this version with what.
     *
     * @param git the commit of the sources that trained it
     * @param libraries the version of each library that computed the model or its metrics, by name
     * @param reproduce how to rerun the training and what a rerun gives
     * @param timestamps why the card carries no time (runs are reproducible byte for byte)
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Provenance(Git git, Map<String, String> libraries, Optional<String> reproduce,
                             Optional<String> timestamps) {
        public Provenance {
            Objects.requireNonNull(git, "provenance.git");
            libraries = libraries == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(libraries));
            reproduce = Json.optional(reproduce, "provenance.reproduce");
            timestamps = Json.optional(timestamps, "provenance.timestamps");
        }
    }

    /**
     * @param commit the commit hash, or {@code unknown} outside a git checkout
     * @param sourcesModified whether the training sources differed from that commit
     * @param sourcesChecked the paths compared with the commit, space-separated
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Git(String commit, Optional<Boolean> sourcesModified, Optional<String> sourcesChecked) {
        public Git {
            Json.required(commit, "provenance.git.commit");
            sourcesModified = sourcesModified == null ? Optional.empty() : sourcesModified;
            sourcesChecked = Json.optional(sourcesChecked, "provenance.git.sources_checked");
        }
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
