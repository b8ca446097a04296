package health.vclinic.api.audit;

import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for a test class, and a fresh, migrated database in it for each test, so every
 * test starts from an empty chain (sequence 1) and tampering in one leaves the others alone. The
 * embedded user is a superuser, as the owner of the tables in a real deployment would be: it can disable
 * the append-only triggers, which is exactly the attacker the chain must catch.
 */
final class AuditDatabases implements AutoCloseable {

    private static final AtomicInteger NEXT = new AtomicInteger();
    private final Database server;

    AuditDatabases(Path dataDir) {
        this.server = Database.embedded(dataDir, OptionalInt.empty());
    }

    /** A new database with the clinical record's schema (V1...V3), empty. */
    Database fresh() {
        String name = "audit_" + NEXT.incrementAndGet();
        try (Connection c = server.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return Database.external("jdbc:postgresql://127.0.0.1:" + server.embeddedPort().getAsInt() + "/" + name,
                "postgres", "");
    }

    /** Runs {@code sql} as the table owner with the append-only triggers off, as a tamperer would. */
    static void tamper(Database db, String... sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER USER");
            for (String statement : sql) {
                s.execute(statement);
            }
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER USER");
        }
    }

    /** A clinician's read of a patient's assessment. */
    static AuditEntry read(ClinicId clinic, String subject, String patient, String requestId) {
        return new AuditEntry(subject, "clinician", clinic, AuditAction.READ, "TriageAssessment",
                "0b6f5f7e-0000-4000-8000-" + String.format("%012d", Math.abs(requestId.hashCode())),
                Optional.of(new PatientRef(patient)), AuditOutcome.SUCCESS, requestId, Optional.empty());
    }

    @Override
    public void close() {
        server.close();
    }
}
