package health.vclinic.api.record;

import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Seals the rows written before encryption at rest (migration V8, {@code sealed = false}) in place: the
 * patient reference becomes its keyed hash plus a sealed copy, each free-text, image or message column its
 * envelope. Run once when the record opens (a row already sealed is never selected again), in batches of
 * {@value #BATCH} rows per transaction, so an interrupted run resumes where it stopped.
 *
 * <p>Limit: PostgreSQL keeps the replaced row versions in the table's files until VACUUM reuses their
 * space; {@code VACUUM FULL} on the five tables after the first start removes them at once.
 */
final class LegacyRows {

    private static final int BATCH = 500;

    /** A table of the record: its id column, the columns to seal, and whether it keeps a sealed reference. */
    private record Table(String name, String id, List<String> columns, boolean sealedRef) {
    }

    private static final List<Table> TABLES = List.of(
            new Table("triage_assessment", "record_id", List.of("request", "result"), true),
            new Table("alert_event", "event_id", List.of("event"), true),
            new Table("imaging_analysis", "record_id", List.of("image", "result"), true),
            new Table("fhir_call", "record_id", List.of("request", "risk_assessment"), true),
            new Table("vital_window", "window_id", List.of(), false));

    private LegacyRows() {
    }

    /** Seals every row still in clear; returns how many. */
    static long seal(DataSource db, Sealing sealing) throws SQLException {
        long sealed = 0;
        for (Table t : TABLES) {
            int n;
            do {
                n = batch(db, sealing, t);
                sealed += n;
            } while (n == BATCH);
        }
        return sealed;
    }

    private static int batch(DataSource db, Sealing sealing, Table t) throws SQLException {
        String blobs = t.columns().isEmpty() ? "" : ", " + String.join(", ", t.columns());
        StringBuilder set = new StringBuilder("patient_ref = ?, sealed = true");
        if (t.sealedRef()) {
            set.append(", patient_ref_sealed = ?");
        }
        t.columns().forEach(col -> set.append(", ").append(col).append(" = ?"));
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement("SELECT " + t.id() + ", clinic_id, patient_ref" + blobs
                    + " FROM " + t.name() + " WHERE NOT sealed LIMIT " + BATCH + " FOR UPDATE");
                 PreparedStatement update = c.prepareStatement("UPDATE " + t.name() + " SET " + set
                         + " WHERE " + t.id() + " = ?")) {
                int rows = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ClinicId clinic = new ClinicId(rs.getString("clinic_id"));
                        Optional<PatientRef> ref = Optional.ofNullable(rs.getString("patient_ref")).map(PatientRef::new);
                        int i = 1;
                        update.setString(i++, sealing.lookupOrNull(clinic, ref));
                        if (t.sealedRef()) {
                            update.setBytes(i++, sealing.sealRefOrNull(clinic, ref, t.name()));
                        }
                        for (String col : t.columns()) {
                            update.setBytes(i++, sealing.seal(clinic, rs.getBytes(col), t.name() + "." + col));
                        }
                        update.setObject(i, rs.getObject(t.id(), UUID.class));
                        update.addBatch();
                        rows++;
                    }
                }
                update.executeBatch();
                c.commit();
                return rows;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
