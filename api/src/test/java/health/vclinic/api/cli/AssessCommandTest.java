package health.vclinic.api.cli;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.triage.TriageEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vclinic assess}: in process, through the same endpoint as the server. */
class AssessCommandTest {

    private static TriageEndpoint endpoint;

    @BeforeAll
    static void endpoint() {
        endpoint = TriageEndpoint.standard();
    }

    private record Run(int code, List<String> lines) {
    }

    private static Run assess(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = AssessCommand.assess(endpoint, text, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        return new Run(code, printed.lines().toList());
    }

    @Test
    void theExamplesFileGivesOneAssessmentPerRequestInOrder() {
        List<String> requests = TestSupport.exampleLines();
        assertEquals(8, requests.size(), "examples/triage-requests.jsonl changed");

        Run run = assess(TestSupport.examplesText());

        assertEquals(0, run.code());
        assertEquals(requests.size(), run.lines().size(), String.join("\n", run.lines()));
        for (int i = 0; i < requests.size(); i++) {
            String expectedId = TriageEndpoint.parseJson(requests.get(i)).getEncounterId();
            TriageAssessment a = TestSupport.assessment(run.lines().get(i));
            assertEquals(expectedId, a.getEncounterId(), "line " + (i + 1));
            assertTrue(a.getLevel() >= 1 && a.getLevel() <= 5);
            assertTrue(run.lines().get(i).contains("\"encounter_id\""), "snake_case keys");
        }
        // The same answers as the endpoint gives directly.
        assertEquals(endpoint.assess(TestSecurity.caller(health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), TestSupport.example("demo-001")), TestSupport.assessment(run.lines().get(0)));
    }

    @Test
    void aPrettyPrintedObjectIsOneRequest() {
        String pretty = """
                {
                  "encounter_id": "pretty-1",
                  "patient": {
                    "age_years": 58,
                    "sex": "MALE"
                  },
                  "interview": {
                    "chief_complaint": "Crushing chest pain for the last hour"
                  }
                }
                """;
        Run run = assess(pretty);

        assertEquals(0, run.code());
        assertEquals(1, run.lines().size(), String.join("\n", run.lines()));
        TriageAssessment a = TestSupport.assessment(run.lines().get(0));
        assertEquals("pretty-1", a.getEncounterId());
        assertTrue(a.getLevel() <= 2);
    }

    @Test
    void anInvalidLineGivesAnErrorInItsPlaceAndTheOthersAreStillAssessed() {
        String text = """
                {"encounter_id":"line-1","vitals":{"heart_rate":80}}
                {"encounter_id":"line-2","vitals":{"heart_rate":900}}
                {"encounter_id":"line-3","interview":{"chief_complaint":"cough"}}
                """;
        Run run = assess(text);

        assertEquals(1, run.code());
        assertEquals(3, run.lines().size(), String.join("\n", run.lines()));
        assertEquals("line-1", TestSupport.assessment(run.lines().get(0)).getEncounterId());
        assertEquals("line-3", TestSupport.assessment(run.lines().get(2)).getEncounterId());

        Struct error = TestSupport.struct(run.lines().get(1));
        assertEquals(2, (int) error.getFieldsOrThrow("request").getNumberValue(), run.lines().get(1));
        Struct detail = error.getFieldsOrThrow("error").getStructValue();
        assertEquals("INVALID_ARGUMENT", detail.getFieldsOrThrow("code").getStringValue());
        String message = detail.getFieldsOrThrow("message").getStringValue();
        assertTrue(message.contains("vitals.heart_rate"), message);
        assertFalse(message.contains("900"), "the rejected value is echoed: " + message);
    }

    @Test
    void anUnknownFieldOnALineNamesIt() {
        String text = """
                {"encounter_id":"a"}
                {"encounter_id":"b","vitals":{"heartrate":80}}
                """;
        Run run = assess(text);

        assertEquals(1, run.code());
        assertEquals(2, run.lines().size());
        assertTrue(run.lines().get(1).contains("heartrate"), run.lines().get(1));
        assertTrue(run.lines().get(1).startsWith("{\"request\":2,"), run.lines().get(1));
    }

    /**
     * JSON Lines with one line that is not JSON at all: outputs must stay aligned with inputs ("a line
     * that cannot be assessed prints an error object in its place"), so three lines in, three lines out,
     * and exit code 1. Today split() sees a line that is not an object and hands the whole text to the
     * parser as one request, and the parser stops after the first object: one assessment, the other two
     * requests silently dropped, exit code 0.
     */
    @Test
    void aLineThatIsNotJsonKeepsTheOutputAlignedWithTheInput() {
        String text = """
                {"encounter_id":"line-1"}
                this line is not JSON
                {"encounter_id":"line-3"}
                """;
        Run run = assess(text);

        assertEquals(1, run.code(), "a bad line must fail the run; output was:\n" + String.join("\n", run.lines()));
        assertEquals(3, run.lines().size(),
                "one JSON Lines input line that is not an object turned the whole input into one request:\n"
                        + String.join("\n", run.lines()));
        assertEquals("line-1", TestSupport.assessment(run.lines().get(0)).getEncounterId());
        assertTrue(run.lines().get(1).startsWith("{\"request\":2,"), run.lines().get(1));
        assertEquals("line-3", TestSupport.assessment(run.lines().get(2)).getEncounterId());
    }

    /** A JSON Lines file with a truncated line must never report success. */
    @Test
    void aTruncatedLineIsNeverASuccess() {
        String text = """
                {"encounter_id":"line-1","vitals":{"heart_rate":80}}
                {"encounter_id":"line-2","vitals":{"heart_rate":
                {"encounter_id":"line-3"}
                """;
        Run run = assess(text);

        assertEquals(1, run.code(), "output was:\n" + String.join("\n", run.lines()));
        assertTrue(run.lines().stream().anyMatch(l -> l.contains("\"error\"")), String.join("\n", run.lines()));
    }

    @Test
    void emptyInputPrintsNothingAndSucceeds() {
        Run run = assess("  \n\n ");
        assertEquals(0, run.code());
        assertEquals(List.of(), run.lines());
    }

    @Test
    void malformedSingleObjectIsOneErrorLine() {
        Run run = assess("{\n  \"encounter_id\": \"x\",\n");
        assertEquals(1, run.code());
        assertEquals(1, run.lines().size());
        assertTrue(run.lines().get(0).startsWith("{\"request\":1,"), run.lines().get(0));
        assertTrue(run.lines().get(0).contains("INVALID_ARGUMENT"), run.lines().get(0));
    }

    // ---------------------------------------------------------------- split

    @Test
    void splitEdgeCases() {
        assertEquals(List.of(), AssessCommand.split(""));
        assertEquals(List.of(), AssessCommand.split("   \n\t\r\n  "));
        assertEquals(List.of("{}"), AssessCommand.split("{}"));
        assertEquals(List.of("{\"a\":1}"), AssessCommand.split("  {\"a\":1}  \n"));
        // JSON Lines, with CRLF and blank lines between objects.
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"),
                AssessCommand.split("{\"a\":1}\r\n\r\n  {\"b\":2}\n\n{\"c\":3}\r\n"));
        // One object over several lines stays one request, kept whole.
        String pretty = "{\n  \"a\": {\n    \"b\": 1\n  }\n}";
        assertEquals(List.of(pretty), AssessCommand.split("\n" + pretty + "\n\n"));
        // A one-line object whose first line does not close: one request.
        assertEquals(1, AssessCommand.split("{\"a\":\n1}").size());
        // Something that is not an object is passed on whole, for the parser to reject.
        assertEquals(List.of("[1,2]"), AssessCommand.split("[1,2]"));
    }

