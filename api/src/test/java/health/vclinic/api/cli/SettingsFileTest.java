package health.vclinic.api.cli;

import static health.vclinic.api.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings file: its values replace the built-in defaults, flags still win, unknown keys are refused. */
class SettingsFileTest {

    private static Path yaml(Path dir, String text) throws IOException {
        return Files.writeString(dir.resolve("vclinic.yaml"), text);
    }

    @Test
    void aValueInTheFileBecomesTheDefaultTheHelpShows(@TempDir Path dir) throws IOException {
        Path file = yaml(dir, "serve:\n  port: 9311\n  imaging-max-batch: 7\n");

        CliRun r = run("serve", "--config", file.toString(), "--help");

        assertEquals(0, r.exit(), r.err());
        // Usage text wraps at 80 columns: compare with its whitespace folded.
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("(default: 9311;"), r.out());
        assertTrue(help.contains("(default: 7)"), r.out());
        assertTrue(run("serve", "--help").out().replaceAll("\\s+", " ").contains("(default: 8080;"),
                "without a file, the built-in default");
    }

    @Test
    void anUnknownSettingIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        Path file = yaml(dir, "serve:\n  prot: 9311\n");

        CliRun r = run("serve", "--config", file.toString());

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown setting 'serve.prot'"), r.err());
    }

    @Test
    void anUnknownSectionIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        CliRun r = run("serve", "--config", yaml(dir, "server:\n  port: 1\n").toString());

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown section 'server'"), r.err());
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingTheOption(@TempDir Path dir) throws IOException {
        CliRun r = run("serve", "--config", yaml(dir, "serve:\n  port: eighty\n").toString(), "--help");

        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("--port"), r.err());
    }

    @Test
    void aMissingFileIsRefused(@TempDir Path dir) {
        CliRun r = run("serve", "--config", dir.resolve("absent.yaml").toString());

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void timeoutsComeFromTheFileAndAreCheckedBeforeAnythingStarts(@TempDir Path dir) throws IOException {
        Path file = yaml(dir, "serve:\n  body-timeout-s: 12\n  idle-timeout-s: 0\n");

        assertTrue(run("serve", "--config", file.toString(), "--help").out().replaceAll("\\s+", " ")
                .contains("(default: 12)"));
        CliRun r = run("serve", "--config", file.toString());

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--idle-timeout-s"), r.err());
    }
}
