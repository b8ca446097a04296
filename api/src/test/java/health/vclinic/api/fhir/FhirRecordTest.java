package health.vclinic.api.fhir;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.RecordStore;
import health.vclinic.api.record.v1.RecordedFhirCall;
import health.vclinic.api.record.v1.TimelinePage;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FHIR {@code $triage} and CDS Hooks calls kept in the clinical record, and the record read back through
 * FHIR R4 (RiskAssessment read and search, Flag search), on a real server over a real PostgreSQL (the
 * embedded one, in a fresh data directory). Every resource and Bundle read back is valid R4
 * ({@link R4Validator}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FhirRecordTest {

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(), Optional.of(record),
                "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
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

    private static HttpResponse<String> post(String path, String contentType, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathOrUrl) throws IOException, InterruptedException {
        URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : "http://127.0.0.1:" + server.port() + pathOrUrl);
        // A patient's export is the admin's; everything else here is read as a backend.
        String who = uri.getPath().endsWith("/export") ? TestSecurity.header(health.vclinic.api.security.Role.ADMIN)
                : TestSecurity.backendHeader();
        return http.send(HttpRequest.newBuilder(uri).header("authorization", who).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A septic-looking record of a Patient with these identifiers ({@code [system, value]} pairs). */
    private static String bundle(String[]... identifiers) {
        StringBuilder ids = new StringBuilder();
        for (String[] id : identifiers) {
            ids.append(ids.isEmpty() ? "" : ",").append("{\"system\": \"").append(id[0]).append("\", \"value\": \"")
                    .append(id[1]).append("\"}");
        }
        String patient = """
                {"resourceType": "Patient", "id": "%s", "identifier": [%s], "gender": "male", "birthDate": "1956-02-11"}"""
                .formatted(Fixtures.PATIENT_ID, ids);
        return Fixtures.bundle(Fixtures.entry("hr", "8867-4", "128", "/min"), Fixtures.entry("rr", "9279-1", "26", "/min"),
                Fixtures.entry("t", "8310-5", "39.4", "Cel")).replace(Fixtures.patient(), patient);
    }

    private static String[] ref(String value) {
        return new String[] {FhirPatientRef.SYSTEM, value};
    }

    /** A {@code $triage} call that succeeded: the answered RiskAssessment. */
    private static RiskAssessment triage(String body) throws Exception {
        HttpResponse<String> r = post(FhirRouting.TRIAGE, "application/fhir+json", body);
        assertEquals(200, r.statusCode(), r.body());
        Bundle out = (Bundle) FhirJson.parse(r.body());
        RiskAssessment ra = (RiskAssessment) out.getEntryFirstRep().getResource();
        // HAPI names a Bundle entry by its urn:uuid fullUrl; the id on the wire is the resource's own.
        String id = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("entry").get(0).getAsJsonObject()
                .getAsJsonObject("resource").get("id").getAsString();
        assertEquals("urn:uuid:" + id, out.getEntryFirstRep().getFullUrl());
        ra.setIdElement(new org.hl7.fhir.r4.model.IdType(id));
        return ra;
    }

    private static <T extends IBaseResource> T fhir(HttpResponse<String> r, int status, Class<T> type) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/fhir+json", r.headers().firstValue("Content-Type").orElse(""));
        IBaseResource parsed = FhirJson.parse(r.body());
        assertEquals(List.of(), R4Validator.errors(parsed), r.body());
        return type.cast(parsed);
    }

    @Test
    void aTriageCallIsKeptUnderItsRiskAssessmentIdAndReadsBackAsAnswered() throws Exception {
        String body = bundle(new String[] {"http://hospital.example.org/mrn", "MRN-1"}, ref("pt-fhir-kept"));
        RiskAssessment answered = triage(body);
        String id = answered.getIdElement().getIdPart();
        UUID.fromString(id);
        // The vclinic identifier wins over the first one, and the subject says so.
        assertEquals("pt-fhir-kept", answered.getSubject().getIdentifier().getValue());
        assertEquals(FhirPatientRef.SYSTEM, answered.getSubject().getIdentifier().getSystem());

        RiskAssessment read = fhir(get("/fhir/r4/RiskAssessment/" + id), 200, RiskAssessment.class);
        // As answered, element for element (HAPI's equalsDeep compares narrative nodes by identity).
        assertEquals(FhirJson.encode(answered, true), FhirJson.encode(read, true));

        RecordedFhirCall kept = record.store().fhirCall(ClinicId.DEFAULT, UUID.fromString(id)).orElseThrow();
        assertEquals("pt-fhir-kept", kept.getPatientRef());
        assertEquals(FhirCall.TRIAGE, kept.getOperation());
        assertEquals(body, kept.getRequest());

        // The call is on the patient's timeline once, as the assessment it stands for (same id), like those
        // made over gRPC or HTTP: the request the FHIR reader made of it, and the engine's answer.
        HttpResponse<String> timeline = get("/v1/record/patients/pt-fhir-kept/timeline");
        assertEquals(200, timeline.statusCode());
        TimelinePage.Builder page = TimelinePage.newBuilder();
        JsonFormat.parser().merge(timeline.body(), page);
        assertEquals(1, page.getEntriesCount());
        var assessment = page.getEntries(0).getAssessment();
        assertEquals(id, assessment.getRecordId());
        assertEquals("pt-fhir-kept", assessment.getRequest().getPatientRef());
        assertEquals(128.0, assessment.getRequest().getVitals().getHeartRate());
        assertEquals(answered.getPredictionFirstRep().getOutcome().getCodingFirstRep().getCode(),
                Integer.toString(assessment.getAssessment().getLevel()));
        // FHIR reads it once too, as the RiskAssessment answered.
        Bundle search = fhir(get("/fhir/r4/RiskAssessment?patient=pt-fhir-kept"), 200, Bundle.class);
        assertEquals(1, search.getEntry().size());
        RiskAssessment found = (RiskAssessment) search.getEntryFirstRep().getResource();
        assertEquals(id, found.getIdElement().getIdPart());
        assertEquals(answered.getMitigation(), found.getMitigation());
    }

    @Test
    void withoutTheVclinicSystemTheFirstIdentifierIsThePatientRefAndABadOneIsNamed() throws Exception {
        String parameters = """
                {"resourceType": "Parameters", "parameter": [{"name": "bundle", "resource": %s}]}"""
                .formatted(bundle(new String[] {"http://hospital.example.org/mrn", "MRN-2"},
                        new String[] {"http://hospital.example.org/other", "OTHER-2"}));
        RiskAssessment answered = triage(parameters);
        assertEquals("MRN-2", record.store().fhirCall(ClinicId.DEFAULT,
                UUID.fromString(answered.getIdElement().getIdPart())).orElseThrow().getPatientRef());

        HttpResponse<String> bad = post(FhirRouting.TRIAGE, "application/fhir+json",
                bundle(new String[] {"http://hospital.example.org/mrn", "943 476 5919"}));
        OperationOutcome outcome = fhir(bad, 422, OperationOutcome.class);
        assertEquals("Bundle.entry[0].resource.identifier[0].value",
                outcome.getIssueFirstRep().getExpression().getFirst().getValue());
        assertFalse(bad.body().contains("943"), "the rejected value is never repeated");

        // No identifier: the call is kept without a patient.
        RiskAssessment anonymous = triage(Fixtures.bundle(Fixtures.entry("hr", "8867-4", "128", "/min")));
        assertFalse(anonymous.getSubject().hasIdentifier());
        assertTrue(record.store().fhirCall(ClinicId.DEFAULT, UUID.fromString(anonymous.getIdElement().getIdPart()))
                .orElseThrow().getPatientRef().isEmpty());
    }

    @Test
    void aCdsHooksCallIsKeptAndItsCardNamesTheRiskAssessment() throws Exception {
        String request = """
                {"hookInstance": "%s", "hook": "patient-view", "fhirServer": "https://ehr.example.org/fhir",
                 "context": {"userId": "Practitioner/123", "patientId": "%s"},
                 "prefetch": {"patient": %s, "vitals": null}}"""
                .formatted(UUID.randomUUID(), Fixtures.PATIENT_ID, Fixtures.patient());
        HttpResponse<String> r = post(FhirRouting.CDS_TRIAGE, "application/json", request);
        assertEquals(200, r.statusCode(), r.body());
        String cardId = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("cards").get(0)
                .getAsJsonObject().get("uuid").getAsString();

        RiskAssessment read = fhir(get("/fhir/r4/RiskAssessment/" + cardId), 200, RiskAssessment.class);
        assertEquals(cardId, read.getIdElement().getIdPart());
        // The Patient has no identifier: context.patientId is the patient_ref.
        assertEquals(Fixtures.PATIENT_ID, read.getSubject().getIdentifier().getValue());
        RecordedFhirCall kept = record.store().fhirCall(ClinicId.DEFAULT, UUID.fromString(cardId)).orElseThrow();
        assertEquals(FhirCall.PATIENT_VIEW, kept.getOperation());
        assertEquals(Fixtures.PATIENT_ID, kept.getPatientRef());
        assertEquals(request, kept.getRequest());
    }

    @Test
    void aPatientsRiskAssessmentsAreASearchsetNewestFirstPagedByNextLinks() throws Exception {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            if (i % 2 == 0) {
                made.add(triage(bundle(ref("pt-fhir-search"))).getIdElement().getIdPart());
            } else {
                made.add(assessOverHttp("pt-fhir-search").getRecordId());
            }
        }
        triage(bundle(ref("pt-fhir-someone-else")));

        List<String> seen = new ArrayList<>();
        String next = "/fhir/r4/RiskAssessment?patient=pt-fhir-search&_count=2";
        int pages = 0;
        while (next != null) {
            Bundle page = fhir(get(next), 200, Bundle.class);
            assertEquals(Bundle.BundleType.SEARCHSET, page.getType());
            assertTrue(page.getEntry().size() <= 2);
            assertTrue(page.getLink("self").getUrl().contains("patient=pt-fhir-search"));
            for (Bundle.BundleEntryComponent e : page.getEntry()) {
                RiskAssessment ra = (RiskAssessment) e.getResource();
                assertEquals("pt-fhir-search", ra.getSubject().getIdentifier().getValue());
                assertTrue(e.getFullUrl().endsWith("/fhir/r4/RiskAssessment/" + ra.getIdElement().getIdPart()));
                seen.add(ra.getIdElement().getIdPart());
            }
            next = page.getLink("next") == null ? null : page.getLink("next").getUrl();
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(made.reversed(), seen);
        // An assessment made over HTTP JSON reads back by id as a RiskAssessment too.
        fhir(get("/fhir/r4/RiskAssessment/" + made.get(1)), 200, RiskAssessment.class);
    }

    private static TriageAssessment assessOverHttp(String patientRef) throws Exception {
        TriageRequest request = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst()).toBuilder()
                .setPatientRef(patientRef).build();
        HttpResponse<String> r = post("/v1/triage:assess", "application/json", JsonFormat.printer().print(request));
        assertEquals(200, r.statusCode(), r.body());
        TriageAssessment.Builder b = TriageAssessment.newBuilder();
        JsonFormat.parser().merge(r.body(), b);
        assertTrue(b.getRecorded());
        return b.build();
    }

    @Test
    void monitoringAlertsAreFlagsActiveWhileOpenInactiveOnceResolved() throws Exception {
        PatientRef patient = new PatientRef("pt-fhir-flags");
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        record.store().insertAlertEvents(List.of(
                alert(patient, "a-open", AlertState.RAISED, Severity.HIGH, t),
                alert(patient, "a-closed", AlertState.RAISED, Severity.MEDIUM, t.plusSeconds(60)),
                alert(patient, "a-closed", AlertState.RESOLVED, Severity.MEDIUM, t.plusSeconds(600))));

        Bundle first = fhir(get("/fhir/r4/Flag?patient=pt-fhir-flags&_count=1"), 200, Bundle.class);
        assertEquals(1, first.getEntry().size());
        Flag closed = (Flag) first.getEntryFirstRep().getResource();
        assertEquals("a-closed", closed.getIdElement().getIdPart());
        assertEquals(Flag.FlagStatus.INACTIVE, closed.getStatus());
        assertEquals(t.plusSeconds(60), closed.getPeriod().getStart().toInstant());
        assertEquals(t.plusSeconds(600), closed.getPeriod().getEnd().toInstant());

        Bundle second = fhir(get(first.getLink("next").getUrl()), 200, Bundle.class);
        Flag open = (Flag) second.getEntryFirstRep().getResource();
        assertEquals("a-open", open.getIdElement().getIdPart());
        assertEquals(Flag.FlagStatus.ACTIVE, open.getStatus());
        assertFalse(open.getPeriod().hasEnd());
        assertEquals("pt-fhir-flags", open.getSubject().getIdentifier().getValue());
        assertTrue(second.getLink("next") == null);
    }

    private static RecordStore.AlertRow alert(PatientRef patient, String id, AlertState state, Severity severity,
                                              Instant at) {
        return new RecordStore.AlertRow(UUID.randomUUID(), ClinicId.DEFAULT, patient, at, Alert.newBuilder()
                .setAlertId(id).setPatientRef(patient.value()).setState(state).setSeverity(severity)
                .setKind(AlertKind.NEWS2).setReason("NEWS2 7").build());
    }

    @Test
    void anAbsentIdOrAnotherClinicsRecordIsNotFound() throws Exception {
        OperationOutcome missing = fhir(get("/fhir/r4/RiskAssessment/" + UUID.randomUUID()), 404, OperationOutcome.class);
        assertEquals(OperationOutcome.IssueType.NOTFOUND, missing.getIssueFirstRep().getCode());
        fhir(get("/fhir/r4/RiskAssessment/not-a-record-id"), 404, OperationOutcome.class);

        UUID elsewhere = UUID.randomUUID();
        record.store().insertFhirCall(new RecordStore.FhirCallRow(new ClinicId("another-clinic"), new FhirCall(elsewhere,
                Optional.of(new PatientRef("pt-fhir-elsewhere")), Instant.now(), FhirCall.TRIAGE, "{}",
                "{\"resourceType\":\"RiskAssessment\",\"id\":\"" + elsewhere + "\",\"status\":\"final\","
                        + "\"subject\":{\"display\":\"x\"}}")));
        fhir(get("/fhir/r4/RiskAssessment/" + elsewhere), 404, OperationOutcome.class);
        Bundle none = fhir(get("/fhir/r4/RiskAssessment?patient=pt-fhir-elsewhere"), 200, Bundle.class);
        assertEquals(0, none.getEntry().size());
    }

    @Test
    void badSearchParametersAreClientErrorsNamingThem() throws Exception {
        assertNamed(get("/fhir/r4/RiskAssessment"), "patient");
        assertNamed(get("/fhir/r4/Flag?patient=a%20b"), "patient");
        assertNamed(get("/fhir/r4/RiskAssessment?patient=p&_count=0"), "_count");
        assertNamed(get("/fhir/r4/RiskAssessment?patient=p&_count=101"), "_count");
        assertNamed(get("/fhir/r4/Flag?patient=p&_page_token=not-a-token"), "_page_token");
    }

    private static void assertNamed(HttpResponse<String> r, String parameter) {
        OperationOutcome outcome = fhir(r, 400, OperationOutcome.class);
        assertEquals(parameter, outcome.getIssueFirstRep().getExpression().getFirst().getValue());
    }

    @Test
    void exportCarriesTheFhirCallsAndErasureRemovesThem() throws Exception {
        String id = triage(bundle(ref("pt-fhir-erase"))).getIdElement().getIdPart();
        // A trend window too: its Observations are part of the export (one per vital sign, six here).
        record.store().insertVitalWindows(List.of(new RecordStore.VitalWindowRow(UUID.randomUUID(), ClinicId.DEFAULT,
                new PatientRef("pt-fhir-erase"), Instant.parse("2024-05-01T10:00:00Z"), 2,
                java.util.Collections.nCopies(6, new RecordStore.Summary(2, 190, 90, 100)))));
        Bundle export = fhir(get("/v1/record/patients/pt-fhir-erase/export"), 200, Bundle.class);
        assertTrue(export.getEntry().stream().anyMatch(e -> e.getResource() instanceof RiskAssessment ra
                && ra.getIdElement().getIdPart().equals(id)));
        assertEquals(6, export.getEntry().stream().filter(e -> e.getResource() instanceof Observation).count());
        // One RiskAssessment for the call and the assessment it was kept as, with both requests beside it.
        assertEquals(1, export.getEntry().stream().filter(e -> e.getResource() instanceof RiskAssessment).count());
        assertEquals(java.util.Set.of("fhir-request-" + id, "request-" + id, "result-" + id), export.getEntry().stream()
                .filter(e -> e.getResource() instanceof org.hl7.fhir.r4.model.Binary)
                .map(e -> e.getResource().getIdElement().getIdPart()).collect(java.util.stream.Collectors.toSet()));

        HttpResponse<String> erased = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v1/record/patients/pt-fhir-erase")).header("authorization", TestSecurity.header(health.vclinic.api.security.Role.ADMIN)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        // The call, the assessment it was kept as, the trend window.
        assertEquals("{\"rows_erased\":3}", erased.body());
        fhir(get("/fhir/r4/RiskAssessment/" + id), 404, OperationOutcome.class);
        assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef("pt-fhir-erase")));
    }
}
