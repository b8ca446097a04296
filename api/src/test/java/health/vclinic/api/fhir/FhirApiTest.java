package health.vclinic.api.fhir;

import health.vclinic.api.TestSecurity;
import static health.vclinic.api.fhir.Fixtures.bundle;
import static health.vclinic.api.fhir.Fixtures.complaint;
import static health.vclinic.api.fhir.Fixtures.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.datasets.Encounter;
import health.vclinic.inference.ModelOpinion;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageModel;
import health.vclinic.inference.redflags.RedFlagRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.hl7.fhir.r4.model.RiskAssessment.RiskAssessmentPredictionComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /fhir/r4/$triage} on a real server: every Synthea bundle, the values it maps, red flags as
 * Flags, a model's probabilities, and errors as OperationOutcomes. Every resource the service writes is
 * parsed back with HAPI and validated against the base R4 definitions ({@link R4Validator}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FhirApiTest {

    private static VclinicServer server;
    private static VclinicServer withModel;
    private static HttpClient http;

    /** A fixed, calibrated-looking model: the real engine fuses it with the rules as it would a trained one. */
    private static final class FixedModel implements TriageModel {
        @Override
        public String id() {
            return "fixed-test-model@1";
        }

        @Override
        public ModelOpinion predict(Encounter encounter, RuleFindings findings) {
            return new ModelOpinion("model:" + id(), TriageLevel.URGENT, List.of(0.01, 0.09, 0.6, 0.25, 0.05),
                    List.of("test model"));
        }
    }

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
        withModel = VclinicServer.start(TestSecurity.SECURITY, new TriageEndpoint(new TriageEngine(RedFlagRules.standard(),
                Optional.of(new FixedModel()))), "127.0.0.1", 0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        for (VclinicServer s : new VclinicServer[] {server, withModel}) {
            if (s != null) {
                s.close();
            }
        }
        if (http != null) {
            http.close();
        }
    }

    static HttpResponse<String> post(VclinicServer s, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(VclinicServer s, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> triage(VclinicServer s, String body) throws IOException, InterruptedException {
        return post(s, FhirRouting.TRIAGE, "application/fhir+json", body);
    }

    /** A 200 reply, parsed back with HAPI and valid R4; its entries re-encoded and parsed one by one too. */
    private static Bundle output(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/fhir+json", r.headers().firstValue("Content-Type").orElse(""));
        Bundle b = (Bundle) FhirJson.context().newJsonParser().parseResource(r.body());
        assertEquals(Bundle.BundleType.COLLECTION, b.getType());
        assertEquals(List.of(), R4Validator.errors(b), r.body());
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            IBaseResource again = FhirJson.parse(FhirJson.encode(e.getResource(), false));
            assertEquals(e.getResource().fhirType(), again.fhirType());
        }
        assertTrue(b.getEntryFirstRep().getResource() instanceof RiskAssessment, r.body());
        return b;
    }

    private static RiskAssessment assessment(Bundle b) {
        return (RiskAssessment) b.getEntryFirstRep().getResource();
    }

    private static List<Flag> flags(Bundle b) {
        return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> r instanceof Flag).map(r -> (Flag) r).toList();
    }

    /** An error reply: the status, an OperationOutcome (valid R4) whose first issue has this expression. */
    private static OperationOutcome outcome(HttpResponse<String> r, int status, String expression) {
        assertEquals(status, r.statusCode(), r.body());
        OperationOutcome oo = (OperationOutcome) FhirJson.parse(r.body());
        assertEquals(List.of(), R4Validator.errors(oo), r.body());
        assertEquals(expression, oo.getIssueFirstRep().getExpression().getFirst().getValue(), r.body());
        assertFalse(oo.getIssueFirstRep().getDiagnostics().isBlank());
        return oo;
    }

    // ------------------------------------------------------------------ Synthea

    @Test
    void everySyntheaBundleIsAssessedAndEveryResourceIsValidR4() throws Exception {
        List<Path> files = Fixtures.syntheaBundles();
        assertEquals(36, files.size(), "the data set's README counts 36 bundles");
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            HttpResponse<String> r = triage(server, Fixtures.read(file));
            if (r.statusCode() != 200) {
                failures.add(file.getFileName() + ": " + r.statusCode() + " " + r.body());
                continue;
            }
            Bundle out = output(r);
            RiskAssessment ra = assessment(out);
            assertEquals(RiskAssessment.RiskAssessmentStatus.FINAL, ra.getStatus());
            assertTrue(ra.getSubject().getReference().startsWith("urn:uuid:"), ra.getSubject().getReference());
            assertFalse(ra.getBasis().isEmpty(), file + ": the blood pressure and pain it used");
            assertEquals(1, ra.getPrediction().size(), "rules only: the assigned level");
            assertTrue(ra.getPrediction().getFirst().getRationale().contains("not a probability"));
            assertTrue(ra.getMethod().getCoding().stream().anyMatch(c -> c.getCode().equals("red-flag-rules") && c.hasVersion()));
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void theAssessmentPointsAtTheObservationsItUsed() throws Exception {
        // Alberto Atencio: the newest blood pressure and pain are both of 2019-03-11 (see the file).
        RiskAssessment alberto = assessment(output(triage(server, Fixtures.read(Fixtures.synthea("Alberto_Atencio_")))));
        assertEquals(List.of("urn:uuid:1a21738f-920e-4ae0-987f-fabbbfea33ef", "urn:uuid:d0959016-1a06-4de1-915a-7e3c20ae8143"),
                alberto.getBasis().stream().map(Reference::getReference).toList());
        assertEquals("urn:uuid:4e8ed886-fd5f-40bb-8feb-f339b04d853a", alberto.getSubject().getReference());
        String rationale = alberto.getPredictionFirstRep().getRationale();
        assertTrue(rationale.contains("vitals.heart_rate") && !rationale.contains("vitals.systolic_bp"),
                "heart rate is missing (Synthea has none), blood pressure is not: " + rationale);

        // Carin Kerluke: the newest is an oral temperature of 2019-11-06, with the encounter's reason that day.
        RiskAssessment carin = assessment(output(triage(server, Fixtures.read(Fixtures.synthea("Carin_Kerluke_")))));
        assertEquals("urn:uuid:92beba1f-9124-4b4f-af66-ae9e8477caa5", carin.getBasis().getFirst().getReference());
        assertTrue(carin.hasEncounter(), "the chief complaint came from the encounter's reasonCode");
        assertTrue(carin.getNote().stream().anyMatch(n -> n.getText().contains("older than the look-back window")));
    }

    // ------------------------------------------------------------------ red flags and the model

    @Test
    void aRedFlagBecomesAFlagWithItsEvidence() throws Exception {
        Bundle out = output(triage(server, bundle(
                complaint("crushing chest pain spreading to my left arm, and sweating"),
                entry("hr", "8867-4", "104", "/min"),
                entry("t", "8310-5", "98.6", "[degF]"))));

        RiskAssessment ra = assessment(out);
        assertEquals("2", ra.getPredictionFirstRep().getOutcome().getCodingFirstRep().getCode(), "emergent");
        List<Flag> flags = flags(out);
        assertFalse(flags.isEmpty());
        Flag acs = flags.getFirst();
        assertTrue(acs.getCode().getText().contains("'crushing chest pain"), acs.getCode().getText());
        assertTrue(acs.getText().getDivAsString().contains("crushing chest pain"), "narrative carries the evidence");
        assertEquals(ra.getSubject().getReference(), acs.getSubject().getReference());
        assertEquals(out.getEntryFirstRep().getFullUrl(),
                ((Reference) acs.getExtensionByUrl("http://hl7.org/fhir/StructureDefinition/flag-detail").getValue()).getReference());
        assertEquals(3, ra.getBasis().size(), "heart rate, temperature, the complaint: " + ra.getBasis());
    }

    @Test
    void aModelsProbabilitiesBecomeOnePredictionPerLevel() throws Exception {
        RiskAssessment ra = assessment(output(triage(withModel, bundle(entry("hr", "8867-4", "80", "/min")))));

        List<RiskAssessmentPredictionComponent> p = ra.getPrediction();
        assertEquals(5, p.size());
        assertEquals(List.of("1", "2", "3", "4", "5"), p.stream().map(c -> c.getOutcome().getCodingFirstRep().getCode()).toList());
        assertEquals(List.of(0.01, 0.09, 0.6, 0.25, 0.05), p.stream().map(c -> c.getProbabilityDecimalType().getValue().doubleValue()).toList());
        assertEquals(List.of("negligible", "low", "high", "moderate", "low"),
                p.stream().map(c -> c.getQualitativeRisk().getCodingFirstRep().getCode()).toList());
        assertTrue(p.get(2).getRationale().startsWith("Assigned level"), p.get(2).getRationale());
        assertTrue(ra.getMethod().getCoding().stream().anyMatch(c -> c.getCode().equals("triage-model")
                && c.getVersion().equals("fixed-test-model@1")));
    }

    // ------------------------------------------------------------------ look-back, missing, Parameters

    @Test
    void aParametersWrappingTheBundleWithALookBack() throws Exception {
        String old = """
                {"fullUrl": "urn:uuid:%s", "resource": %s}""".formatted(Fixtures.uuid("rr"),
                Fixtures.observation(Fixtures.uuid("rr"), "9279-1", "24", "/min", Fixtures.PATIENT)
                        .replace(Fixtures.T, "2024-04-29T10:00:00Z"));
        String record = bundle(old, entry("hr", "8867-4", "80", "/min"));
        RiskAssessment oneDay = assessment(output(triage(server, record)));
        assertEquals(1, oneDay.getBasis().size(), "the respiratory rate is two days old");

        String parameters = """
                {"resourceType": "Parameters", "parameter": [{"name": "bundle", "resource": %s},
                 {"name": "lookBack", "valueDuration": {"value": 72, "system": "http://unitsofmeasure.org", "code": "h"}}]}"""
                .formatted(record);
        RiskAssessment threeDays = assessment(output(triage(server, parameters)));
        assertEquals(2, threeDays.getBasis().size());
    }

    @Test
    void aPatientWithNothingElseIsAssessedWithEverythingMissing() throws Exception {
        RiskAssessment ra = assessment(output(triage(server, bundle())));
        assertTrue(ra.getBasis().isEmpty());
        String rationale = ra.getPredictionFirstRep().getRationale();
        assertTrue(rationale.contains("Not given: vitals.respiratory_rate"), rationale);
        assertEquals("4", ra.getPredictionFirstRep().getOutcome().getCodingFirstRep().getCode(),
                "incomplete data: a routine consultation at least, never self-care");
    }

    // ------------------------------------------------------------------ errors

    @Test
    void malformedBodiesAre400WithTheElementNamed() throws Exception {
        outcome(triage(server, "{\"resourceType\": \"Bundle\", \"entry\": ["), 400, "body");
        OperationOutcome unknown = outcome(triage(server, bundle(entry("hr", "8867-4", "80", "/min")
                .replace("\"status\": \"final\"", "\"status\": \"final\", \"heartRate\": 80"))), 400,
                "Bundle.entry[1].resource.heartRate");
        assertFalse(unknown.getIssueFirstRep().getDiagnostics().contains("80"), "no value echoed");
        outcome(post(server, FhirRouting.TRIAGE, "application/xml", "<Bundle/>"), 415, "body");
    }

    @Test
    void unusableResourcesAre422NamingTheResourceAndElement() throws Exception {
        OperationOutcome unit = outcome(triage(server, bundle(entry("t", "8310-5", "37", "degC"))), 422,
                "Bundle.entry[1].resource.valueQuantity.code");
        assertTrue(unit.getIssueFirstRep().getDiagnostics().contains("Observation urn:uuid:" + Fixtures.uuid("t")));
        outcome(triage(server, bundle(entry("hr", "8867-4", "900", "/min"))), 422,
                "Bundle.entry[1].resource.valueQuantity.value");
        outcome(triage(server, Fixtures.patient()), 422, "Patient");
    }

    @Test
    void theFhirRoutesHaveTheirOwnMetricsSeries() throws Exception {
        triage(server, bundle());
        String metrics = get(server, "/metrics").body();
        assertTrue(metrics.contains("method=\"POST /fhir/r4/$triage\",status=\"200\""), metrics);
    }

    // ------------------------------------------------------------------ CLI

    @Test
    void theAssessCommandPrintsTheOutputBundle() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = new FhirTriage(TriageEngine.standard()).print(Fixtures.read(Fixtures.synthea("Alberto_Atencio_")), out);
        }
        assertEquals(0, code);
        Bundle b = (Bundle) FhirJson.parse(bytes.toString(StandardCharsets.UTF_8));
        assertTrue(b.getEntryFirstRep().getResource() instanceof RiskAssessment);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = new FhirTriage(TriageEngine.standard()).print("{}", out);
        }
        assertEquals(1, code);
        assertTrue(FhirJson.parse(err.toString(StandardCharsets.UTF_8)) instanceof OperationOutcome);
    }
}
