package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vclinic train}: one subcommand per pipeline, usage errors exit 2, configuration errors exit 1. */
class TrainCommandTest {

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void anUnknownOrMissingPipelineIsAUsageErrorAndTheUsageListsThePipelines() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err, "train", "triage"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'triage'"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run(err, "train"), "no pipeline named");
        String message = err.toString(StandardCharsets.UTF_8);
        for (String pipeline : new String[] {"triage-acuity", "cxr-pneumonia", "ecg-beat", "monitoring-forest"}) {
            assertTrue(message.contains(pipeline), message);
        }
        assertEquals(2, run(new ByteArrayOutputStream(), "train", "ecg-beat", "--epochs", "3"), "an unknown flag");
    }

    @Test
    void everyPipelineHasHelp() {
        for (String pipeline : new String[] {"triage-acuity", "cxr-pneumonia", "ecg-beat", "monitoring-forest"}) {
            assertEquals(0, Main.run("train", pipeline, "--help"), pipeline);
        }
    }

    @Test
    void aBadConfigurationFileStopsThePipelineNamingTheKey(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("forest.json"), "{\"trees\": \"many\"}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "train", "monitoring-forest", "--config", config.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("'trees' must be a whole number"),
                err.toString(StandardCharsets.UTF_8));
    }
}
