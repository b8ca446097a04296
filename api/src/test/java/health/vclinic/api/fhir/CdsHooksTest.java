package health.vclinic.api.fhir;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CDS Hooks 2.0 against a real server: discovery, then a patient-view call with the prefetch it asked for. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CdsHooksTest {

    private static VclinicServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (http != null) {
            http.close();
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> call(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(FhirRouting.CDS_TRIAGE)).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A searchset Bundle as an EHR's FHIR server returns it, with server URLs and relative references. */
    private static String searchset(String... observations) {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < observations.length; i++) {
            String id = "obs-" + i;
            entries.append(i == 0 ? "" : ",").append("{\"fullUrl\": \"https://ehr.example.org/fhir/Observation/")
                    .append(id).append("\", \"resource\": ").append(observations[i].replace("\"id\": \"x\"", "\"id\": \"" + id + "\""))
                    .append(", \"search\": {\"mode\": \"match\"}}");
        }
        return "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"total\": " + observations.length
                + ", \"entry\": [" + entries + "]}";
    }

    private static String observation(String loinc, String value, String ucum) {
        return Fixtures.observation("x", loinc, value, ucum, "Patient/" + Fixtures.PATIENT_ID);
    }

    @Test
    void discoveryThenAPatientViewCallWithThePrefetchItAskedFor() throws Exception {
        HttpResponse<String> d = http.send(HttpRequest.newBuilder(uri("/cds-services")).header("authorization", TestSecurity.backendHeader()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, d.statusCode());
        assertTrue(d.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonObject service = JsonParser.parseString(d.body()).getAsJsonObject().getAsJsonArray("services").get(0)
                .getAsJsonObject();
        assertEquals("patient-view", service.get("hook").getAsString());
        assertEquals("/cds-services/" + service.get("id").getAsString(), FhirRouting.CDS_TRIAGE);
        JsonObject templates = service.getAsJsonObject("prefetch");
        assertEquals("Patient/{{context.patientId}}", templates.get("patient").getAsString());
        assertTrue(templates.get("vitals").getAsString().startsWith("Observation?patient={{context.patientId}}&category=vital-signs"));

        // The EHR runs the templates and calls the service: a septic-looking set of observations.
        String request = """
                {"hookInstance": "%s", "hook": "patient-view", "fhirServer": "https://ehr.example.org/fhir",
                 "context": {"userId": "Practitioner/123", "patientId": "%s"},
                 "prefetch": {"patient": %s, "vitals": %s, "questionnaires": null}}"""
                .formatted(UUID.randomUUID(), Fixtures.PATIENT_ID, Fixtures.patient(), searchset(
                        observation("8867-4", "128", "/min"), observation("9279-1", "26", "/min"),
                        observation("2708-6", "91", "%"), observation("8310-5", "39.4", "Cel"),
                        observation("8480-6", "92", "mm[Hg]")));
        HttpResponse<String> r = call(request);

        assertEquals(200, r.statusCode(), r.body());
        JsonArray cards = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("cards");
        assertEquals(1, cards.size());
        JsonObject card = cards.get(0).getAsJsonObject();
        assertTrue(card.get("summary").getAsString().startsWith("Level 2 (emergent)"), r.body());
        assertTrue(card.get("summary").getAsString().length() < 140, "CDS Hooks: summary under 140 characters");
        assertEquals("critical", card.get("indicator").getAsString());
        String detail = card.get("detail").getAsString();
        assertTrue(detail.contains("NEWS2"), detail);
        assertTrue(detail.startsWith("**Level 2 (emergent)**"), detail);
        String label = card.getAsJsonObject("source").get("label").getAsString();
        assertTrue(label.startsWith("vclinic triage (") && label.contains("red-flag-rules"), label);
        UUID.fromString(card.get("uuid").getAsString());
        // The fixed override reasons, each with a display as the specification requires of a service's reasons.
        JsonArray reasons = card.getAsJsonArray("overrideReasons");
        assertEquals(health.vclinic.datasets.reviews.ReasonCode.values().length, reasons.size());
        for (var reason : reasons) {
            JsonObject coding = reason.getAsJsonObject();
            assertEquals(health.vclinic.datasets.reviews.ReasonCode.SYSTEM, coding.get("system").getAsString());
            assertEquals(health.vclinic.datasets.reviews.ReasonCode.valueOf(coding.get("code").getAsString()).display(),
                    coding.get("display").getAsString());
        }
    }

    @Test
    void aCardOfARecordedAssessmentCarriesItsRecordIdSoFeedbackLeadsBackToIt() {
        var result = new health.vclinic.inference.TriageEngine(health.vclinic.inference.redflags.RedFlagRules.standard())
                .assess(new health.vclinic.datasets.Encounter("e-1", health.vclinic.datasets.Patient.UNKNOWN,
                        health.vclinic.datasets.VitalSigns.NONE, health.vclinic.datasets.Interview.NONE));
        UUID recordId = UUID.randomUUID();
        String kept = CdsHooks.cards(result, Duration.ofHours(24), recordId);
        assertEquals(recordId.toString(), JsonParser.parseString(kept).getAsJsonObject().getAsJsonArray("cards").get(0)
                .getAsJsonObject().get("uuid").getAsString());
    }

    @Test
    void theCardAndTheRiskAssessmentGiveTheDispositionTheAnswerGaveNotTheLevelsDefault() {
        // Suspected acute coronary syndrome: level 2, but an ambulance, not a drive to the emergency department.
        var result = new health.vclinic.inference.TriageEngine(health.vclinic.inference.redflags.RedFlagRules.standard())
                .assess(new health.vclinic.datasets.Encounter("e-2", health.vclinic.datasets.Patient.UNKNOWN,
                        health.vclinic.datasets.VitalSigns.NONE, new health.vclinic.datasets.Interview(
                        "Crushing chest pain going down my left arm, feeling sweaty", java.util.OptionalInt.empty(),
                        java.util.OptionalDouble.empty(), java.util.List.of(), java.util.List.of(), java.util.Map.of())));
        assertEquals(2, result.level().level());
        assertEquals(health.vclinic.inference.Disposition.EMERGENCY_SERVICES, result.decision().disposition());
        JsonObject card = JsonParser.parseString(CdsHooks.cards(result, Duration.ofHours(24), UUID.randomUUID()))
                .getAsJsonObject().getAsJsonArray("cards").get(0).getAsJsonObject();
        assertEquals("Level 2 (emergent): call emergency services now", card.get("summary").getAsString());
        assertTrue(card.get("detail").getAsString().startsWith("**Level 2 (emergent)**: call emergency services now."),
                card.get("detail").getAsString());
        assertTrue(result.explanation().getFirst().contains("call emergency services now"), result.explanation().getFirst());
    }

    @Test
    void indicatorsFollowTheLevel() {
        assertEquals("critical", CdsHooks.indicator(health.vclinic.inference.TriageLevel.RESUSCITATION));
        assertEquals("warning", CdsHooks.indicator(health.vclinic.inference.TriageLevel.URGENT));
        assertEquals("info", CdsHooks.indicator(health.vclinic.inference.TriageLevel.NON_URGENT));
    }

    @Test
    void withoutPrefetchTheServiceAnswers412AndOtherHooksAre400() throws Exception {
        String noPrefetch = """
                {"hookInstance": "%s", "hook": "patient-view", "context": {"userId": "Practitioner/1", "patientId": "p"}}"""
                .formatted(UUID.randomUUID());
        assertEquals(412, call(noPrefetch).statusCode());
        assertEquals(400, call(noPrefetch.replace("patient-view", "order-sign")).statusCode());
        assertEquals(400, call("not json").statusCode());
        String otherPatient = """
                {"hookInstance": "%s", "hook": "patient-view", "context": {"patientId": "someone-else"},
                 "prefetch": {"patient": %s}}""".formatted(UUID.randomUUID(), Fixtures.patient());
        HttpResponse<String> r = call(otherPatient);
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("prefetch.patient"), r.body());
    }
}
