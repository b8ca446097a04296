package health.vclinic.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Degradation is visible and safe (issue 9, defect 7): a service running without its model says so in
 * readiness, in /metrics and in every answer; an encounter with nothing to triage on never gets a
 * confident model level.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DegradedModeTest {

    private static HttpResponse<String> send(VclinicServer server, String path, HttpRequest.Builder request)
            throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(request.uri(URI.create("http://127.0.0.1:" + server.port() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static HttpResponse<String> get(VclinicServer server, String path) throws Exception {
        return send(server, path, HttpRequest.newBuilder().header("authorization", TestSecurity.backendHeader()).GET());
    }

    private static TriageAssessment assess(VclinicServer server, String json) throws Exception {
        HttpResponse<String> r = send(server, "/v1/triage:assess", HttpRequest.newBuilder().header("authorization", TestSecurity.backendHeader())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
        assertEquals(200, r.statusCode(), r.body());
        return TestSupport.assessment(r.body());
    }

    @Test
    void withoutItsModelTheServiceSaysSoInReadinessMetricsAndEveryAnswer(@TempDir Path emptyRoot) throws Exception {
        TriageEndpoint endpoint = new TriageEndpoint(ServedEngine.load(emptyRoot, s -> { }, true));
        try (VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, endpoint, "127.0.0.1", 0)) {
            HttpResponse<String> ready = get(server, "/health/ready");
            assertEquals(200, ready.statusCode());
            assertTrue(ready.body().contains("\"status\":\"DEGRADED\"") && ready.body().contains("triage-acuity"),
                    ready.body());
            assertTrue(get(server, "/metrics").body().contains("vclinic_model_missing{model=\"triage-acuity\"} 1"));

            TriageAssessment a = assess(server, TestSupport.exampleLines().getFirst());
            assertTrue(a.getDegraded());
            assertTrue(a.getNeedsClinicianReview());
            assertTrue(a.getReviewReasonsList().stream().anyMatch(r -> r.startsWith("degraded: triage-acuity")),
                    a.getReviewReasonsList().toString());
        }
    }

    @Test
    void aCompleteServiceIsUpAndNotDegraded() throws Exception {
        TriageEndpoint endpoint = new TriageEndpoint(ServedEngine.load(TestSupport.projectRoot(), s -> { }, false));
        try (VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, endpoint, "127.0.0.1", 0)) {
            assertEquals("{\"status\":\"UP\",\"missing_models\":[]}", get(server, "/health/ready").body());
            String metrics = get(server, "/metrics").body();
            assertFalse(metrics.contains("vclinic_model_missing{"));
            // The served model is a factorization machine: it answers in closed form, checked against ONNX Runtime.
            assertTrue(metrics.contains("vclinic_model_closed_form{model=\"triage-acuity@2\"} 1"), metrics);
            assertTrue(metrics.contains("vclinic_model_closed_form_disagreements_total{model=\"triage-acuity@2\"} 0"), metrics);
            assertFalse(assess(server, TestSupport.exampleLines().getFirst()).getDegraded());
        }
    }

    @Test
    void theServedModelIsClosedWithTheServer() {
        var engine = ServedEngine.load(TestSupport.projectRoot(), s -> { }, false);
        var model = (health.vclinic.inference.OnnxTriageModel) engine.model().orElseThrow();
        VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, new TriageEndpoint(engine), "127.0.0.1", 0);
        assertFalse(model.closed());

        server.close();

        assertTrue(model.closed());
    }

    @Test
    void anEmptyEncounterIsAnsweredByTheRulesAndSentToAClinicianNeverByTheModel() throws Exception {
        TriageEndpoint endpoint = new TriageEndpoint(ServedEngine.load(TestSupport.projectRoot(), s -> { }, false));
        try (VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, endpoint, "127.0.0.1", 0)) {
            for (String empty : new String[] {"{}", "{\"patient\":{\"age_years\":40,\"sex\":\"MALE\"}}"}) {
                TriageAssessment a = assess(server, empty);

                assertTrue(a.getNeedsClinicianReview(), empty);
                assertTrue(a.getReviewReasonsList().stream().anyMatch(r -> r.startsWith("too little information")),
                        a.getReviewReasonsList().toString());
                assertFalse(a.getDecidedBy().startsWith("triage-acuity"), a.getDecidedBy());
                assertEquals(0, a.getLevelProbabilitiesCount(), "no model probabilities for an encounter it cannot read");
                assertNotEquals(1, a.getLevel());
                assertNotEquals(2, a.getLevel(), "nothing justifies an emergency");
            }
        }
    }
}
