package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import health.vclinic.api.fhir.FhirCall;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.RecordStore.Summary;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention purge, run through the method the hourly schedule runs ({@link ClinicalRecord#purgeExpired}),
 * on a real PostgreSQL: rows of every kind older than the period go, newer ones and other clinics' stay,
 * and the purge is recorded as a RETENTION erasure with its row count and nothing about the patients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetentionPurgeTest {

    @TempDir
    Path dataDir;

    private static final ClinicId OTHER = new ClinicId("other-clinic");

    @Test
    void rowsOlderThanTheRetentionPeriodArePurgedAndThePurgeIsRecorded() throws Exception {
        Duration keepFor = Duration.ofDays(30);
        try (ClinicalRecord record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir),
                dataDir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.of(keepFor))) {
            Instant old = Instant.now().minus(Duration.ofDays(40));
            Instant recent = Instant.now().minus(Duration.ofDays(1));
            PatientRef patient = new PatientRef("pt-retention");
            insertOneOfEachKind(record.store(), ClinicId.DEFAULT, patient, old);
            insertOneOfEachKind(record.store(), ClinicId.DEFAULT, patient, recent);
            insertOneOfEachKind(record.store(), OTHER, patient, old);

            record.purgeExpired();
            assertEquals(0, record.purgeExpired(), "nothing left to purge");

            for (RecordStore.PatientTable table : RecordStore.PATIENT_TABLES) {
                assertEquals(1, count(record, "SELECT count(*) FROM " + table.name() + " WHERE clinic_id = 'default'"),
                        table.name() + ": the recent row stays, the old one goes");
                // The retention period is the service's: another clinic's old rows go too.
                assertEquals(0, count(record, "SELECT count(*) FROM " + table.name() + " WHERE clinic_id = 'other-clinic'"),
                        table.name() + ": the retention period applies to every clinic");
                assertEquals(0, count(record, "SELECT count(*) FROM " + table.name() + " WHERE clinic_id = 'default' AND "
                        + table.timeColumn() + " < now() - interval '30 days'"), table.name());
            }
            // However the purge was split (the schedule also runs once at start), every purged row is counted once.
            assertEquals(RecordStore.PATIENT_TABLES.size(), count(record,
                    "SELECT coalesce(sum(rows_erased), 0) FROM erasure WHERE reason = 'RETENTION' AND clinic_id = 'default'"));
            assertEquals(RecordStore.PATIENT_TABLES.size(), count(record, "SELECT coalesce(sum(rows_erased), 0) FROM"
                    + " erasure WHERE reason = 'RETENTION' AND clinic_id = 'other-clinic'"), "each clinic's purge is its own row");
            assertEquals(0, count(record, "SELECT count(*) FROM erasure e WHERE e::text LIKE '%pt-retention%'"));
        }
    }

    /** One row in every table of the record, at {@code at}. */
    static void insertOneOfEachKind(RecordStore store, ClinicId clinic, PatientRef patient, Instant at)
            throws Exception {
        store.insertAssessments(List.of(new RecordStore.AssessmentRow(UUID.randomUUID(), clinic, Optional.of(patient),
                at, 1000, TriageRequest.newBuilder().setPatientRef(patient.value()).build(),
                TriageAssessment.newBuilder().setLevel(3).build(), Optional.empty())));
        store.insertAlertEvents(List.of(new RecordStore.AlertRow(UUID.randomUUID(), clinic, patient, at,
                Alert.newBuilder().setAlertId(UUID.randomUUID().toString()).setState(AlertState.RAISED).build())));
        store.insertImaging(new RecordStore.ImagingRow(UUID.randomUUID(), clinic, Optional.of(patient), at, "m@1",
                "normal", new byte[] {1, 2, 3}, ImageAnalysis.getDefaultInstance()));
        UUID call = UUID.randomUUID();
        store.insertFhirCall(new RecordStore.FhirCallRow(clinic, new FhirCall(call, Optional.of(patient), at,
                FhirCall.TRIAGE, "{}", "{\"resourceType\":\"RiskAssessment\",\"id\":\"" + call + "\"}")));
        store.insertVitalWindows(List.of(new RecordStore.VitalWindowRow(UUID.randomUUID(), clinic, patient, at, 1,
                Collections.nCopies(Vital.values().length, new Summary(1, 80, 80, 80)))));
    }

    private static long count(ClinicalRecord record, String sql) throws Exception {
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
