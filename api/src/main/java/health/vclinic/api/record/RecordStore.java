package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.review.WorklistKind;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The clinical record's SQL: plain JDBC, prepared statements, one transaction per call. Every call takes
 * the clinic, and no query reads across clinics. Rows are only inserted (a repeated id is ignored, which
 * makes the spool's replay idempotent) or deleted by an erasure or the retention purge.
 */
public final class RecordStore {

    /** The tables that hold patient data, each with its time column. */
    static final List<String[]> PATIENT_TABLES = List.of(
            new String[] {"triage_assessment", "assessed_at"},
            new String[] {"alert_event", "occurred_at"},
            new String[] {"imaging_analysis", "analyzed_at"},
            new String[] {"fhir_call", "called_at"});

    private final DataSource dataSource;

    public RecordStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * One triage assessment to keep.
     *
     * @param assessedAt when it was answered, at the database's precision (microseconds)
     */
    public record AssessmentRow(UUID recordId, ClinicId clinic, Optional<PatientRef> patient, Instant assessedAt,
                                long latencyMicros, TriageRequest request, TriageAssessment result) {
        public AssessmentRow {
            Objects.requireNonNull(recordId, "recordId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            assessedAt = assessedAt.truncatedTo(ChronoUnit.MICROS);
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(result, "result");
        }
    }

    /** One monitoring alert state change (RAISED, UPDATED or RESOLVED) with its evidence. */
    public record AlertRow(UUID eventId, ClinicId clinic, PatientRef patient, Instant occurredAt, Alert alert) {
        public AlertRow {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
            Objects.requireNonNull(alert, "alert");
        }
    }

    /** One imaging analysis: the image as received and the answer with its saliency map. */
    public record ImagingRow(UUID recordId, ClinicId clinic, Optional<PatientRef> patient, Instant analyzedAt,
                             String modelId, String finding, byte[] image, ImageAnalysis analysis) {
        public ImagingRow {
            Objects.requireNonNull(recordId, "recordId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            analyzedAt = analyzedAt.truncatedTo(ChronoUnit.MICROS);
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(finding, "finding");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(analysis, "analysis");
        }
    }

    /** Where a timeline page ends: the time and id of its last entry (entries are ordered by both). */
    public record Cursor(Instant at, UUID id) {
        public Cursor {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(id, "id");
        }
    }

    /** One page of a timeline, and the cursor of the next when there is one. */
    public record Page(List<TimelineEntry> entries, Optional<Cursor> next) {
        public Page {
            entries = List.copyOf(entries);
            Objects.requireNonNull(next, "next");
        }
    }

    /** Inserts a batch in one transaction; ids already present are skipped (a replay is idempotent). */
    public void insertAssessments(List<AssessmentRow> rows) throws SQLException {
        batch("INSERT INTO triage_assessment (record_id, clinic_id, patient_ref, assessed_at, latency_micros, level,"
                + " decided_by, model_versions, request, result, review_kinds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (record_id) DO NOTHING", rows, (c, s, r) -> {
                    s.setObject(1, r.recordId());
                    s.setString(2, r.clinic().value());
                    s.setString(3, r.patient().map(PatientRef::value).orElse(null));
                    s.setObject(4, utc(r.assessedAt()));
                    s.setLong(5, r.latencyMicros());
                    s.setInt(6, r.result().getLevel());
                    s.setString(7, r.result().getDecidedBy());
                    s.setArray(8, c.createArrayOf("text", r.result().getModelVersionsMap().entrySet().stream()
                            .sorted(java.util.Map.Entry.comparingByKey())
                            .map(e -> e.getKey() + "=" + e.getValue()).toArray()));
                    s.setBytes(9, r.request().toByteArray());
                    s.setBytes(10, r.result().toByteArray());
                    // Why it awaits a clinician (empty: it does not); V7's trigger puts it on the worklist.
                    s.setArray(11, c.createArrayOf("text", WorklistKind.of(r.result()).stream().map(Enum::name).toArray()));
                });
    }

    /** Inserts alert events in one transaction; ids already present are skipped. */
    public void insertAlertEvents(List<AlertRow> rows) throws SQLException {
        batch("INSERT INTO alert_event (event_id, clinic_id, patient_ref, alert_id, state, severity, occurred_at,"
                + " event) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING", rows, (c, s, r) -> {
                    s.setObject(1, r.eventId());
                    s.setString(2, r.clinic().value());
                    s.setString(3, r.patient().value());
                    s.setString(4, r.alert().getAlertId());
                    s.setString(5, r.alert().getState().name());
                    s.setString(6, r.alert().getSeverity().name());
                    s.setObject(7, utc(r.occurredAt()));
                    s.setBytes(8, r.alert().toByteArray());
                });
    }

    @FunctionalInterface
    private interface Binder<T> {
        void bind(Connection c, PreparedStatement s, T row) throws SQLException;
    }

    /** One prepared statement, one batch, one commit. */
    private <T> void batch(String sql, List<T> rows, Binder<T> binder) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (T r : rows) {
                    binder.bind(c, s, r);
                    s.addBatch();
                }
                s.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Inserts one imaging analysis. */
    public void insertImaging(ImagingRow r) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO imaging_analysis (record_id, clinic_id, patient_ref,"
                     + " analyzed_at, model_id, finding, image, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                     + " ON CONFLICT (record_id) DO NOTHING")) {
            s.setObject(1, r.recordId());
            s.setString(2, r.clinic().value());
            s.setString(3, r.patient().map(PatientRef::value).orElse(null));
            s.setObject(4, utc(r.analyzedAt()));
            s.setString(5, r.modelId());
            s.setString(6, r.finding());
            s.setBytes(7, r.image());
            s.setBytes(8, r.analysis().toByteArray());
            s.executeUpdate();
        }
    }

    /** The assessment with this id in this clinic. */
    public Optional<RecordedAssessment> assessment(ClinicId clinic, UUID recordId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT record_id, patient_ref, assessed_at, latency_micros,"
                    + " request, result FROM triage_assessment WHERE clinic_id = ? AND record_id = ?")) {
                s.setString(1, clinic.value());
                s.setObject(2, recordId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(assessment(rs)) : Optional.<RecordedAssessment>empty();
                }
            }
        });
    }

    private static final String TIMELINE = "SELECT kind, id, at, latency_micros, a, b, model_id, finding FROM ("
            + " SELECT 'A' AS kind, record_id AS id, assessed_at AS at, latency_micros, request AS a, result AS b,"
            + "   NULL AS model_id, NULL AS finding FROM triage_assessment WHERE clinic_id = ? AND patient_ref = ?"
            + " UNION ALL SELECT 'E', event_id, occurred_at, 0, event, NULL, NULL, NULL"
            + "   FROM alert_event WHERE clinic_id = ? AND patient_ref = ?"
            + " UNION ALL SELECT 'I', record_id, analyzed_at, 0, image, result, model_id, finding"
            + "   FROM imaging_analysis WHERE clinic_id = ? AND patient_ref = ?"
            + ") t WHERE (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?";

    /**
     * A patient's timeline, newest first: at most {@code pageSize} entries older than {@code after}.
     * Entries at the same instant are ordered by id, so paging neither repeats nor skips one.
     */
    public Page timeline(ClinicId clinic, PatientRef patient, int pageSize, Optional<Cursor> after) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(TIMELINE)) {
                for (int i = 0; i < 3; i++) {
                    s.setString(1 + 2 * i, clinic.value());
                    s.setString(2 + 2 * i, patient.value());
                }
                // The first page starts after the largest possible key.
                s.setObject(7, utc(after.map(Cursor::at).orElse(Instant.parse("9999-12-31T00:00:00Z"))));
                s.setObject(8, after.map(Cursor::id).orElse(new UUID(-1L, -1L)));
                s.setInt(9, pageSize + 1);
                List<TimelineEntry> entries = new ArrayList<>();
                Cursor last = null;
                Optional<Cursor> next = Optional.empty();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (entries.size() == pageSize) {
                            next = Optional.of(last);
                            break;
                        }
                        entries.add(entry(rs, patient));
                        last = new Cursor(instant(rs, "at"), rs.getObject("id", UUID.class));
                    }
                }
                return new Page(entries, next);
            }
        });
    }

    /** Every entry held on a patient, newest first (for export). */
    public List<TimelineEntry> everything(ClinicId clinic, PatientRef patient) {
        List<TimelineEntry> all = new ArrayList<>();
        Optional<Cursor> after = Optional.empty();
        do {
            Page page = timeline(clinic, patient, 500, after);
            all.addAll(page.entries());
            after = page.next();
        } while (after.isPresent());
        return all;
    }

    /** The clinic's alerts whose latest event is not RESOLVED, newest first. */
    public List<RecordedAlertEvent> openAlerts(ClinicId clinic) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM (SELECT DISTINCT ON (alert_id) event_id,"
                    + " patient_ref, occurred_at, state, event FROM alert_event WHERE clinic_id = ?"
                    + " ORDER BY alert_id, occurred_at DESC, event_id DESC) latest WHERE state <> 'RESOLVED'"
                    + " ORDER BY occurred_at DESC, event_id DESC")) {
                s.setString(1, clinic.value());
                List<RecordedAlertEvent> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(RecordedAlertEvent.newBuilder()
                                .setEventId(rs.getObject("event_id", UUID.class).toString())
                                .setPatientRef(rs.getString("patient_ref"))
                                .setOccurredAt(timestamp(instant(rs, "occurred_at")))
                                .setAlert(Alert.parseFrom(rs.getBytes("event"))).build());
                    }
                }
                return out;
            }
        });
    }

    /**
     * Erases every row held on a patient in one transaction, and records that an erasure took place
     * (the clinic, when, how many rows), never whom it was about.
     *
     * @return the number of rows erased
     */
    public long erase(ClinicId clinic, PatientRef patient) {
        return write(c -> {
            long erased = 0;
            for (String[] table : PATIENT_TABLES) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table[0]
                        + " WHERE clinic_id = ? AND patient_ref = ?")) {
                    s.setString(1, clinic.value());
                    s.setString(2, patient.value());
                    erased += s.executeUpdate();
                }
            }
            logErasure(c, clinic, "PATIENT_REQUEST", erased);
            return erased;
        });
    }

    /**
     * The retention purge: deletes every row of the clinic older than {@code cutoff}, and records how many.
     *
     * @return the number of rows purged
     */
    public long purgeOlderThan(ClinicId clinic, Instant cutoff) {
        return write(c -> {
            long purged = 0;
            for (String[] table : PATIENT_TABLES) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table[0]
                        + " WHERE clinic_id = ? AND " + table[1] + " < ?")) {
                    s.setString(1, clinic.value());
                    s.setObject(2, utc(cutoff));
                    purged += s.executeUpdate();
                }
            }
            if (purged > 0) {
                logErasure(c, clinic, "RETENTION", purged);
            }
            return purged;
        });
    }

    /** The retention purge over every clinic that has rows; returns the rows purged. */
    public long purgeOlderThan(Instant cutoff) {
        List<ClinicId> clinics = read(c -> {
            List<ClinicId> out = new ArrayList<>();
            StringBuilder union = new StringBuilder();
            for (String[] table : PATIENT_TABLES) {
                union.append(union.isEmpty() ? "" : " UNION ").append("SELECT DISTINCT clinic_id FROM ").append(table[0]);
            }
            try (PreparedStatement s = c.prepareStatement(union.toString()); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new ClinicId(r.getString(1)));
                }
            }
            return out;
        });
        long purged = 0;
        for (ClinicId clinic : clinics) {
            purged += purgeOlderThan(clinic, cutoff);
        }
        return purged;
    }

    /** Rows that mention this patient in any table (for checks that an erasure left nothing). */
    public long rowsAbout(ClinicId clinic, PatientRef patient) {
        return read(c -> {
            long n = 0;
            for (String[] table : PATIENT_TABLES) {
                try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM " + table[0]
                        + " WHERE clinic_id = ? AND patient_ref = ?")) {
                    s.setString(1, clinic.value());
                    s.setString(2, patient.value());
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        n += rs.getLong(1);
                    }
                }
            }
            return n;
        });
    }

    /** True when a trivial query answers within the pool's timeouts. */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("SELECT 1")) {
            s.executeQuery().close();
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void logErasure(Connection c, ClinicId clinic, String reason, long rows) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO erasure (erasure_id, clinic_id, reason, rows_erased) VALUES (?, ?, ?, ?)")) {
            s.setObject(1, UUID.randomUUID());
            s.setString(2, clinic.value());
            s.setString(3, reason);
            s.setLong(4, rows);
            s.executeUpdate();
        }
    }

    private static TimelineEntry entry(ResultSet rs, PatientRef patient) throws SQLException,
            InvalidProtocolBufferException {
        UUID id = rs.getObject("id", UUID.class);
        Timestamp at = timestamp(instant(rs, "at"));
        return switch (rs.getString("kind")) {
            case "A" -> TimelineEntry.newBuilder().setAssessment(RecordedAssessment.newBuilder()
                    .setRecordId(id.toString()).setPatientRef(patient.value()).setAssessedAt(at)
                    .setLatencyMicros(rs.getLong("latency_micros"))
                    .setRequest(TriageRequest.parseFrom(rs.getBytes("a")))
                    .setAssessment(TriageAssessment.parseFrom(rs.getBytes("b")))).build();
            case "E" -> TimelineEntry.newBuilder().setAlert(RecordedAlertEvent.newBuilder()
                    .setEventId(id.toString()).setPatientRef(patient.value()).setOccurredAt(at)
                    .setAlert(Alert.parseFrom(rs.getBytes("a")))).build();
            case "I" -> TimelineEntry.newBuilder().setImageAnalysis(RecordedImageAnalysis.newBuilder()
                    .setRecordId(id.toString()).setPatientRef(patient.value()).setAnalyzedAt(at)
                    .setModelId(rs.getString("model_id")).setFinding(rs.getString("finding"))
                    .setImage(com.google.protobuf.ByteString.copyFrom(rs.getBytes("a")))
                    .setAnalysis(ImageAnalysis.parseFrom(rs.getBytes("b")))).build();
            default -> throw new IllegalStateException("unknown timeline kind");
        };
    }

    private static RecordedAssessment assessment(ResultSet rs) throws SQLException, InvalidProtocolBufferException {
        RecordedAssessment.Builder b = RecordedAssessment.newBuilder()
                .setRecordId(rs.getObject("record_id", UUID.class).toString())
                .setAssessedAt(timestamp(instant(rs, "assessed_at")))
                .setLatencyMicros(rs.getLong("latency_micros"))
                .setRequest(TriageRequest.parseFrom(rs.getBytes("request")))
                .setAssessment(TriageAssessment.parseFrom(rs.getBytes("result")));
        Optional.ofNullable(rs.getString("patient_ref")).ifPresent(b::setPatientRef);
        return b.build();
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    private <T> T read(Transactions.Work<T> work) {
        return Transactions.read(dataSource, work);
    }

    private <T> T write(Transactions.Work<T> work) {
        return Transactions.write(dataSource, work);
    }
}
