package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.cli.MonitoringBench;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.monitoring.VitalsRecorder;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.server.ClinicId;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clinic at its cap of monitored patients, each sending several samples within a minute, gets a trend row per
 * patient and minute, not one per sample: the trend writer keeps every patient's minute open until it writes
 * (every 10 s). With 8,192 open windows and 16,384 queued samples at most, as before, it wrote them all whenever
 * that many patients had sent, and a burst like this one lost samples (3,393 of 30,000 in one run).
 */
class VitalsWindowsTest {

    @Test
    void manyPatientsSendingWithinAMinuteGetARowPerPatientMinuteAndLoseNothing(@TempDir Path dataDir)
            throws Exception {
        int patients = 10_000;
        int samplesEach = 3;
        ClinicalRecord record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()),
                health.vclinic.api.TestKeys.master(dataDir), dataDir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        try {
            VitalsRecorder vitals = record.vitals();
            ClinicId clinic = new ClinicId("many-patients");
            VitalSample base = MonitoringBench.sample("x", 0);
            Instant minute = Instant.parse("2026-12-04T10:00:00Z");
            for (int s = 0; s < samplesEach; s++) {
                com.google.protobuf.Timestamp at = MonitoringMapper.timestamp(minute.plusSeconds(s));
                for (int p = 0; p < patients; p++) {
                    vitals.record(clinic, MonitoringMapper.toDomain(base.toBuilder().setPatientRef("pt-" + p)
                            .setTimestamp(at).build()));
                }
            }
            record.flushVitals();
            long rows;
            try (var c = record.database().dataSource().getConnection();
                 PreparedStatement q = c.prepareStatement("SELECT count(*) FROM vital_window WHERE clinic_id = ?")) {
                q.setString(1, clinic.value());
                try (ResultSet r = q.executeQuery()) {
                    r.next();
                    rows = r.getLong(1);
                }
            }
            ClinicalRecord.Kept kept = record.vitalSamples();
            assertEquals(patients * samplesEach, kept.committed(), "every sample kept");
            assertEquals(0, kept.lost());
            // One row per patient, or two where the 10 s timer wrote between a patient's samples.
            assertTrue(rows >= patients && rows <= 2L * patients, rows + " rows for " + patients + " patients");
        } finally {
            record.close();
        }
    }
}
