package health.vclinic.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of versioned models, laid out as Triton and KServe model repositories are:
 *
 * <pre>
 * &lt;root&gt;/
 *   triage-acuity/
 *     model.json          model card: name, task, optional format and pinned_version
 *     1/model.json        version card: artifacts with their sha256, plus metrics, provenance...
 *     1/model.onnx
 *     2/...               the highest version is served unless the model card pins one
 * </pre>
 *
 * <p>{@link #open(Path)} lists the models and versions once; the listing is a snapshot, so a version
 * published later is served only after the repository is opened again. Cards and artifacts are read
 * when a version is resolved, and every artifact is checked against its sha256 then.
 *
 * <p>A version directory counts only when its name is a positive integer and it holds a
 * {@code model.json}: publishers write the card last, so a directory without one is an unfinished
 * publish. Directories that do not count are never used, and {@link #skipped()} says why. A card
 * that exists but is malformed is not skipped: resolving that version fails, so a broken version is
 * never quietly replaced by an older one.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ModelRepository {

    /** Where the service looks for its repository by default, relative to the project root. */
    public static final Path DEFAULT_RELATIVE_ROOT = Path.of("models", "repository");

    /** The file name of both the model card and each version card. */
    public static final String CARD_FILE = "model.json";

    /** Canonical decimal only, so "01" and "1" cannot both claim version 1. */
    private static final Pattern VERSION_NAME = Pattern.compile("[1-9][0-9]{0,9}");

    /**
     * A directory that was not used as a model or a version.
     *
     * @param path the directory
     * @param reason why it was not used and how to make it count
     */
    public record Skipped(Path path, String reason) {
        public Skipped {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final Path root;
    private final SortedMap<String, SortedMap<Integer, Path>> models;
    private final List<Skipped> skipped;

    private ModelRepository(Path root, SortedMap<String, SortedMap<Integer, Path>> models, List<Skipped> skipped) {
        this.root = root;
        this.models = models;
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Lists the models and versions under {@code root}.
     *
     * @throws ModelRepositoryException when {@code root} is not a readable directory
     */
    public static ModelRepository open(Path root) {
        Objects.requireNonNull(root, "root");
        Path absolute = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new ModelRepositoryException("model repository " + absolute
                    + " is not a directory; create it or point the service at an existing repository");
        }
        SortedMap<String, SortedMap<Integer, Path>> models = new TreeMap<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Path modelDir : directories(absolute)) {
            if (!Files.isRegularFile(modelDir.resolve(CARD_FILE))) {
                skipped.add(new Skipped(modelDir, "no " + CARD_FILE + " model card (with name and task)"));
                continue;
            }
            SortedMap<Integer, Path> versions = new TreeMap<>();
            for (Path versionDir : directories(modelDir)) {
                versionOf(versionDir, skipped).ifPresent(v -> versions.put(v, versionDir));
            }
            models.put(modelDir.getFileName().toString(), Collections.unmodifiableSortedMap(versions));
        }
        return new ModelRepository(absolute, Collections.unmodifiableSortedMap(models), skipped);
    }

    /** The repository directory, absolute. */
    public Path root() {
        return root;
    }

    /** The models, by name in ascending order. */
    public List<String> names() {
        return List.copyOf(models.keySet());
    }

    /**
     * The usable versions of a model, ascending.
     *
     * @throws ModelRepositoryException naming the model when the repository has no such model
     */
    public List<Integer> versions(String name) {
        return List.copyOf(versionsOf(name).keySet());
    }

    /** The directories that were not used as models or versions, each with the reason. */
    public List<Skipped> skipped() {
        return skipped;
    }

    /**
     * Reads a model's card.
     *
     * @throws ModelRepositoryException when the model is unknown or its card is malformed
     */
    public ModelCard card(String name) {
        versionsOf(name);
        Path file = root.resolve(name).resolve(CARD_FILE);
        ModelCard card = parse(file, () -> ModelCard.read(file));
        if (!card.name().equals(name)) {
            throw new ModelRepositoryException(file + " names the model '" + card.name()
                    + "' but lies in the directory '" + name + "'; make them agree");
        }
        return card;
    }

    /**
     * Resolves the version to serve: the one the model card pins, else the highest.
     *
     * @throws ModelRepositoryException when the model is unknown, has no usable version, pins a
     *     version it does not have, or fails {@link #resolve(String, int) verification}
     */
    public ResolvedModel resolve(String name) {
        ModelCard card = card(name);
        SortedMap<Integer, Path> versions = versionsOf(name);
        OptionalInt pinned = card.pinnedVersion();
        if (pinned.isPresent() && !versions.containsKey(pinned.getAsInt())) {
            throw new ModelRepositoryException("model '" + name + "' pins version " + pinned.getAsInt()
                    + " in its " + CARD_FILE + ", but that version is not in the repository (versions: "
                    + versions.keySet() + skipReason(name, pinned.getAsInt())
                    + "); publish it or change pinned_version");
        }
        if (versions.isEmpty()) {
            throw new ModelRepositoryException("model '" + name + "' has no usable version under "
                    + root.resolve(name) + "; a version is a directory named 1, 2, ... holding a " + CARD_FILE
                    + skippedUnder(name));
        }
        return resolve(card, pinned.orElse(versions.lastKey()));
    }

    /**
     * Resolves one version and verifies it: its card lists at least one artifact, every artifact
     * lies inside the version directory, exists, and has the sha256 the card lists.
     *
     * @throws ModelRepositoryException naming the model, version and, for an artifact, the file
     */
    public ResolvedModel resolve(String name, int version) {
        return resolve(card(name), version);
    }

    private ResolvedModel resolve(ModelCard modelCard, int version) {
        String name = modelCard.name();
        Path dir = versionsOf(name).get(version);
        if (dir == null) {
            throw new ModelRepositoryException("model '" + name + "' has no version " + version
                    + " (versions: " + versionsOf(name).keySet() + skipReason(name, version) + ")");
        }
        Path file = dir.resolve(CARD_FILE);
        String where = "model '" + name + "' version " + version;
        VersionCard card = parse(file, () -> VersionCard.read(file));
        for (VersionCard.Artifact artifact : card.artifacts()) {
            verify(where, dir, artifact);
        }
        return new ResolvedModel(name, version, dir, card, modelCard);
    }

    private static void verify(String where, Path dir, VersionCard.Artifact artifact) {
        Path file = dir.resolve(artifact.path()).normalize();
        if (!file.startsWith(dir)) {
            // The card's path rules already exclude this; kept so a rule change cannot open a hole.
            throw new ModelRepositoryException(where + ": artifact '" + artifact.path() + "' lies outside " + dir);
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelRepositoryException(where + ": artifact '" + artifact.path() + "' listed in its "
                    + CARD_FILE + " is missing (expected the file " + file + ")");
        }
        String actual = Sha256.sha256(file);
        if (!actual.equals(artifact.sha256())) {
            throw new ModelRepositoryException(where + ": artifact '" + artifact.path() + "' has sha256 " + actual
                    + " but its " + CARD_FILE + " lists " + artifact.sha256()
                    + "; the file changed after the card was written: restore it or publish a new version");
        }
    }

    private SortedMap<Integer, Path> versionsOf(String name) {
        Objects.requireNonNull(name, "name");
        SortedMap<Integer, Path> versions = models.get(name);
        if (versions == null) {
            throw new ModelRepositoryException("no model '" + name + "' in " + root + " (models: " + models.keySet()
                    + skipped.stream().filter(s -> s.path().equals(root.resolve(name))).map(s -> "; '" + name
                            + "' skipped: " + s.reason()).findFirst().orElse("") + ")");
        }
        return versions;
    }

    private String skipReason(String name, int version) {
        Path dir = root.resolve(name).resolve(Integer.toString(version));
        return skipped.stream().filter(s -> s.path().equals(dir))
                .map(s -> "; " + version + " skipped: " + s.reason()).findFirst().orElse("");
    }

    private String skippedUnder(String name) {
        Path modelDir = root.resolve(name);
        List<String> names = skipped.stream().filter(s -> modelDir.equals(s.path().getParent()))
                .map(s -> s.path().getFileName() + " (" + s.reason() + ")").toList();
        return names.isEmpty() ? "" : "; skipped: " + String.join(", ", names);
    }

    private static Optional<Integer> versionOf(Path dir, List<Skipped> skipped) {
        String dirName = dir.getFileName().toString();
        if (!VERSION_NAME.matcher(dirName).matches() || Long.parseLong(dirName) > Integer.MAX_VALUE) {
            skipped.add(new Skipped(dir, "not a version: version directories are named by positive integers"
                    + " without leading zeros (1, 2, ...)"));
            return Optional.empty();
        }
        if (!Files.isRegularFile(dir.resolve(CARD_FILE))) {
            skipped.add(new Skipped(dir, "no " + CARD_FILE + " version card; the version is unfinished until"
                    + " its card, listing each artifact's sha256, is written"));
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(dirName));
    }

    private static List<Path> directories(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot list " + dir + ": " + e, e);
        }
    }

    private static <T> T parse(Path file, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ModelRepositoryException e) {
            String message = e.getMessage();
            throw new ModelRepositoryException(
                    message.startsWith(file.toString()) ? message : file + ": " + message, e);
        }
    }

    @Override
    public String toString() {
        return "ModelRepository[" + root + ", models " + models.keySet() + "]";
    }
}
