package health.vclinic.api.triage;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.Errors;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzing the triage entry points (the proto3 JSON body and the protobuf message) through the engine the
 * service runs: every input is assessed or refused as a client error; nothing escapes as an internal
 * error. {@code ./vclinic test} replays the committed corpus; {@code JAZZER_FUZZ=1} fuzzes.
 */
class TriageFuzzTest {

    private static final TriageEndpoint ENDPOINT = new TriageEndpoint(
            ServedEngine.load(health.vclinic.models.ProjectRoot.path(), s -> { }, true));

    private static void assertResultOrClientError(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            ApiError error = Errors.classify(e);
            assertTrue(error.kind().clientError(), () -> "not a client error: " + error + " from " + e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void everyJsonBodyIsAssessedOrRefusedAsAClientError(byte[] body) {
        assertResultOrClientError(() -> {
            TriageAssessment a = ENDPOINT.assess(TestSecurity.caller(health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), TriageEndpoint.parseJson(new String(body, StandardCharsets.UTF_8)));
            assertTrue(a.getLevel() >= 1 && a.getLevel() <= 5);
        });
    }

    @FuzzTest(maxDuration = "60s")
    void everyProtobufMessageIsAssessedOrRefusedAsAClientError(byte[] message) {
        TriageRequest request;
        try {
            request = TriageRequest.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            return; // the transport answers INVALID_ARGUMENT before the service sees it
        }
        assertResultOrClientError(() -> {
            TriageAssessment a = ENDPOINT.assess(TestSecurity.caller(health.vclinic.api.server.ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), request);
            assertTrue(a.getLevel() >= 1 && a.getLevel() <= 5);
        });
    }
}
