package health.vclinic.api.audit;

import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The audit trail: an append-only, hash-chained log of every access to patient data (HIPAA §164.312(b)
 * audit controls and (c)(1) integrity; IHE BALP), in the clinical record's PostgreSQL ({@code audit_event},
 * migration V3) and keyed by the audit key, a 32-byte file outside the database ({@value #KEY_FILE}).
 *
 * <p>Each entry carries two HMAC-SHA256 values (see {@code AuditChain}): one over its fields, one linking
 * it to the entry before. Whoever can write to the database but does not hold the key can neither alter,
 * remove nor insert an entry without {@link #verify()} naming it. The table refuses UPDATE, DELETE and
 * TRUNCATE by trigger; a patient's erasure keeps the trail, which never holds a patient reference in clear.
 *
 * <p>Appends are serialised across threads and server processes by a transaction-scoped advisory lock
 * ({@value #APPEND_LOCK}), so the chain stays linear: sequence numbers 1, 2, 3, ... without gaps. The lock
 * is held until the appending transaction ends, so the access being recorded and its entry commit or roll
 * back together. A removal of the newest entries leaves no trace in the chain itself (there is no later
 * entry to miss them): compare the count {@link #verify()} reports with one kept elsewhere.
 */
public final class AuditLog {

    /** The audit key's file name in the key directory. */
    public static final String KEY_FILE = "audit.key";
    /** The advisory lock that serialises appends: "vclinic" in ASCII, then 1. */
    public static final long APPEND_LOCK = 0x7663_6c69_6e69_6301L;
    static final String COLUMNS = "seq, recorded_at, actor_subject, actor_role, clinic_id, action, object_type,"
            + " object_id, patient_hash, outcome, request_id, reason, reason_sealed";
    /** What a reader is shown for a sealed reason that does not open (the verifier names the entry as altered). */
    static final String UNOPENED_REASON = "[a sealed reason that does not open with this audit key]";

    private final DataSource dataSource;
    private final AuditChain chain;

    private AuditLog(DataSource dataSource, AuditChain chain) {
        this.dataSource = dataSource;
        this.chain = chain;
    }

    /**
     * The trail in {@code dataSource}'s database, keyed by {@code keyFile} (created, 0600, when absent).
     *
     * @param announce told once when the key file is created
     */
    public static AuditLog open(DataSource dataSource, Path keyFile, Consumer<String> announce) {
        byte[] key = SecretFiles.readOrCreate(keyFile, () -> SecretFiles.randomBytes(AuditChain.KEY_BYTES), announce);
        return new AuditLog(dataSource, new AuditChain(key));
    }

    /** How {@code patient} appears in the trail and in queries: HMAC-SHA256 under the audit key, hex. */
    public String patientHash(PatientRef patient) {
        return chain.patientHash(patient);
    }

    /**
     * Appends {@code entry} inside the caller's transaction: it commits with the access it records, or
     * neither does. Holds the append lock until that transaction ends, so keep the transaction short.
     * In a REPEATABLE READ or SERIALIZABLE transaction whose snapshot predates the lock, a concurrent
     * append makes this fail (a unique violation on the sequence number) rather than fork the chain.
     *
     * @param tx a connection with autocommit off
     */
    public StoredEntry append(Connection tx, AuditEntry entry) throws SQLException {
        return append(tx, List.of(entry)).getFirst();
    }

    /**
     * Appends {@code entries} in this order within the caller's transaction, as {@link #append(Connection,
     * AuditEntry)} does one: one lock, one read of the chain's end and one batched insert for all of them (a
     * group commit of the record audits its whole batch at the cost of about one entry).
     *
     * @param tx a connection with autocommit off
     * @return the stored entries, in order; empty when {@code entries} is
     */
    public List<StoredEntry> append(Connection tx, List<AuditEntry> entries) throws SQLException {
        if (tx.getAutoCommit()) {
            // Under autocommit the lock would end with its own statement and two appends could share a predecessor.
            throw new IllegalArgumentException("an audit append joins the caller's transaction: turn autocommit off");
        }
        if (entries.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement lock = tx.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, APPEND_LOCK);
            lock.execute();
        }
        long sequence = 1;
        byte[] prevMac = AuditChain.GENESIS;
        OffsetDateTime now;
        try (Statement s = tx.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT clock_timestamp(), last.seq, last.chain_mac FROM (SELECT 1) AS one LEFT JOIN LATERAL"
                        + " (SELECT seq, chain_mac FROM audit_event ORDER BY seq DESC LIMIT 1) AS last ON true")) {
            rs.next();
            now = rs.getObject(1, OffsetDateTime.class);
            long last = rs.getLong(2);
            if (!rs.wasNull()) {
                sequence = last + 1;
                prevMac = rs.getBytes(3);
            }
        }
        List<StoredEntry> out = new ArrayList<>(entries.size());
        try (PreparedStatement insert = tx.prepareStatement("INSERT INTO audit_event (" + COLUMNS
                + ", prev_mac, entry_mac, chain_mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditEntry entry : entries) {
                StoredEntry stored = new StoredEntry(sequence++, now.toInstant(), entry.actorSubject(), entry.role(),
                        entry.clinic(), entry.action(), entry.objectType(), entry.objectId(),
                        entry.patient().map(chain::patientHash), entry.outcome(), entry.requestId(), entry.reason());
                byte[] entryMac = chain.entryMac(AuditChain.Fields.of(stored));
                byte[] chainMac = chain.chainMac(entryMac, prevMac);
                insert.setLong(1, stored.sequence());
                insert.setObject(2, now.withOffsetSameInstant(ZoneOffset.UTC));
                insert.setString(3, stored.actorSubject());
                insert.setString(4, stored.role());
                insert.setString(5, stored.clinic().value());
                insert.setString(6, stored.action().name());
                insert.setString(7, stored.objectType());
                insert.setString(8, stored.objectId());
                setOptional(insert, 9, stored.patientHash());
                insert.setString(10, stored.outcome().name());
                insert.setString(11, stored.requestId());
                // The reason is free text that may describe the patient: sealed, never in clear (V11).
                insert.setNull(12, Types.VARCHAR);
                insert.setBytes(13, stored.reason().map(r -> chain.sealReason(stored.sequence(), r)).orElse(null));
                insert.setBytes(14, prevMac);
                insert.setBytes(15, entryMac);
                insert.setBytes(16, chainMac);
                insert.addBatch();
                prevMac = chainMac;
                out.add(stored);
            }
            insert.executeBatch();
        }
        return out;
    }

    /** Appends {@code entry} in a transaction of its own. */
    public StoredEntry append(AuditEntry entry) {
        return append(List.of(entry)).getLast();
    }

    /** Appends {@code entries}, in order, in one transaction of their own: all or none. */
    public List<StoredEntry> append(List<AuditEntry> entries) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<StoredEntry> out = new ArrayList<>();
                for (AuditEntry e : entries) {
                    out.add(append(c, e));
                }
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable();
        }
    }

    /**
     * Recomputes the whole chain in one consistent snapshot (appends may go on meanwhile) and names the first
     * entry that was altered, removed or inserted.
     */
    public ChainVerification verify() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return new ChainVerifier(chain).verify(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw unavailable();
        }
    }

    /** One page of the entries {@code query} selects, newest first. */
    public AuditPage search(AuditQuery query) {
        try (Connection c = dataSource.getConnection()) {
            return search(c, query);
        } catch (SQLException e) {
            throw unavailable();
        }
    }

    /**
     * {@link #search(AuditQuery)} and the audit entry of that read, {@code access}, in one transaction: the
     * page is answered only if its entry is committed.
     */
    public AuditPage searchAudited(AuditQuery query, AuditEntry access) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                AuditPage page = search(c, query);
                append(c, access);
                c.commit();
                return page;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable();
        }
    }

    /** {@link #search(AuditQuery)} on the caller's connection (in its transaction, if one is open). */
    public AuditPage search(Connection c, AuditQuery query) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_event WHERE true");
        List<Object> args = new ArrayList<>();
        query.clinic().ifPresent(v -> where(sql, args, " AND clinic_id = ?", v.value()));
        query.from().ifPresent(v -> where(sql, args, " AND recorded_at >= ?", v.atOffset(ZoneOffset.UTC)));
        query.until().ifPresent(v -> where(sql, args, " AND recorded_at < ?", v.atOffset(ZoneOffset.UTC)));
        query.patientHash().ifPresent(v -> where(sql, args, " AND patient_hash = ?", v));
        if (!query.actions().isEmpty()) {
            where(sql, args, " AND action = ANY (?)", c.createArrayOf("text",
                    query.actions().stream().map(Enum::name).toArray()));
        }
        query.before().ifPresent(v -> where(sql, args, " AND seq < ?", v));
        sql.append(" ORDER BY seq DESC LIMIT ?");
        args.add(query.count() + 1);
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<StoredEntry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs, chain.reasonOf(rs, UNOPENED_REASON)));
                }
            }
            if (out.size() <= query.count()) {
                return new AuditPage(out, OptionalLong.empty());
            }
            List<StoredEntry> page = out.subList(0, query.count());
            return new AuditPage(page, OptionalLong.of(page.getLast().sequence()));
        }
    }

    private static void where(StringBuilder sql, List<Object> args, String clause, Object value) {
        sql.append(clause);
        args.add(value);
    }

    /** An entry read back, with its reason as opened; {@code rs} selected {@link #COLUMNS}. */
    static StoredEntry entry(ResultSet rs, Optional<String> reason) throws SQLException {
        return new StoredEntry(rs.getLong("seq"), instant(rs), rs.getString("actor_subject"),
                rs.getString("actor_role"), new ClinicId(rs.getString("clinic_id")),
                AuditAction.valueOf(rs.getString("action")), rs.getString("object_type"), rs.getString("object_id"),
                Optional.ofNullable(rs.getString("patient_hash")), AuditOutcome.valueOf(rs.getString("outcome")),
                rs.getString("request_id"), reason);
    }

    static Instant instant(ResultSet rs) throws SQLException {
        OffsetDateTime t = rs.getObject("recorded_at", OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static void setOptional(PreparedStatement s, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            s.setString(index, value.get());
        } else {
            s.setNull(index, Types.VARCHAR);
        }
    }

    private static ApiException unavailable() {
        return new ApiException(Kind.UNAVAILABLE, "the audit trail's database is unreachable; try again");
    }
}
