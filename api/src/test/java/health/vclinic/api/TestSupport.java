package health.vclinic.api;

import health.vclinic.api.triage.TriageEndpoint;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Shared helpers for the api tests: the example requests and JSON parsing without extra libraries. */
public final class TestSupport {

    private TestSupport() {
    }

    /** The project root: Surefire sets {@code vclinic.root}; otherwise walk up from the working directory. */
    public static Path projectRoot() {
        String root = System.getProperty("vclinic.root");
        if (root != null && !root.isBlank() && Files.isDirectory(Path.of(root, "examples"))) {
            return Path.of(root);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("examples/triage-requests.jsonl"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("cannot find the project root (examples/triage-requests.jsonl)");
    }

    public static Path examplesFile() {
        return projectRoot().resolve("examples/triage-requests.jsonl");
    }

    public static String examplesText() {
        try {
            return Files.readString(examplesFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The non-blank lines of the examples file, in order. */
    public static List<String> exampleLines() {
        return examplesText().lines().filter(l -> !l.isBlank()).toList();
    }

    /** The example request with this encounter id, parsed through the production JSON path. */
    public static TriageRequest example(String encounterId) {
        return exampleLines().stream().map(TriageEndpoint::parseJson)
                .filter(r -> r.getEncounterId().equals(encounterId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no example " + encounterId));
    }

    /** Any JSON object as a protobuf Struct (protobuf-java-util is already on the classpath). */
    public static Struct struct(String json) {
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a JSON object: " + json, e);
        }
        return b.build();
    }

    public static TriageAssessment assessment(String json) {
        TriageAssessment.Builder b = TriageAssessment.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a TriageAssessment: " + json, e);
        }
        return b.build();
    }
}
