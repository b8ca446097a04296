package health.vclinic.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import health.vclinic.api.audit.ChainVerification.Broken;
import health.vclinic.api.audit.ChainVerification.Fault;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chain of ten entries tampered with directly in PostgreSQL, as the tables' owner can (triggers off):
 * verify must name the first entry that was altered, removed or inserted, and call it by what happened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditTamperTest {

    private static final int ENTRIES = 10;
    private static final String SHIFT_UP = "UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 5";
    private static final String COLUMNS = "seq, recorded_at, actor_subject, actor_role, clinic_id, action, object_type,"
            + " object_id, patient_hash, outcome, request_id, reason, prev_mac, entry_mac, chain_mac";

    @TempDir
    static Path dir;
    private static AuditDatabases databases;
    private Database db;
    private AuditLog log;

    @BeforeAll
    static void start() {
        databases = new AuditDatabases(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (databases != null) {
            databases.close();
        }
    }

    @BeforeEach
    void chainOfTen() {
        db = databases.fresh();
        log = AuditLog.open(db.dataSource(), dir.resolve("keys").resolve(AuditLog.KEY_FILE), line -> { });
        for (int i = 0; i < ENTRIES; i++) {
            log.append(AuditDatabases.read(new ClinicId("north"), "dr-" + i, "pt-" + (i % 3), "req-" + i));
        }
        assertEquals(new ChainVerification.Intact(ENTRIES), log.verify());
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void assertBroken(long sequence, Fault fault) {
        ChainVerification found = log.verify();
        assertEquals(Broken.class, found.getClass(), found.describe());
        Broken broken = (Broken) found;
        assertEquals(fault, broken.fault(), broken.describe());
        assertEquals(sequence, broken.sequence(), broken.describe());
        assertEquals(sequence - 1, broken.verified(), broken.describe());
    }

    @Test
    void anAlteredFieldIsNamedAltered() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET outcome = 'FAILURE' WHERE seq = 4");
        assertBroken(4, Fault.ALTERED);
    }

    @Test
    void anAlteredTimeIsNamedAltered() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET recorded_at = recorded_at - interval '1 microsecond'"
                + " WHERE seq = 7");
        assertBroken(7, Fault.ALTERED);
    }

    @Test
    void anAlteredLastEntryIsNamedAltered() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET actor_subject = 'someone-else' WHERE seq = 10");
        assertBroken(10, Fault.ALTERED);
    }

    @Test
    void anEntryWithItsFieldsAndEntryMacReplacedIsStillAlteredWhenTheNextLinksToIt() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET object_id = 'other', entry_mac = sha256('x') WHERE seq = 6");
        assertBroken(6, Fault.ALTERED);
    }

    @Test
    void anAlteredChainMacIsNamedAltered() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET chain_mac = sha256('x') WHERE seq = 3");
        assertBroken(3, Fault.ALTERED);
    }

    @Test
    void aDeletedEntryIsNamedRemoved() throws Exception {
        AuditDatabases.tamper(db, "DELETE FROM audit_event WHERE seq = 5");
        assertBroken(5, Fault.REMOVED);
    }

    @Test
    void aDeletedFirstEntryIsNamedRemoved() throws Exception {
        AuditDatabases.tamper(db, "DELETE FROM audit_event WHERE seq = 1");
        assertBroken(1, Fault.REMOVED);
    }

    @Test
    void aDeletionHiddenByRenumberingIsNamedRemoved() throws Exception {
        AuditDatabases.tamper(db, "DELETE FROM audit_event WHERE seq = 5",
                "UPDATE audit_event SET seq = seq + 1000 WHERE seq > 5",
                "UPDATE audit_event SET seq = seq - 1001 WHERE seq > 1000");
        assertBroken(5, Fault.REMOVED);
    }

    @Test
    void aForgedEntryInTheMiddleIsNamedInserted() throws Exception {
        AuditDatabases.tamper(db, SHIFT_UP, "UPDATE audit_event SET seq = seq - 999 WHERE seq > 1000",
                "INSERT INTO audit_event (" + COLUMNS + ") SELECT 5, recorded_at, 'intruder', 'admin', clinic_id,"
                        + " 'READ', 'TriageAssessment', 'x', NULL, 'SUCCESS', 'req-forged', NULL, chain_mac,"
                        + " sha256('entry'), sha256('chain') FROM audit_event WHERE seq = 4");
        assertBroken(5, Fault.INSERTED);
    }

    @Test
    void aForgedEntryAtTheEndIsNamedInserted() throws Exception {
        AuditDatabases.tamper(db, "INSERT INTO audit_event (" + COLUMNS + ") SELECT 11, now(), 'intruder', 'admin',"
                + " clinic_id, 'EXPORT', 'Patient', 'x', NULL, 'SUCCESS', 'req-forged', NULL, chain_mac,"
                + " sha256('entry'), sha256('chain') FROM audit_event WHERE seq = 10");
        assertBroken(11, Fault.INSERTED);
    }

    @Test
    void aCopyOfAGenuineEntryIsNamedInserted() throws Exception {
        AuditDatabases.tamper(db, "INSERT INTO audit_event (" + COLUMNS + ") SELECT 11, recorded_at, actor_subject,"
                + " actor_role, clinic_id, action, object_type, object_id, patient_hash, outcome, request_id, reason,"
                + " prev_mac, entry_mac, chain_mac FROM audit_event WHERE seq = 3");
        assertBroken(11, Fault.INSERTED);
    }

    @Test
    void twoSwappedEntriesAreNamedAtTheFirst() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET seq = 1003 WHERE seq = 3",
                "UPDATE audit_event SET seq = 3 WHERE seq = 4", "UPDATE audit_event SET seq = 4 WHERE seq = 1003");
        assertBroken(3, Fault.INSERTED);
    }

    @Test
    void anEntryAppendedWithAnotherKeyIsNamedInserted() {
        AuditLog foreign = AuditLog.open(db.dataSource(), dir.resolve("foreign-keys").resolve(AuditLog.KEY_FILE),
                line -> { });
        foreign.append(AuditDatabases.read(new ClinicId("north"), "intruder", "pt-0", "req-foreign"));
        assertBroken(11, Fault.INSERTED);
    }

    @Test
    void aBrokenChainIsDescribedWithoutAnyFieldValue() throws Exception {
        AuditDatabases.tamper(db, "UPDATE audit_event SET actor_subject = 'someone-else' WHERE seq = 2");
        String said = log.verify().describe();
        assertEquals("audit chain broken at entry 2: ALTERED (its stored fields or MACs differ from what the service"
                + " wrote); the 1 entries before it verify", said);
    }
}
