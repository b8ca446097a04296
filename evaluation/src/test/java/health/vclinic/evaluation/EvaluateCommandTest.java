package health.vclinic.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code vclinic evaluate}: one subcommand per evaluation; usage errors exit 2 and list the evaluations. */
class EvaluateCommandTest {

    @Test
    void unknownModelsAndFlagsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.run("evaluate", "ecg-beat"));
            assertEquals(2, Main.run("evaluate", "monitoring", "--version", "1"), "monitoring has no version");
            err.reset();
            assertEquals(2, Main.run("evaluate"), "no model named");
        } finally {
            System.setErr(saved);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        for (String model : new String[] {"triage-acuity", "cxr-pneumonia", "monitoring"}) {
            assertTrue(message.contains(model), message);
        }
    }

    @Test
    void everyEvaluationHasHelp() {
        for (String model : new String[] {"triage-acuity", "cxr-pneumonia", "monitoring"}) {
            assertEquals(0, Main.run("evaluate", model, "--help"), model);
        }
    }
}
