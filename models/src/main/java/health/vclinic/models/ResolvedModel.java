package health.vclinic.models;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a model, chosen and verified by {@link ModelRepository#resolve(String)}: every
 * artifact its card lists was present with the listed sha256 when it was resolved.
 *
 * @param name the model's name
 * @param version the version, a positive integer
 * @param directory the version directory, {@code <root>/<name>/<version>}
 * @param card the version card: its artifacts and version-level fields
 * @param modelCard the model-level card: task, format and pinning
 */
public record ResolvedModel(String name, int version, Path directory, VersionCard card, ModelCard modelCard) {

    public ResolvedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(card, "card");
        Objects.requireNonNull(modelCard, "modelCard");
        if (!name.equals(modelCard.name())) {
            throw new ModelRepositoryException(
                    "model '" + name + "' has a card naming '" + modelCard.name() + "'");
        }
        if (version < 1) {
            throw new ModelRepositoryException("model '" + name + "': versions are positive integers, not " + version);
        }
    }

    /**
     * The file of a listed artifact.
     *
     * @param path as spelled in the card, e.g. {@code model.onnx}
     * @throws ModelRepositoryException when the card does not list it, so only verified files are
     *     ever loaded
     */
    public Path artifact(String path) {
        return card.artifact(path)
                .map(a -> directory.resolve(a.path()))
                .orElseThrow(() -> new ModelRepositoryException("model '" + name + "' version " + version
                        + " lists no artifact '" + path + "'; it lists " + card.artifacts().stream()
                                .map(VersionCard.Artifact::path).toList()));
    }

    /** How the artifacts are stored: the version card's {@code format}, else the model card's. */
    public Optional<String> format() {
        return card.format().or(modelCard::format);
    }

    /** {@code name@version}, e.g. {@code triage-acuity@3}: how predictions name the model that made them. */
    public String id() {
        return name + "@" + version;
    }
}
