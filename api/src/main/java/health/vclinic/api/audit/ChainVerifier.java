package health.vclinic.api.audit;

import health.vclinic.api.audit.ChainVerification.Broken;
import health.vclinic.api.audit.ChainVerification.Fault;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Walks the chain from sequence 1 in one snapshot and stops at the first entry that does not hold. For an
 * entry at the expected sequence number, the two MACs tell what happened to it:
 * <ul>
 *   <li>its chain MAC verifies but its {@code prev_mac} is not the chain MAC of the entry before it: entries
 *       between were removed and the rest renumbered (REMOVED), unless that {@code prev_mac} or its own chain
 *       MAC belongs to another entry still present: then it was moved or copied there (INSERTED);</li>
 *   <li>its fields do not match its entry MAC, or its MACs were changed, while the chain still vouches for
 *       the entry (its own chain MAC verifies, its entry MAC verifies, or the next entry links to it): ALTERED;</li>
 *   <li>nothing vouches for it: a row the audit key never wrote (INSERTED).</li>
 * </ul>
 * A sequence number beyond the expected one means the entries in between are missing (REMOVED).
 */
final class ChainVerifier {

    private record Row(AuditChain.Fields fields, byte[] prevMac, byte[] entryMac, byte[] chainMac) {
        long sequence() {
            return fields.sequence();
        }
    }

    private final AuditChain chain;

    ChainVerifier(AuditChain chain) {
        this.chain = chain;
    }

    ChainVerification verify(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + AuditLog.COLUMNS
                + ", prev_mac, entry_mac, chain_mac FROM audit_event ORDER BY seq")) {
            // A cursor, not the whole table in memory (the driver streams only outside autocommit).
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery()) {
                byte[] prev = AuditChain.GENESIS;
                long expected = 1;
                Row row = next(rs);
                while (row != null) {
                    Row following = next(rs);
                    Optional<Broken> broken = check(c, row, following, expected, prev);
                    if (broken.isPresent()) {
                        return broken.get();
                    }
                    prev = row.chainMac();
                    expected++;
                    row = following;
                }
                return new ChainVerification.Intact(expected - 1);
            }
        }
    }

    private Optional<Broken> check(Connection c, Row row, Row following, long expected, byte[] prev)
            throws SQLException {
        long verified = expected - 1;
        if (row.sequence() > expected) {
            return Optional.of(new Broken(expected, Fault.REMOVED, verified, row.sequence() - expected == 1
                    ? "entry " + expected + " is missing" : "entries " + expected + " to " + (row.sequence() - 1)
                    + " are missing"));
        }
        if (row.sequence() < expected) {
            return Optional.of(new Broken(row.sequence(), Fault.INSERTED, verified,
                    "a sequence number the service never assigns"));
        }
        boolean chained = AuditChain.same(chain.chainMac(row.entryMac(), row.prevMac()), row.chainMac());
        boolean authentic = AuditChain.same(chain.entryMac(row.fields()), row.entryMac());
        if (chained && !AuditChain.same(row.prevMac(), prev)) {
            if (presentElsewhere(c, row)) {
                return Optional.of(new Broken(row.sequence(), Fault.INSERTED, verified,
                        "a copy of an entry from elsewhere in the chain"));
            }
            return Optional.of(new Broken(row.sequence(), Fault.REMOVED, verified, "it no longer links to the entry"
                    + " before it: entries in between were removed and the rest renumbered"));
        }
        if (chained && authentic) {
            return Optional.empty();
        }
        boolean vouchedFor = chained || authentic
                || following != null && AuditChain.same(following.prevMac(), row.chainMac());
        return Optional.of(vouchedFor
                ? new Broken(row.sequence(), Fault.ALTERED, verified,
                        "its stored fields or MACs differ from what the service wrote")
                : new Broken(row.sequence(), Fault.INSERTED, verified,
                        "its MACs were not made with the audit key and no entry links to it"));
    }

    /** Whether the row's predecessor link or its own chain MAC belongs to another entry still in the table. */
    private static boolean presentElsewhere(Connection c, Row row) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM audit_event WHERE seq <> ?"
                + " AND (chain_mac = ? OR chain_mac = ?))")) {
            s.setLong(1, row.sequence());
            s.setBytes(2, row.prevMac());
            s.setBytes(3, row.chainMac());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Stands for a sealed reason that does not open: the service never writes a control character in a reason,
     * so it never MACs like one the service wrote, and the entry is named as altered.
     */
    private static final String UNOPENED = "\u0000unopened";

    private Row next(ResultSet rs) throws SQLException {
        if (!rs.next()) {
            return null;
        }
        AuditChain.Fields fields = new AuditChain.Fields(rs.getLong("seq"), AuditLog.instant(rs),
                rs.getString("actor_subject"), rs.getString("actor_role"), rs.getString("clinic_id"),
                rs.getString("action"), rs.getString("object_type"), rs.getString("object_id"),
                Optional.ofNullable(rs.getString("patient_hash")), rs.getString("outcome"),
                rs.getString("request_id"), chain.reasonOf(rs, UNOPENED));
        return new Row(fields, bytes(rs, "prev_mac"), bytes(rs, "entry_mac"), bytes(rs, "chain_mac"));
    }

    /** A MAC column; a NULL (possible only after tampering with the schema) compares unequal to any MAC. */
    private static byte[] bytes(ResultSet rs, String column) throws SQLException {
        byte[] b = rs.getBytes(column);
        return b == null ? new byte[0] : b;
    }
}
