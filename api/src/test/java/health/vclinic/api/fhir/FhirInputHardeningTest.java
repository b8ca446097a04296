package health.vclinic.api.fhir;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and loose FHIR and CDS Hooks bodies against a real server: a number HAPI would expand for ever,
 * duplicate keys, bytes that are not UTF-8, the wrong media type. Each is a 4xx OperationOutcome naming
 * the element in the caller's own request, at once (the class timeout fails a server that hangs).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FhirInputHardeningTest {

    private static VclinicServer server;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> post(String path, Optional<String> type, byte[] body) throws Exception {
        return RawHttp.post(server.port(), path, type, body);
    }

    private static HttpResponse<String> triage(String body) throws Exception {
        return post(FhirRouting.TRIAGE, Optional.of("application/fhir+json"), body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> cds(String body) throws Exception {
        return post(FhirRouting.CDS_TRIAGE, Optional.of("application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    /** The expressions of an OperationOutcome answered with {@code status}. */
    private static List<String> expressions(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        OperationOutcome oo = (OperationOutcome) FhirJson.context().newJsonParser().parseResource(r.body());
        return oo.getIssue().stream().flatMap(i -> i.getExpression().stream()).map(e -> e.getValue()).toList();
    }

    private static String observation(String value) {
        return "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"valueQuantity\":{\"value\":" + value + "}}";
    }

    private static String hook(String prefetchVitals) {
        return """
                {"hookInstance": "%s", "hook": "patient-view", "context": {"patientId": "%s"},
                 "prefetch": {"patient": %s, "vitals": %s}}"""
                .formatted(UUID.randomUUID(), Fixtures.PATIENT_ID, Fixtures.patient(), prefetchVitals);
    }

    private static String searchset(String... resources) {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < resources.length; i++) {
            entries.append(i == 0 ? "" : ",").append("{\"fullUrl\": \"https://ehr.example.org/fhir/Observation/o")
                    .append(i).append("\", \"resource\": ").append(resources[i]).append('}');
        }
        return "{\"resourceType\": \"Bundle\", \"type\": \"searchset\", \"entry\": [" + entries + "]}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "1e-999999999", "1e1000000"})
    void aNumberHapiWouldExpandIsA400NamingTheElement(String number) throws Exception {
        assertEquals(List.of("Observation.valueQuantity.value"), expressions(triage(observation(number)), 400));
        assertEquals(List.of("Bundle.entry[1].resource.valueQuantity.value"), expressions(triage(Fixtures.bundle(
                Fixtures.entry("hr", "8867-4", number, "/min"))), 400));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "1e-999999999"})
    void aNumberInACdsPrefetchIsA400NamingTheCallersEntry(String number) throws Exception {
        String vitals = searchset(Fixtures.observation("o0", "8867-4", "80", "/min", "Patient/" + Fixtures.PATIENT_ID),
                Fixtures.observation("o1", "8867-4", number, "/min", "Patient/" + Fixtures.PATIENT_ID));
        assertEquals(List.of("prefetch.vitals.entry[1].resource.valueQuantity.value"),
                expressions(cds(hook(vitals)), 400));
    }

    @Test
    void aDuplicateKeyIsA400NamingIt() throws Exception {
        String twice = observation("80").replace("\"status\":\"final\"", "\"status\":\"final\",\"status\":\"cancelled\"");
        assertEquals(List.of("Observation.status"), expressions(triage(twice), 400));
        assertEquals(List.of("prefetch.vitals.entry[0].resource.status"), expressions(cds(hook(searchset(twice))), 400));
    }

    @Test
    void bytesThatAreNotUtf8AreA400() throws Exception {
        byte[] body = Fixtures.bundle(Fixtures.complaint("chest pain")).getBytes(StandardCharsets.UTF_8);
        byte[] bad = body.clone();
        int at = new String(body, StandardCharsets.ISO_8859_1).indexOf("chest");
        bad[at] = (byte) 0xC0;
        List<String> where = expressions(post(FhirRouting.TRIAGE, Optional.of("application/fhir+json"), bad), 400);
        assertEquals(List.of("body"), where);
        assertEquals(List.of("body"), expressions(post(FhirRouting.CDS_TRIAGE, Optional.of("application/json"),
                hook(searchset()).replace("patient-view", "patient-vi\u00e9w").getBytes(StandardCharsets.ISO_8859_1)), 400));
    }

    @Test
    void aCdsCallWithoutJsonContentTypeIs415() throws Exception {
        byte[] body = hook(searchset()).getBytes(StandardCharsets.UTF_8);
        for (Optional<String> type : List.of(Optional.<String>empty(), Optional.of("text/plain"),
                Optional.of("application/json; charset=utf-16"))) {
            HttpResponse<String> r = post(FhirRouting.CDS_TRIAGE, type, body);
            assertEquals(List.of("body"), expressions(r, 415), type.toString());
        }
        assertEquals(200, post(FhirRouting.CDS_TRIAGE, Optional.of("application/json; charset=utf-8"), body).statusCode());
    }

    @Test
    void aCdsEntryTriageCannotUseIsNamedInTheCallersPrefetch() throws Exception {
        String vitals = searchset(Fixtures.observation("o0", "8867-4", "80", "/min", "Patient/" + Fixtures.PATIENT_ID),
                Fixtures.observation("o1", "8310-5", "38.5", "kg", "Patient/" + Fixtures.PATIENT_ID));
        List<String> where = expressions(cds(hook(vitals)), 422);
        assertEquals(List.of("prefetch.vitals.entry[1].resource.valueQuantity.code"), where);
    }

    @Test
    void aPrefetchedResourceThatIsNotFhirIsNamedUnderItsKey() throws Exception {
        String vitals = searchset("{\"resourceType\": \"Observation\", \"heartRate\": 80}");
        List<String> where = expressions(cds(hook(vitals)), 400);
        assertEquals(1, where.size(), where.toString());
        assertTrue(where.getFirst().startsWith("prefetch.vitals.entry[0].resource"), where.toString());
        assertFalse(where.getFirst().contains("Bundle"), where.toString());
    }
}
