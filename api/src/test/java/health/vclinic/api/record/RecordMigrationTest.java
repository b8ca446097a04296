package health.vclinic.api.record;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.api.fhir.FhirCall;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database of the previous schema version migrated by the current code: an empty PostgreSQL is
 * migrated to V1 only, rows are written as V1 knows them (plain SQL, not today's code), then the record is
 * opened (Flyway takes it to the latest version) and everything reads back through the current code.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecordMigrationTest {

    @TempDir
    Path dir;

    @Test
    void rowsWrittenUnderV1ReadBackAfterMigratingToTheLatestSchema() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/record").target("1").load()
                    .migrate();
            assertEquals(List.of("1"), versions(url));

            PatientRef patient = new PatientRef("pt-migrated");
            TriageRequest request = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst()).toBuilder()
                    .setPatientRef(patient.value()).build();
            TriageAssessment answer = TriageEndpoint.standard().assess(TestSecurity.caller(ClinicId.DEFAULT, health.vclinic.api.security.Role.BACKEND), request);
            Instant t = Instant.parse("2026-01-10T08:00:00Z");
            UUID assessment = UUID.randomUUID();
            UUID event = UUID.randomUUID();
            UUID image = UUID.randomUUID();
            UUID call = UUID.randomUUID();
            String riskAssessment = "{\"resourceType\":\"RiskAssessment\",\"id\":\"" + call + "\",\"status\":\"final\"}";
            try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
                insert(c, "INSERT INTO triage_assessment (record_id, clinic_id, patient_ref, assessed_at, latency_micros,"
                        + " level, decided_by, model_versions, request, result) VALUES (?, 'default', ?, ?, 1234, ?, ?,"
                        + " '{rules=1}', ?, ?)", assessment, patient.value(), utc(t), answer.getLevel(),
                        answer.getDecidedBy(), request.toByteArray(), answer.toByteArray());
                insert(c, "INSERT INTO alert_event (event_id, clinic_id, patient_ref, alert_id, state, severity,"
                        + " occurred_at, event) VALUES (?, 'default', ?, 'a-1', 'RAISED', 'HIGH', ?, ?)", event,
                        patient.value(), utc(t.plusSeconds(1)), Alert.newBuilder().setAlertId("a-1")
                                .setState(AlertState.RAISED).build().toByteArray());
                insert(c, "INSERT INTO imaging_analysis (record_id, clinic_id, patient_ref, analyzed_at, model_id,"
                        + " finding, image, result) VALUES (?, 'default', ?, ?, 'm@1', 'normal', ?, ?)", image,
                        patient.value(), utc(t.plusSeconds(2)), new byte[] {1, 2, 3},
                        ImageAnalysis.newBuilder().setLabel("normal").build().toByteArray());
                insert(c, "INSERT INTO fhir_call (record_id, clinic_id, patient_ref, called_at, operation, request,"
                        + " risk_assessment) VALUES (?, 'default', ?, ?, '$triage', ?, ?)", call, patient.value(),
                        utc(t.plusSeconds(3)), "{}".getBytes(StandardCharsets.UTF_8),
                        riskAssessment.getBytes(StandardCharsets.UTF_8));
            }

            try (ClinicalRecord record = ClinicalRecord.open(Database.external(url, "postgres", ""), health.vclinic.api.TestKeys.master(dir),
                    dir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty())) {
                List<String> all = versions(url);
                assertEquals("1", all.getFirst());
                assertTrue(all.size() >= 2, "migrated past V1: " + all);
                // Opening sealed the rows V1 kept in clear: no reference and no message left as written.
                try (Connection c = DriverManager.getConnection(url, "postgres", "");
                     PreparedStatement s = c.prepareStatement("SELECT count(*) FROM triage_assessment"
                             + " WHERE NOT sealed OR patient_ref = ? OR request = ?")) {
                    s.setString(1, patient.value());
                    s.setBytes(2, request.toByteArray());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        assertEquals(0, rs.getLong(1));
                    }
                }
                RecordedAssessment back = record.store().assessment(ClinicId.DEFAULT, assessment).orElseThrow();
                assertEquals(request, back.getRequest());
                assertEquals(answer, back.getAssessment());

                List<TimelineEntry> timeline = record.store().everything(ClinicId.DEFAULT, patient);
                List<TimelineEntry.EntryCase> kinds = new ArrayList<>();
                timeline.forEach(e -> kinds.add(e.getEntryCase()));
                assertEquals(List.of(TimelineEntry.EntryCase.FHIR_CALL, TimelineEntry.EntryCase.IMAGE_ANALYSIS,
                        TimelineEntry.EntryCase.ALERT, TimelineEntry.EntryCase.ASSESSMENT), kinds);
                assertEquals(riskAssessment, timeline.getFirst().getFhirCall().getRiskAssessment());
                assertEquals(FhirCall.TRIAGE, timeline.getFirst().getFhirCall().getOperation());
                assertEquals(event.toString(), timeline.get(2).getAlert().getEventId());
                assertTrue(record.export(ClinicId.DEFAULT, patient).contains("\"id\":\"" + call + "\""));

                // The new table works beside the old rows, and erasure takes both.
                assertEquals(0, record.store().vitals(ClinicId.DEFAULT, patient, Instant.EPOCH, 10).size());
                RetentionPurgeTest.insertOneOfEachKind(record.store(), ClinicId.DEFAULT, patient, t.plusSeconds(60));
                assertEquals(1, record.store().vitals(ClinicId.DEFAULT, patient, Instant.EPOCH, 10).size());
                assertEquals(9, record.erase(ClinicId.DEFAULT, patient));
                assertFalse(record.store().assessment(ClinicId.DEFAULT, assessment).isPresent());
                assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, patient));
            }
        }
    }

    private static List<String> versions(String url) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement s = c.prepareStatement("SELECT version FROM flyway_schema_history WHERE success"
                     + " AND version IS NOT NULL ORDER BY installed_rank");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void insert(Connection c, String sql, Object... values) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            assertEquals(1, s.executeUpdate());
        }
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
