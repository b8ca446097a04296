package health.vclinic.api.review;

import static health.vclinic.api.cli.CommandRun.vclinic;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.cli.CommandRun;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.models.ModelRepository;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vclinic admin export reviews} through the real command line, beside a running server whose embedded
 * PostgreSQL it joins: a review made in the app and one sent by an EHR through CDS Hooks both land in the file,
 * de-identified (no patient reference, record id, clinic, comment or complaint word outside the model's
 * vocabulary; ages in bands), with its sha256 beside it, and the export itself is recorded. The EHR's feedback
 * is on the card of a real CDS Hooks call, whose uuid names the assessment the call was kept as.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReviewExportTest {

    private static final ClinicId CLINIC = new ClinicId("export-a");
    private static final ClinicId OTHER = new ClinicId("export-b");
    /** A word no triage vocabulary has: it must never leave in an export. */
    private static final String DISTINCTIVE = "Quixotrelline";
    private static final String PATIENT = "p-export-7f3a";
    private static final String COMMENT = "spoke to her daughter Marguerite";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static String appReviewed;
    private static String cdsReviewed;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = dir.resolve("data");
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        appReviewed = assess(CLINIC, "crushing chest pain and sweating, my neighbour " + DISTINCTIVE + " drove me in", 58.4);
        cdsReviewed = cdsCard(CLINIC, "fever and a cough for three days", 91);
        String other = assess(OTHER, "chest pain", 40);
        call("POST", "/v1/reviews", CLINIC, Role.CLINICIAN, "{\"assessment_id\":\"" + appReviewed
                + "\",\"action\":\"OVERRIDDEN\",\"level\":1,\"reason\":\"RED_FLAG_MISSED\",\"comment\":\"" + COMMENT + "\"}", 201);
        call("POST", CdsFeedback.PATH, CLINIC, Role.BACKEND, "{\"feedback\":[{\"card\":\"" + cdsReviewed
                + "\",\"outcome\":\"accepted\",\"outcomeTimestamp\":\"2026-03-01T10:05:31Z\"}]}", 200);
        call("POST", "/v1/reviews", OTHER, Role.CLINICIAN, "{\"assessment_id\":\"" + other + "\",\"action\":\"CONFIRMED\"}",
                201);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String assess(ClinicId clinic, String complaint, double age) throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree(TestSupport.exampleLines().get(0));
        request.put("patient_ref", PATIENT);
        ((ObjectNode) request.get("patient")).put("age_years", age);
        ((ObjectNode) request.get("interview")).put("chief_complaint", complaint);
        return JSON.readTree(call("POST", "/v1/triage:assess", clinic, Role.BACKEND, request.toString(), 200))
                .get("record_id").asText();
    }

    /**
     * A CDS Hooks patient-view call of {@code clinic}'s EHR about the export's patient, aged {@code age} years,
     * with a few vital signs and a complaint prefetched; returns the card's uuid.
     */
    private static String cdsCard(ClinicId clinic, String complaint, int age) throws Exception {
        String born = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusYears(age).minusDays(100).toString();
        String patient = """
                {"resourceType": "Patient", "id": "pt-1", "identifier": [{"system": "%s", "value": "%s"}],
                 "gender": "female", "birthDate": "%s"}""".formatted(health.vclinic.api.fhir.FhirPatientRef.SYSTEM,
                PATIENT, born);
        String vitals = """
                {"resourceType": "Bundle", "type": "searchset", "entry": [%s, %s]}""".formatted(
                observation("hr", "8867-4", "104", "/min"), observation("t", "8310-5", "38.4", "Cel"));
        String questionnaires = """
                {"resourceType": "Bundle", "type": "searchset", "entry": [{"fullUrl": "https://ehr.example.org/fhir/QuestionnaireResponse/q1",
                 "resource": {"resourceType": "QuestionnaireResponse", "id": "q1", "status": "completed",
                 "subject": {"reference": "Patient/pt-1"}, "authored": "%s",
                 "item": [{"linkId": "8661-1", "text": "What brings you here today?", "answer": [{"valueString": "%s"}]}]}}]}"""
                .formatted(java.time.Instant.now().minusSeconds(600), complaint);
        String request = """
                {"hookInstance": "%s", "hook": "patient-view", "fhirServer": "https://ehr.example.org/fhir",
                 "context": {"userId": "Practitioner/7", "patientId": "pt-1"},
                 "prefetch": {"patient": %s, "vitals": %s, "questionnaires": %s}}""".formatted(java.util.UUID.randomUUID(),
                patient, vitals, questionnaires);
        JsonNode cards = JSON.readTree(call("POST", "/cds-services/vclinic-triage", clinic, Role.BACKEND, request, 200));
        return cards.at("/cards/0/uuid").asText();
    }

    private static String observation(String id, String loinc, String value, String ucum) {
        return """
                {"fullUrl": "https://ehr.example.org/fhir/Observation/%s", "resource": {"resourceType": "Observation",
                 "id": "%s", "status": "final",
                 "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                 "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]}, "subject": {"reference": "Patient/pt-1"},
                 "effectiveDateTime": "%s", "valueQuantity": {"value": %s, "system": "http://unitsofmeasure.org", "code": "%s"}}}"""
                .formatted(id, id, loinc, java.time.Instant.now().minusSeconds(600), value, ucum);
    }

    private static String call(String method, String path, ClinicId clinic, Role role, String body, int status)
            throws Exception {
        HttpResponse<String> r = ReviewApiTest.http(server.port(), method, path, clinic, role, body);
        assertEquals(status, r.statusCode(), r.body());
        return r.body();
    }

    @Test
    void reviewsFromTheAppAndFromCdsHooksAreExportedDeIdentified() throws Exception {
        Path file = dir.resolve("exports/reviews.jsonl");
        CommandRun run = vclinic("admin", "export", "reviews", "--since", "2026-01-01", "--out", file.toString(),
                "--clinic", CLINIC.value(), "--subject", "ds:alice", "--data-dir", dir.resolve("data").toString(), "--key-dir", dir.resolve("data/keys").toString());
        assertEquals(0, run.code(), run.err());
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String sha256 = health.vclinic.models.Sha256.sha256(file);
        assertTrue(run.out().contains("sha256 " + sha256), run.out());
        assertEquals(sha256 + "  reviews.jsonl\n", Files.readString(ReviewExportFile.sha256File(file)));

        ReviewExportFile.Export export = ReviewExportFile.read(file);
        assertEquals(2, export.header().count(), "clinic B's review is not in clinic A's export");
        assertEquals("ds:alice", export.header().exportedBy());
        assertEquals(List.of(CLINIC.value()), export.header().clinics());
        String served = ModelRepository.open(TestSupport.projectRoot().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .resolve("triage-acuity").id();
        assertEquals(served, export.header().vocabularyOf());
        ReviewedCase app = export.cases().stream().filter(c -> c.source() == ReviewSource.APP).findFirst().orElseThrow();
        ReviewedCase cds = export.cases().stream().filter(c -> c.source() == ReviewSource.CDS_HOOKS).findFirst()
                .orElseThrow();
        List<String> vocabulary = TriageModelSpec.fromCard(ModelRepository.open(TestSupport.projectRoot()
                .resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)).resolve("triage-acuity").card().json()).vocabulary().terms();
        assertAll(
                () -> assertEquals(ReviewAction.OVERRIDDEN, app.action()),
                () -> assertEquals(1, app.clinicianLevel().orElseThrow()),
                () -> assertEquals(Optional.of(ReasonCode.RED_FLAG_MISSED), app.reason()),
                () -> assertEquals("55-59", app.ageBand().orElseThrow().label()),
                () -> assertEquals(104.0, app.vitals().heartRate().orElseThrow(), "vital signs are kept"),
                () -> assertTrue(app.complaintTerms().contains("chest"), app.complaintTerms().toString()),
                () -> assertTrue(vocabulary.containsAll(app.complaintTerms()), "only the model's vocabulary leaves"),
                () -> assertFalse(app.redFlags().isEmpty(), "the red flags by rule id"),
                () -> assertEquals(ReviewAction.CONFIRMED, cds.action()),
                () -> assertEquals(cds.serviceLevel(), cds.clinicianLevel().orElseThrow()),
                () -> assertEquals("90+", cds.ageBand().orElseThrow().label()),
                () -> assertEquals("2026-03", cds.reviewedMonth().toString()));

        String lower = text.toLowerCase(Locale.ROOT);
        for (String secret : List.of(DISTINCTIVE, "neighbour", PATIENT, "patient_ref", COMMENT, "Marguerite",
                appReviewed, cdsReviewed, "crushing chest pain", "58.4", "demo-001")) {
            assertFalse(lower.contains(secret.toLowerCase(Locale.ROOT)), "the export holds '" + secret + "'");
        }
        // The clinic is named once, in the header; never on a case.
        assertFalse(text.lines().skip(1).anyMatch(l -> l.contains(CLINIC.value())));

        try (Connection c = record.database().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT exported_by, exported_role, cases, sha256 FROM review_export"
                     + " WHERE exported_by = 'ds:alice'");
             ResultSet rs = s.executeQuery()) {
            assertTrue(rs.next(), "the export is recorded");
            assertEquals("ds:alice", rs.getString(1));
            assertEquals("data-scientist", rs.getString(2));
            assertEquals(2, rs.getInt(3));
            assertEquals(sha256, rs.getString(4));
        }
    }

    @Test
    void aChangedFileIsRefusedAndABadDateIsAUsageError() throws Exception {
        Path file = dir.resolve("changed.jsonl");
        CommandRun run = vclinic("admin", "export", "reviews", "--since", "2026-01-01", "--out", file.toString(),
                "--data-dir", dir.resolve("data").toString(), "--key-dir", dir.resolve("data/keys").toString());
        assertEquals(0, run.code(), run.err());
        Files.writeString(file, Files.readString(file).replace("\"OVERRIDDEN\"", "\"CONFIRMED\""));
        var refused = org.junit.jupiter.api.Assertions.assertThrows(health.vclinic.datasets.InvalidInputException.class,
                () -> ReviewExportFile.read(file));
        assertTrue(refused.getMessage().contains("changed after it was exported"), refused.getMessage());
        CommandRun bad = vclinic("admin", "export", "reviews", "--since", "last week", "--out", file.toString(),
                "--data-dir", dir.resolve("data").toString(), "--key-dir", dir.resolve("data/keys").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--since"), bad.err());
    }
}
