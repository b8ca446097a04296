package health.vclinic.api.cli;

import health.vclinic.api.server.Errors;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.ServedEngine;
import com.google.gson.JsonParser;
import health.vclinic.api.fhir.FhirTriage;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vclinic assess [FILE|-]}: assesses TriageRequest JSON in process, through the same
 * {@link TriageEndpoint} as the server. Input is one JSON object (pretty-printed or not) or JSON Lines;
 * output is one TriageAssessment JSON per request, one per line. A line that cannot be assessed prints
 * an error object in its place (so outputs stay aligned with inputs) and the exit code is 1; every other
 * line is still assessed. With {@code --fhir} the input is one FHIR R4 Bundle (or Parameters wrapping one)
 * and the output the FHIR Bundle that {@code POST /fhir/r4/$triage} returns, or its OperationOutcome.
 */
@Command(name = "assess", mixinStandardHelpOptions = true,
        description = "Assess TriageRequest JSON (one object or JSON Lines) without a server.")
final class AssessCommand implements Callable<Integer> {

    /** In process, nothing is recorded: the caller is this command, for the default clinic. */
    private static final health.vclinic.api.security.Caller LOCAL = new health.vclinic.api.security.Caller(
            health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND, "cli:assess", "local");

    @Parameters(index = "0", defaultValue = "-", description = "Input file, or - for standard input (default).")
    String input;

    @Option(names = "--fhir", description = "Input is a FHIR R4 Bundle (or Parameters with parameter 'bundle');"
            + " print the output Bundle (RiskAssessment and Flags), as POST /fhir/r4/$triage does.")
    boolean fhir;

    @Option(names = "--allow-degraded", description = "Assess even when the triage model cannot be served (rules"
            + " alone; every answer marked degraded).")
    boolean allowDegraded;

    @Override
    public Integer call() throws IOException {
        String text = read(input);
        // What is served goes to standard error: standard output carries only assessments.
        TriageEndpoint endpoint = new TriageEndpoint(ServedEngine.load(ServedEngine.projectRoot(), System.err::println,
                allowDegraded));
        if (fhir) {
            return new FhirTriage(endpoint.engine()).print(text, System.out);
        }
        return assess(endpoint, text, System.out);
    }

    /** Assesses every request in {@code text}; returns 0 when all were assessed, 1 otherwise. */
    static int assess(TriageEndpoint endpoint, String text, PrintStream out) {
        List<String> requests = split(text);
        int failures = 0;
        for (int i = 0; i < requests.size(); i++) {
            try {
                TriageRequest request = TriageEndpoint.parseJson(requests.get(i));
                out.println(TriageEndpoint.toJson(endpoint.assess(LOCAL, request)));
            } catch (RuntimeException e) {
                failures++;
                out.println("{\"request\":" + (i + 1) + "," + HttpErrors.body(Errors.classify(e)).substring(1));
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * JSON Lines when the first non-blank line is a complete JSON value by itself: then every
     * non-blank line is one request, and a bad line is reported in its place. Otherwise the whole
     * text is one (pretty-printed) object.
     */
    static List<String> split(String text) {
        String trimmed = text.strip();
        List<String> lines = new ArrayList<>();
        for (String line : trimmed.split("\\R")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        if (lines.size() <= 1 || completeJson(lines.getFirst())) {
            return lines;
        }
        return List.of(trimmed);
    }

    private static boolean completeJson(String line) {
        try {
            JsonParser.parseString(line);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String read(String input) throws IOException {
        if (input.equals("-")) {
            InputStream in = System.in;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return Files.readString(Path.of(input), StandardCharsets.UTF_8);
    }
}