    // ---------------------------------------------------------------- the command line

    private record Cli(int code, String out) {
    }

    private static Cli main(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = Main.run(args);
        } finally {
            System.setOut(original);
        }
        return new Cli(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mainAssessOfTheExamplesFileExitsZero() {
        Cli cli = main("assess", TestSupport.examplesFile().toString());

        assertEquals(0, cli.code(), cli.out());
        List<String> lines = cli.out().lines().toList();
        assertEquals(TestSupport.exampleLines().size(), lines.size(), cli.out());
        assertEquals("demo-001", TestSupport.assessment(lines.get(0)).getEncounterId());
        assertEquals("demo-008", TestSupport.assessment(lines.get(lines.size() - 1)).getEncounterId());
    }

    @Test
    void mainAssessOfAFileWithABadRequestExitsOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("requests.jsonl");
        Files.writeString(file, "{\"encounter_id\":\"ok\"}\n{\"encounter_id\":\"bad\",\"patient\":{\"age_years\":-1}}\n");

        Cli cli = main("assess", file.toString());

        assertEquals(1, cli.code(), cli.out());
        List<String> lines = cli.out().lines().toList();
        assertEquals(2, lines.size(), cli.out());
        assertTrue(lines.get(1).contains("patient.age_years"), lines.get(1));
    }

    @Test
    void mainAssessOfAMissingFileFails(@TempDir Path dir) {
        PrintStream originalErr = System.err;
        try (PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            System.setErr(quiet);
            assertNotEquals(0, main("assess", dir.resolve("absent.jsonl").toString()).code());
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test
    void requestsParsedFromTheExamplesRoundTrip() {
        for (String line : TestSupport.exampleLines()) {
            TriageRequest r = TriageEndpoint.parseJson(line);
            assertFalse(r.getEncounterId().isEmpty(), line);
        }
    }
}
