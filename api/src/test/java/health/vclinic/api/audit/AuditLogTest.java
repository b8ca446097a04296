package health.vclinic.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.record.Database;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Appending to and verifying the audit chain on the real (embedded) PostgreSQL. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuditLogTest {

    private static final ClinicId NORTH = new ClinicId("north");

    @TempDir
    static Path dir;
    private static AuditDatabases databases;

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

    private static AuditLog log(Database db) {
        return AuditLog.open(db.dataSource(), dir.resolve("keys").resolve(AuditLog.KEY_FILE), line -> { });
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void anEmptyChainIsIntactWithNoEntries() {
        try (Database db = databases.fresh()) {
            assertEquals(new ChainVerification.Intact(0), log(db).verify());
        }
    }

    @Test
    void aThousandEntryChainVerifiesAndHoldsNoPatientReferenceInClear() throws Exception {
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            // Half in transactions of the caller's (100 entries each: one at a time, or all at once as a group
            // commit of the record appends them), half each in its own.
            for (int tx = 0; tx < 5; tx++) {
                try (Connection c = db.dataSource().getConnection()) {
                    c.setAutoCommit(false);
                    List<health.vclinic.api.audit.AuditEntry> batch = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        batch.add(AuditDatabases.read(NORTH, "dr-a", "pt-" + (i % 7), "req-" + tx + "-" + i));
                    }
                    if (tx % 2 == 0) {
                        List<StoredEntry> stored = log.append(c, batch);
                        assertEquals(tx * 100L + 1, stored.getFirst().sequence());
                        assertEquals(tx * 100L + 100, stored.getLast().sequence());
                    } else {
                        for (var entry : batch) {
                            log.append(c, entry);
                        }
                    }
                    c.commit();
                }
            }
            List<StoredEntry> own = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                own.add(log.append(AuditDatabases.read(NORTH, "dr-b", "pt-" + (i % 7), "req-own-" + i)));
            }
            assertEquals(501, own.getFirst().sequence());
            assertEquals(1000, own.getLast().sequence());
            assertEquals(new ChainVerification.Intact(1000), log.verify());

            String hash = log.patientHash(new PatientRef("pt-3"));
            assertTrue(hash.matches("[0-9a-f]{64}"));
            assertEquals(Optional.of(hash), own.get(3).patientHash());
            assertEquals(5 * 14 + 71, count(db, "SELECT count(*) FROM audit_event WHERE patient_hash = '" + hash + "'"));
            assertEquals(0, count(db, "SELECT count(*) FROM audit_event e WHERE e::text LIKE '%pt-%'"));
        }
    }

    @Test
    void thePatientHashIsKeyed() throws Exception {
        Path otherKey = dir.resolve("other-keys").resolve(AuditLog.KEY_FILE);
        try (Database db = databases.fresh()) {
            AuditLog other = AuditLog.open(db.dataSource(), otherKey, line -> { });
            PatientRef patient = new PatientRef("pt-keyed");
            assertNotEquals(log(db).patientHash(patient), other.patientHash(patient));
            assertEquals(log(db).patientHash(patient), log(db).patientHash(patient));
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(otherKey));
        }
    }

    @Test
    void eightThreadsOverTwoPoolsAppendOneLinearChain() throws Exception {
        int threads = 8;
        int each = 50;
        try (Database first = databases.fresh()) {
            String url = currentUrl(first);
            // A second pool on the same database stands for a second server process.
            try (Database second = Database.external(url, "postgres", "")) {
                List<AuditLog> logs = List.of(log(first), log(second));
                CountDownLatch go = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<List<Long>>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    AuditLog log = logs.get(t % 2);
                    String subject = "writer-" + t;
                    done.add(pool.submit(() -> {
                        go.await();
                        List<Long> seqs = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            seqs.add(log.append(AuditDatabases.read(NORTH, subject, "pt-c", subject + "-" + i))
                                    .sequence());
                        }
                        return seqs;
                    }));
                }
                go.countDown();
                List<Long> all = new ArrayList<>();
                for (Future<List<Long>> f : done) {
                    List<Long> seqs = f.get(120, TimeUnit.SECONDS);
                    for (int i = 1; i < seqs.size(); i++) {
                        assertTrue(seqs.get(i) > seqs.get(i - 1), "one writer's appends keep their order in the chain");
                    }
                    all.addAll(seqs);
                }
                pool.shutdown();
                assertEquals(threads * each, all.stream().distinct().count());
                assertEquals(threads * each, all.stream().mapToLong(Long::longValue).max().orElseThrow());
                assertEquals(new ChainVerification.Intact(threads * each), logs.get(1).verify());
            }
        }
    }

    private static String currentUrl(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return c.getMetaData().getURL();
        }
    }

    @Test
    void anAppendCommitsOrRollsBackWithTheAccessItRecords() throws Exception {
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            String access = "INSERT INTO erasure (erasure_id, clinic_id, reason, rows_erased)"
                    + " VALUES (gen_random_uuid(), 'north', 'PATIENT_REQUEST', 1)";
            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute(access);
                }
                log.append(c, AuditDatabases.read(NORTH, "dr-a", "pt-r", "req-rolled-back"));
                c.rollback();
            }
            assertEquals(0, count(db, "SELECT count(*) FROM audit_event"));
            assertEquals(0, count(db, "SELECT count(*) FROM erasure"));

            try (Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    s.execute(access);
                }
                assertEquals(1, log.append(c, AuditDatabases.read(NORTH, "dr-a", "pt-r", "req-kept")).sequence());
                c.commit();
            }
            assertEquals(1, count(db, "SELECT count(*) FROM erasure"));
            assertEquals(new ChainVerification.Intact(1), log.verify());
        }
    }

    @Test
    void anAppendUnderAutocommitIsRefusedBecauseItCouldForkTheChain() throws Exception {
        try (Database db = databases.fresh(); Connection c = db.dataSource().getConnection()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> log(db).append(c, AuditDatabases.read(NORTH, "dr-a", "pt-x", "req-auto")));
            assertTrue(e.getMessage().contains("autocommit"), e.getMessage());
            assertEquals(0, count(db, "SELECT count(*) FROM audit_event"));
        }
    }

    @Test
    void theTableRefusesUpdateDeleteAndTruncate() throws Exception {
        try (Database db = databases.fresh()) {
            log(db).append(AuditDatabases.read(NORTH, "dr-a", "pt-x", "req-1"));
            for (String sql : List.of("UPDATE audit_event SET outcome = 'FAILURE'", "DELETE FROM audit_event",
                    "TRUNCATE audit_event")) {
                try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                    SQLException e = assertThrows(SQLException.class, () -> s.execute(sql), sql);
                    assertTrue(e.getMessage().contains("append-only"), e.getMessage());
                }
            }
            assertEquals(new ChainVerification.Intact(1), log(db).verify());
        }
    }

    @Test
    void aPatientsErasureLeavesTheTrailWhole() throws Exception {
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            PatientRef patient = new PatientRef("pt-erased");
            log.append(AuditDatabases.read(NORTH, "dr-a", patient.value(), "req-before"));
            new health.vclinic.api.record.RecordStore(db.dataSource(), health.vclinic.api.TestKeys.cipher(db.dataSource(), dir)).erase(NORTH, patient);
            log.append(new AuditEntry("admin-1", "admin", NORTH, AuditAction.ERASE, "Patient", "erasure",
                    Optional.of(patient), AuditOutcome.SUCCESS, "req-erase", Optional.empty()));
            assertEquals(2, log.search(AuditQuery.all().aboutPatient(log.patientHash(patient))).entries().size());
            assertEquals(new ChainVerification.Intact(2), log.verify());
        }
    }

    @Test
    void aBreakGlassEntryNeedsItsReasonAndKeepsIt() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new AuditEntry("dr-a", "clinician", NORTH,
                AuditAction.BREAK_GLASS, "Patient", "timeline", Optional.of(new PatientRef("pt-bg")),
                AuditOutcome.SUCCESS, "req-bg", Optional.empty()));
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            log.append(new AuditEntry("dr-a", "clinician", NORTH, AuditAction.BREAK_GLASS, "Patient", "timeline",
                    Optional.of(new PatientRef("pt-bg")), AuditOutcome.SUCCESS, "req-bg",
                    Optional.of("unconscious on arrival, no consent possible")));
            StoredEntry read = log.search(AuditQuery.all()).entries().getFirst();
            assertEquals(AuditAction.BREAK_GLASS, read.action());
            assertEquals(Optional.of("unconscious on arrival, no consent possible"), read.reason());
            assertEquals(new ChainVerification.Intact(1), log.verify());
        }
    }

    /**
     * A break-glass reason is free text that may describe the patient: the table holds it sealed under a key only
     * the audit key's holder derives, bound to its entry, and the chain still verifies over its text.
     */
    @Test
    void aBreakGlassReasonIsSealedAtRestBoundToItsEntry() throws Exception {
        String first = "unconscious on arrival, no consent possible";
        String second = "transfer to the cardiac centre, nobody on call";
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            for (String[] e : new String[][] {{"req-bg-1", first}, {"req-bg-2", second}}) {
                log.append(new AuditEntry("dr-a", "clinician", NORTH, AuditAction.BREAK_GLASS, "Patient", "timeline",
                        Optional.of(new PatientRef("pt-bg")), AuditOutcome.SUCCESS, e[0], Optional.of(e[1])));
            }
            try (java.sql.Connection c = db.dataSource().getConnection();
                 java.sql.ResultSet rs = c.createStatement().executeQuery(
                         "SELECT reason, reason_sealed FROM audit_event ORDER BY seq")) {
                for (String plain : new String[] {first, second}) {
                    assertTrue(rs.next());
                    assertEquals(null, rs.getString("reason"), "no reason in clear");
                    byte[] sealed = rs.getBytes("reason_sealed");
                    assertTrue(sealed != null && !new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("unconscious") && !new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .contains("cardiac"), "sealed, not in clear");
                }
            }
            assertEquals(java.util.List.of(Optional.of(second), Optional.of(first)),
                    log.search(AuditQuery.all()).entries().stream().map(StoredEntry::reason).toList());
            assertEquals(new ChainVerification.Intact(2), log.verify());

            AuditLog foreign = AuditLog.open(db.dataSource(), dir.resolve("other-keys").resolve(AuditLog.KEY_FILE),
                    line -> { });
            assertEquals(Optional.of(AuditLog.UNOPENED_REASON), foreign.search(AuditQuery.all()).entries().getFirst()
                    .reason(), "another key does not open it");

            // Written in clear, as before V11, it still reads and verifies.
            AuditDatabases.tamper(db, "UPDATE audit_event SET reason_sealed = NULL, reason = '" + first + "' WHERE seq = 1");
            assertEquals(Optional.of(first), log.search(AuditQuery.all()).entries().getLast().reason());
            assertEquals(new ChainVerification.Intact(2), log.verify());

            // Moved to another entry, it does not open there: that entry is named as altered.
            AuditDatabases.tamper(db, "UPDATE audit_event SET reason = NULL, reason_sealed ="
                    + " (SELECT reason_sealed FROM audit_event WHERE seq = 2) WHERE seq = 1");
            assertEquals(Optional.of(AuditLog.UNOPENED_REASON), log.search(AuditQuery.all()).entries().getLast().reason());
            ChainVerification moved = log.verify();
            assertTrue(moved instanceof ChainVerification.Broken b && b.sequence() == 1
                    && b.fault() == ChainVerification.Fault.ALTERED, moved.describe());
        }
    }

    @Test
    void queriesSelectByClinicPatientActionAndTimeInPages() throws Exception {
        try (Database db = databases.fresh()) {
            AuditLog log = log(db);
            ClinicId south = new ClinicId("south");
            for (int i = 0; i < 6; i++) {
                log.append(AuditDatabases.read(i % 2 == 0 ? NORTH : south, "dr-q", "pt-" + (i % 3), "req-q-" + i));
            }
            StoredEntry erase = log.append(new AuditEntry("admin-1", "admin", NORTH, AuditAction.ERASE, "Patient",
                    "erasure", Optional.of(new PatientRef("pt-0")), AuditOutcome.SUCCESS, "req-erase", Optional.empty()));

            AuditPage north = log.search(AuditQuery.all().inClinic(NORTH));
            assertEquals(List.of(7L, 5L, 3L, 1L), north.entries().stream().map(StoredEntry::sequence).toList());
            assertTrue(north.entries().stream().allMatch(e -> e.clinic().equals(NORTH)));

            assertEquals(List.of(7L, 1L), log.search(AuditQuery.all().inClinic(NORTH)
                    .aboutPatient(log.patientHash(new PatientRef("pt-0")))).entries().stream()
                    .map(StoredEntry::sequence).toList());
            assertEquals(List.of(erase), log.search(AuditQuery.all().withActions(java.util.Set.of(AuditAction.ERASE)))
                    .entries());
            assertTrue(log.search(AuditQuery.all().between(Optional.of(erase.recorded().plusNanos(1000)),
                    Optional.empty())).entries().isEmpty());
            assertEquals(7, log.search(AuditQuery.all().between(Optional.empty(),
                    Optional.of(erase.recorded().plusNanos(1000)))).entries().size());

            AuditPage first = log.search(AuditQuery.all().page(3, java.util.OptionalLong.empty()));
            AuditPage second = log.search(AuditQuery.all().page(3, first.next()));
            AuditPage third = log.search(AuditQuery.all().page(3, second.next()));
            assertEquals(List.of(7L, 6L, 5L), first.entries().stream().map(StoredEntry::sequence).toList());
            assertEquals(List.of(4L, 3L, 2L), second.entries().stream().map(StoredEntry::sequence).toList());
            assertEquals(List.of(1L), third.entries().stream().map(StoredEntry::sequence).toList());
            assertFalse(third.next().isPresent());
        }
    }

    @Test
    void theStoredTimeIsTheDatabaseClockToTheMicrosecond() throws Exception {
        try (Database db = databases.fresh()) {
            StoredEntry appended = log(db).append(AuditDatabases.read(NORTH, "dr-a", "pt-t", "req-t"));
            assertEquals(0, appended.recorded().getNano() % 1000);
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("SELECT recorded_at FROM audit_event WHERE seq = 1");
                 ResultSet rs = s.executeQuery()) {
                rs.next();
                assertEquals(appended.recorded(), rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
            }
        }
    }
}
