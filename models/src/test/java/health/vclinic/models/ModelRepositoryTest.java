package health.vclinic.models;

import static health.vclinic.models.Sha256.sha256;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelRepositoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA_OF_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @TempDir
    Path root;

    @Test
    void servesTheHighestVersionComparedAsNumbers() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\", \"format\": \"onnx\"}");
        for (int v : new int[] {2, 10, 9}) {
            publish("triage-acuity", v, Map.of("model.onnx", "weights v" + v));
        }

        ModelRepository repository = ModelRepository.open(root);
        ResolvedModel served = repository.resolve("triage-acuity");

        assertAll(
                () -> assertEquals(List.of(2, 9, 10), repository.versions("triage-acuity")),
                () -> assertEquals(10, served.version()),
                () -> assertEquals("triage-acuity@10", served.id()),
                () -> assertEquals(root.resolve("triage-acuity/10").toAbsolutePath(), served.directory()),
                () -> assertEquals("weights v10", Files.readString(served.artifact("model.onnx"))),
                () -> assertEquals(Optional.of("onnx"), served.format()),
                () -> assertEquals("triage-acuity", served.modelCard().task()),
                () -> assertTrue(repository.skipped().isEmpty()));
    }

    @Test
    void servesThePinnedVersion() throws IOException {
        model("ecg-beat", "{\"name\": \"ecg-beat\", \"task\": \"ecg-beat\", \"pinned_version\": 1}");
        publish("ecg-beat", 1, Map.of("model/ecg.params", "v1"));
        publish("ecg-beat", 2, Map.of("model/ecg.params", "v2"));

        ModelRepository repository = ModelRepository.open(root);

        assertAll(
                () -> assertEquals(OptionalInt.of(1), repository.card("ecg-beat").pinnedVersion()),
                () -> assertEquals(1, repository.resolve("ecg-beat").version()),
                () -> assertEquals("v1", Files.readString(repository.resolve("ecg-beat").artifact("model/ecg.params"))),
                () -> assertEquals(2, repository.resolve("ecg-beat", 2).version()));
    }

    @Test
    void pinningAMissingVersionFailsNamingModelAndVersion() throws IOException {
        model("cxr-pneumonia", "{\"name\": \"cxr-pneumonia\", \"task\": \"cxr\", \"pinned_version\": 3}");
        publish("cxr-pneumonia", 1, Map.of("model.onnx", "v1"));

        ModelRepository repository = ModelRepository.open(root);
        var e = assertThrows(ModelRepositoryException.class, () -> repository.resolve("cxr-pneumonia"));

        assertTrue(e.getMessage().contains("'cxr-pneumonia' pins version 3"), e.getMessage());
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
    }

    @Test
    void pinningAnUnfinishedVersionSaysWhyItIsMissing() throws IOException {
        model("cxr-pneumonia", "{\"name\": \"cxr-pneumonia\", \"task\": \"cxr\", \"pinned_version\": 2}");
        publish("cxr-pneumonia", 1, Map.of("model.onnx", "v1"));
        Files.createDirectories(root.resolve("cxr-pneumonia/2"));

        var e = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("cxr-pneumonia"));

        assertTrue(e.getMessage().contains("pins version 2"), e.getMessage());
        assertTrue(e.getMessage().contains("no model.json version card"), e.getMessage());
    }

    @Test
    void tamperedArtifactFailsNamingTheFileButNotItsBytes() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        Path dir = publish("triage-acuity", 1, Map.of("model.onnx", "original weights", "labels.txt", "a"));
        Files.writeString(dir.resolve("model.onnx"), "tampered weights");

        var e = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("triage-acuity"));

        assertAll(
                () -> assertTrue(e.getMessage().contains("'triage-acuity' version 1"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains("'model.onnx'"), e.getMessage()),
                () -> assertTrue(e.getMessage().contains(sha256("original weights".getBytes(UTF_8))), e.getMessage()),
                () -> assertFalse(e.getMessage().contains("tampered weights"), e.getMessage()));
    }

    @Test
    void missingArtifactFailsNamingTheFile() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        Path dir = publish("triage-acuity", 4, Map.of("model.onnx", "weights"));
        Files.delete(dir.resolve("model.onnx"));

        var e = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("triage-acuity", 4));

        assertTrue(e.getMessage().contains("'triage-acuity' version 4: artifact 'model.onnx'"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../secret.bin", "/etc/passwd", "sub/../../secret.bin", "./model.onnx", "sub//x", "a\\b"})
    void artifactPathsMustStayInsideTheVersionDirectory(String path) throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        Files.writeString(root.resolve("secret.bin"), "secret");
        Path dir = Files.createDirectories(root.resolve("triage-acuity/1"));
        writeCard(dir, List.of(Map.of("path", path, "sha256", sha256("secret".getBytes(UTF_8)))), Map.of());

        ModelRepository repository = ModelRepository.open(root);
        var e = assertThrows(ModelRepositoryException.class, () -> repository.resolve("triage-acuity"));

        assertTrue(e.getMessage().contains("artifact path '" + path + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("model.json").toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void artifactRefusesPathsTheCardDoesNotList() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        publish("triage-acuity", 1, Map.of("model.onnx", "weights"));
        ResolvedModel resolved = ModelRepository.open(root).resolve("triage-acuity");

        var e = assertThrows(ModelRepositoryException.class, () -> resolved.artifact("other.onnx"));

        assertTrue(e.getMessage().contains("no artifact 'other.onnx'"), e.getMessage());
    }

    @Test
    void skipsAndReportsDirectoriesThatAreNotVersions() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        publish("triage-acuity", 1, Map.of("model.onnx", "v1"));
        publish("triage-acuity", 2, Map.of("model.onnx", "v2"));
        for (String notVersion : List.of("latest", "0", "03", "-1", "99999999999")) {
            publish("triage-acuity", notVersion, Map.of("model.onnx", "x"));
        }
        Files.createDirectories(root.resolve("triage-acuity/3"));
        Files.writeString(root.resolve("triage-acuity/3/model.onnx"), "unfinished");
        Files.createDirectories(root.resolve("no-card/1"));
        Files.writeString(root.resolve("README.md"), "files at the root are not models");

        ModelRepository repository = ModelRepository.open(root);
        Map<Path, String> skipped = repository.skipped().stream()
                .collect(java.util.stream.Collectors.toMap(s -> root.relativize(s.path()), ModelRepository.Skipped::reason));

        assertAll(
                () -> assertEquals(List.of("triage-acuity"), repository.names()),
                () -> assertEquals(List.of(1, 2), repository.versions("triage-acuity")),
                () -> assertEquals(2, repository.resolve("triage-acuity").version()),
                () -> assertEquals(7, skipped.size(), skipped.toString()),
                () -> assertTrue(skipped.get(Path.of("triage-acuity/latest")).contains("not a version")),
                () -> assertTrue(skipped.get(Path.of("triage-acuity/03")).contains("not a version")),
                () -> assertTrue(skipped.get(Path.of("triage-acuity/0")).contains("not a version")),
                () -> assertTrue(skipped.get(Path.of("triage-acuity/3")).contains("no model.json version card")),
                () -> assertTrue(skipped.get(Path.of("no-card")).contains("no model.json model card")));
        var e = assertThrows(ModelRepositoryException.class, () -> repository.resolve("triage-acuity", 3));
        assertTrue(e.getMessage().contains("no version 3"), e.getMessage());
        assertTrue(e.getMessage().contains("no model.json version card"), e.getMessage());
    }

    @Test
    void readsTheTypedCommonPartAndKeepsModelSpecificSections() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        Path dir = Files.createDirectories(root.resolve("triage-acuity/1"));
        Files.writeString(dir.resolve("model.onnx"), "weights");
        writeCard(dir, List.of(Map.of("path", "model.onnx", "sha256", sha256("weights".getBytes(UTF_8)))),
                Map.of("format", "tribuo", "labels", List.of(1, 2, 3, 4, 5), "metrics", Map.of("auroc", 0.91),
                        "provenance", Map.of("git", Map.of("commit", "c648167"), "libraries", Map.of("java", "25")),
                        "calibration", Map.of("temperature", 1.12)));

        ResolvedModel resolved = ModelRepository.open(root).resolve("triage-acuity");
        JsonNode json = resolved.card().json();
        ((ObjectNode) json).put("format", "changed");

        assertAll(
                () -> assertEquals(List.of(1, 2, 3, 4, 5), resolved.card().labels().orElseThrow()),
                () -> assertEquals(0.91, resolved.card().metrics().orElseThrow().get("auroc").asDouble()),
                () -> assertEquals("c648167", resolved.card().provenance().orElseThrow().git().commit()),
                () -> assertEquals(1.12, resolved.card().section("calibration").orElseThrow().get("temperature").asDouble()),
                () -> assertEquals(Optional.of("tribuo"), resolved.format(), "the version card's format wins"),
                () -> assertEquals(Optional.of("tribuo"), resolved.card().format(), "json() is a copy"));
    }

    @Test
    void unknownOrMistypedCardKeysAreRefusedNamingTheKey() throws IOException {
        model("a", "{\"name\": \"a\", \"task\": \"t\", \"labels\": [1]}");
        assertTrue(assertThrows(ModelRepositoryException.class, () -> ModelRepository.open(root).card("a"))
                .getMessage().contains("unknown key 'labels'"));

        model("b", "{\"name\": \"b\", \"task\": \"t\"}");
        Path dir = Files.createDirectories(root.resolve("b/1"));
        Files.writeString(dir.resolve("m.bin"), "x");
        List<Map<String, String>> artifacts = List.of(Map.of("path", "m.bin", "sha256", sha256("x".getBytes(UTF_8))));
        writeCard(dir, artifacts, Map.of("artifact", "m.bin"));
        ModelRepositoryException unknown = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("b"));
        assertTrue(unknown.getMessage().contains("unknown key 'artifact'"), unknown.getMessage());

        writeCard(dir, artifacts, Map.of("provenance", Map.of("git", Map.of("commit", 5))));
        ModelRepositoryException mistyped = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("b"));
        assertTrue(mistyped.getMessage().contains("'provenance.git.commit' must be a string"), mistyped.getMessage());

        writeCard(dir, artifacts, Map.of("metrics", List.of(0.9)));
        ModelRepositoryException notAMap = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("b"));
        assertTrue(notAMap.getMessage().contains("'metrics'"), notAMap.getMessage());
    }

    @Test
    void emptyRepositoryHasNoModels() {
        ModelRepository repository = ModelRepository.open(root);

        assertTrue(repository.names().isEmpty());
        assertTrue(repository.skipped().isEmpty());
    }

    @Test
    void unknownModelFailsNamingIt() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        ModelRepository repository = ModelRepository.open(root);

        var e = assertThrows(ModelRepositoryException.class, () -> repository.resolve("sepsis-risk"));
        assertTrue(e.getMessage().contains("no model 'sepsis-risk'"), e.getMessage());
        assertTrue(e.getMessage().contains("[triage-acuity]"), e.getMessage());
        assertThrows(ModelRepositoryException.class, () -> repository.versions("sepsis-risk"));
    }

    @Test
    void modelWithoutVersionsFailsToResolve() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        Files.createDirectories(root.resolve("triage-acuity/draft"));

        var e = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("triage-acuity"));

        assertTrue(e.getMessage().contains("'triage-acuity' has no usable version"), e.getMessage());
        assertTrue(e.getMessage().contains("draft"), e.getMessage());
    }

    @Test
    void malformedVersionCardFailsInsteadOfFallingBackToAnOlderVersion() throws IOException {
        model("triage-acuity", "{\"name\": \"triage-acuity\", \"task\": \"triage-acuity\"}");
        publish("triage-acuity", 1, Map.of("model.onnx", "v1"));
        Path dir = Files.createDirectories(root.resolve("triage-acuity/2"));
        Files.writeString(dir.resolve("model.json"), "{\"artifacts\": [");

        var e = assertThrows(ModelRepositoryException.class,
                () -> ModelRepository.open(root).resolve("triage-acuity"));

        assertTrue(e.getMessage().contains(dir.resolve("model.json").toString()), e.getMessage());
    }

    @Test
    void rejectsCardsWithDuplicateKeysOrMismatchedNames() throws IOException {
        model("a", "{\"name\": \"a\", \"task\": \"t\", \"task\": \"u\"}");
        model("b", "{\"name\": \"not-b\", \"task\": \"t\"}");
        model("c", "{\"name\": \"c\", \"task\": \"t\", \"pinned_version\": \"2\"}");
        ModelRepository repository = ModelRepository.open(root);

        assertAll(
                () -> assertTrue(assertThrows(ModelRepositoryException.class, () -> repository.card("a"))
                        .getMessage().contains("Duplicate field 'task'")),
                () -> assertTrue(assertThrows(ModelRepositoryException.class, () -> repository.card("b"))
                        .getMessage().contains("names the model 'not-b'")),
                () -> assertTrue(assertThrows(ModelRepositoryException.class, () -> repository.card("c"))
                        .getMessage().contains("pinned_version")));
    }

    @Test
    void missingRootFailsNamingIt() {
        Path missing = root.resolve("nowhere");

        var e = assertThrows(ModelRepositoryException.class, () -> ModelRepository.open(missing));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void sha256MatchesTheFips180TestVectorForFilesAndBytes() throws IOException {
        Path file = Files.writeString(root.resolve("abc.txt"), "abc");

        assertEquals(SHA_OF_ABC, sha256(file));
        assertEquals(SHA_OF_ABC, sha256("abc".getBytes(UTF_8)));
        assertEquals(SHA_OF_ABC, new VersionCard.Artifact("abc.txt", SHA_OF_ABC.toUpperCase()).sha256());
    }

    @Test
    void defaultRootIsModelsRepository() {
        assertEquals(Path.of("models/repository"), ModelRepository.DEFAULT_RELATIVE_ROOT);
    }

    private void model(String name, String card) throws IOException {
        Files.createDirectories(root.resolve(name));
        Files.writeString(root.resolve(name).resolve("model.json"), card);
    }

    private Path publish(String name, int version, Map<String, String> files) throws IOException {
        return publish(name, Integer.toString(version), files);
    }

    /** Writes the artifacts, then the card listing their sha256 last, as a training pipeline would. */
    private Path publish(String name, String version, Map<String, String> files) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name).resolve(version));
        List<Map<String, String>> artifacts = new java.util.ArrayList<>();
        for (var file : new java.util.TreeMap<>(files).entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
            artifacts.add(Map.of("path", file.getKey(), "sha256", sha256(path)));
        }
        writeCard(dir, artifacts, Map.of());
        return dir;
    }

    private static void writeCard(Path dir, List<Map<String, String>> artifacts, Map<String, Object> extra)
            throws IOException {
        ObjectNode card = JSON.valueToTree(extra);
        ArrayNode list = card.putArray("artifacts");
        artifacts.forEach(a -> list.add(JSON.valueToTree(a)));
        Files.writeString(dir.resolve("model.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(card));
    }
}
