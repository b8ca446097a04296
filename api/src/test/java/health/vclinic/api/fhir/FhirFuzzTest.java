package health.vclinic.api.fhir;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import health.vclinic.inference.TriageEngine;

/**
 * Fuzzing the FHIR R4 {@code $triage} and CDS Hooks bodies: whatever the bytes, the answer is a result
 * or a client error (4xx OperationOutcome), never a 5xx, an escaped exception or a hang. {@code
 * ./vclinic test} replays the committed corpus ({@code FhirFuzzTestInputs/}); {@code JAZZER_FUZZ=1}
 * fuzzes each target for its {@code maxDuration}.
 */
class FhirFuzzTest {

    private static final FhirTriage TRIAGE = new FhirTriage(TriageEngine.standard());
    private static final CdsHooks CDS = new CdsHooks(TRIAGE);

    @FuzzTest(maxDuration = "60s")
    void fhirTriageAnswersEveryBodyWithAResultOrAClientError(byte[] body) {
        FhirTriage.Reply reply = TRIAGE.triage(health.vclinic.api.server.ClinicId.DEFAULT, new String(body, java.nio.charset.StandardCharsets.UTF_8));

        assertTrue(reply.status() < 500, "status " + reply.status());
    }

    @FuzzTest(maxDuration = "60s")
    void cdsHooksAnswersEveryBodyWithAResultOrAClientError(byte[] body) {
        CdsHooks.Reply reply = CDS.call(health.vclinic.api.server.ClinicId.DEFAULT, new String(body, java.nio.charset.StandardCharsets.UTF_8));

        assertTrue(reply.status() < 500, "status " + reply.status());
    }
}
