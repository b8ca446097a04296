package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.TriageRecorder.Receipt;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * When an assessment is answered, against the real PostgreSQL: with the assessment table locked (the
 * writer's insert waits on the lock), {@code journal} durability answers at once and commits once the lock
 * goes; {@code commit} durability gives no answer until its row is committed. Deterministic: the writer is
 * seen waiting in {@code pg_locks} before anything is asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecordDurabilityTest {

    @TempDir
    Path dataDir;

    private final TriageRequest request = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst());
    private final TriageAssessment assessment = TriageEndpoint.standard().assess(TestSecurity.caller(ClinicId.DEFAULT, Role.BACKEND), request);

    @Test
    void withJournalDurabilityTheAnswerDoesNotWaitForTheCommit() throws Exception {
        try (ClinicalRecord record = open(AssessmentLog.Durability.JOURNAL);
             Connection lock = lockedAssessments()) {
            Receipt answer = record.assessments().record(TestSecurity.caller(ClinicId.DEFAULT, Role.BACKEND), request,
                    assessment, 1000);
            assertTrue(answer.recorded());
            awaitWriterWaitingOnTheLock(lock);
            assertEquals(0, rows(lock, answer.recordId().orElseThrow()), "not committed while the table is locked");
            lock.rollback();
            record.assessments().settle();
            assertEquals(1, rowsNow(answer.recordId().orElseThrow()));
        }
    }

    @Test
    void withCommitDurabilityTheAnswerWaitsForItsCommit() throws Exception {
        try (ClinicalRecord record = open(AssessmentLog.Durability.COMMIT);
             Connection lock = lockedAssessments()) {
            CompletableFuture<Receipt> answer = CompletableFuture.supplyAsync(() -> record.assessments().record(
                    TestSecurity.caller(ClinicId.DEFAULT, Role.BACKEND), request, assessment, 1000));
            awaitWriterWaitingOnTheLock(lock);
            assertFalse(answer.isDone(), "no answer while its insert waits on the lock");
            lock.rollback();
            Receipt receipt = answer.get(60, TimeUnit.SECONDS);
            assertTrue(receipt.recorded());
            assertEquals(1, rowsNow(receipt.recordId().orElseThrow()));
        }
    }

    private DataSource dataSource;

    private ClinicalRecord open(AssessmentLog.Durability durability) {
        Database database = Database.embedded(dataDir, OptionalInt.empty());
        dataSource = database.dataSource();
        return ClinicalRecord.open(database, health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty(), durability);
    }

    private Connection lockedAssessments() throws Exception {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE triage_assessment IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    /** Until another session waits for a lock on the assessment table (the writer's insert). */
    private static void awaitWriterWaitingOnTheLock(Connection lock) throws Exception {
        while (true) {
            try (PreparedStatement s = lock.prepareStatement("SELECT count(*) FROM pg_locks WHERE NOT granted"
                    + " AND relation = 'triage_assessment'::regclass"); ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getInt(1) > 0) {
                    return;
                }
            }
            Thread.sleep(10);
        }
    }

    private static int rows(Connection c, String id) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM triage_assessment WHERE record_id = ?")) {
            s.setObject(1, UUID.fromString(id));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private int rowsNow(String id) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            return rows(c, id);
        }
    }
}
