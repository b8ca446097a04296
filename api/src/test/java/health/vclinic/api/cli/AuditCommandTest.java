package health.vclinic.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.audit.AuditEntry;
import health.vclinic.api.audit.AuditLog;
import health.vclinic.api.audit.AuditOutcome;
import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vclinic admin audit verify}, in process, beside an embedded PostgreSQL that this test holds as a
 * running server would: the command joins it through the data directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditCommandTest {

    @TempDir
    static Path dir;
    private static Database running;

    @BeforeAll
    static void start() {
        running = Database.embedded(dir.resolve("data"), OptionalInt.empty());
    }

    @AfterAll
    static void stop() {
        if (running != null) {
            running.close();
        }
    }

    private record Run(int code, String out, String err) {
    }

    private static Run vclinic(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run verify(Path keyDir) {
        return vclinic("admin", "audit", "verify", "--data-dir", dir.resolve("data").toString(),
                "--key-dir", keyDir.toString());
    }

    @Test
    void verifyPrintsAnIntactChainThenNamesTheAlteredEntry() throws Exception {
        Path keys = dir.resolve("keys");
        AuditLog log = AuditLog.open(running.dataSource(), keys.resolve(AuditLog.KEY_FILE), line -> { });
        for (int i = 0; i < 5; i++) {
            log.append(new AuditEntry("dr-" + i, "clinician", new ClinicId("north"), AuditAction.READ,
                    "TriageAssessment", "assessment-" + i, Optional.of(new PatientRef("pt-cli-" + i)),
                    AuditOutcome.SUCCESS, "req-" + i, Optional.empty()));
        }
        Run intact = verify(keys);
        assertEquals(0, intact.code(), intact.err());
        assertEquals("audit chain intact: 5 entries", intact.out().strip());

        try (Connection c = running.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER USER");
            s.execute("UPDATE audit_event SET outcome = 'DENIED' WHERE seq = 3");
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER USER");
        }
        Run broken = verify(keys);
        assertEquals(1, broken.code(), broken.err());
        assertTrue(broken.out().startsWith("audit chain broken at entry 3: ALTERED"), broken.out());
        assertFalse(broken.out().contains("pt-cli"), broken.out());
    }

    @Test
    void verifyWithoutTheKeyRefusesRatherThanCreateOne() {
        Path noKeys = dir.resolve("no-keys");
        Run run = verify(noKeys);
        assertEquals(2, run.code(), run.out());
        assertTrue(run.err().contains("no audit key at"), run.err());
        assertFalse(Files.exists(noKeys.resolve(AuditLog.KEY_FILE)));
    }

    @Test
    void theUsageNamesTheKeyDirectoryAndItsDefault() {
        Run run = vclinic("admin", "audit", "verify", "--help");
        assertEquals(0, run.code());
        assertTrue(run.out().contains("--key-dir") && run.out().contains("keys/"), run.out());
        assertTrue(run.out().contains("--data-dir"), run.out());
    }
}
