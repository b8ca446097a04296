package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReasonCode;
import com.google.protobuf.InvalidProtocolBufferException;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.record.Transactions;
import health.vclinic.api.security.Caller;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.v1.Acuity;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.datasets.InvalidInputException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import health.vclinic.api.keys.FieldCipher;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The reviews' SQL (migration {@code V7__reviews.sql}): plain JDBC, one transaction per call, every call
 * confined to one clinic. Reviews and alert actions are only inserted; the worklist's queues lose an item
 * when a clinician deals with it.
 */
public final class ReviewStore {

    private final DataSource dataSource;
    private final FieldCipher cipher;
    private final Clock clock;

    /** Over the record's database; {@code cipher} opens what the record sealed (requests, results, alerts). */
    public ReviewStore(DataSource dataSource, FieldCipher cipher) {
        this(dataSource, cipher, Clock.systemUTC());
    }

    /** With a clock for the worklist's ages (tests). */
    public ReviewStore(DataSource dataSource, FieldCipher cipher, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A column as stored: opened when the record sealed it (rows from before sealing are plain). */
    private byte[] open(ResultSet rs, String column, String context) throws SQLException {
        byte[] bytes = rs.getBytes(column);
        return rs.getBoolean("sealed") ? cipher.open(new ClinicId(rs.getString("clinic_id")), bytes, context) : bytes;
    }

    /**
     * Keeps reviews by {@code caller} in one transaction: all or none. Each must name an assessment of the
     * caller's clinic, else nothing is kept and the answer is NOT_FOUND naming the review's field. The same
     * review sent again (same assessment, source, reviewer, action and time) is kept once.
     *
     * @return the reviews kept now (a repeat is not among them)
     */
    public List<Review> add(Caller caller, List<NewReview> reviews) {
        return write(c -> {
            List<Review> kept = new ArrayList<>();
            for (NewReview r : reviews) {
                Reviewed a = reviewed(c, caller.clinic(), r.assessmentId()).orElseThrow(() -> new ApiException(
                        Kind.NOT_FOUND, r.field() + ": no assessment with this id in this clinic's record"));
                if (r.level().isPresent() && r.level().getAsInt() == a.level()) {
                    throw new InvalidInputException("level", "must differ from the assessment's level to override it;"
                            + " to agree with it, send action CONFIRMED");
                }
                insert(c, caller, r, a).ifPresent(kept::add);
                try (PreparedStatement s = c.prepareStatement("DELETE FROM review_queue WHERE record_id = ?")) {
                    s.setObject(1, r.assessmentId());
                    s.executeUpdate();
                }
            }
            return kept;
        });
    }

    /** What a review copies from the assessment it judges. */
    private record Reviewed(int level, String[] versions) {
    }

    private static Optional<Reviewed> reviewed(Connection c, ClinicId clinic, UUID id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT level, model_versions FROM triage_assessment"
                + " WHERE clinic_id = ? AND record_id = ?")) {
            s.setString(1, clinic.value());
            s.setObject(2, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(new Reviewed(rs.getInt(1), (String[]) rs.getArray(2).getArray()))
                        : Optional.empty();
            }
        }
    }

    private static Optional<Review> insert(Connection c, Caller caller, NewReview r, Reviewed a) throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review (review_id, clinic_id, record_id, reviewer,"
                + " reviewer_role, source, action, level_before, level_after, reason, comment, model_versions,"
                + " reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING recorded_at")) {
            s.setObject(1, id);
            s.setString(2, caller.clinic().value());
            s.setObject(3, r.assessmentId());
            s.setString(4, caller.subject());
            s.setString(5, caller.role().wireName());
            s.setString(6, r.source().name());
            s.setString(7, r.action().name());
            s.setInt(8, a.level());
            if (r.level().isPresent()) {
                s.setInt(9, r.level().getAsInt());
            } else {
                s.setNull(9, java.sql.Types.INTEGER);
            }
            s.setString(10, r.reason().map(Enum::name).orElse(null));
            s.setString(11, r.comment().orElse(null));
            s.setArray(12, c.createArrayOf("text", a.versions()));
            s.setObject(13, utc(r.reviewedAt()));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Review(id, r.assessmentId(), caller.subject(), caller.role(), r.source(),
                        r.action(), a.level(), r.level(), r.reason(), r.comment(),
                        new TreeMap<>(Review.versions(a.versions())), r.reviewedAt(), instant(rs, "recorded_at")));
            }
        }
    }

    /**
     * An assessment's reviews, newest first (the first one stands).
     *
     * @throws ApiException NOT_FOUND when the clinic has no such assessment
     */
    public List<Review> history(ClinicId clinic, UUID assessmentId) {
        return read(c -> {
            if (reviewed(c, clinic, assessmentId).isEmpty()) {
                throw new ApiException(Kind.NOT_FOUND, "assessment_id: no assessment with this id in this clinic's record");
            }
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM review WHERE clinic_id = ? AND record_id = ?"
                    + " ORDER BY reviewed_at DESC, review_id DESC")) {
                s.setString(1, clinic.value());
                s.setObject(2, assessmentId);
                List<Review> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(review(rs));
                    }
                }
                return out;
            }
        });
    }

    static Review review(ResultSet rs) throws SQLException {
        int after = rs.getInt("level_after");
        OptionalInt levelAfter = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(after);
        return new Review(rs.getObject("review_id", UUID.class), rs.getObject("record_id", UUID.class),
                rs.getString("reviewer"), Role.parse(rs.getString("reviewer_role")),
                ReviewSource.valueOf(rs.getString("source")), ReviewAction.valueOf(rs.getString("action")),
                rs.getInt("level_before"), levelAfter,
                Optional.ofNullable(rs.getString("reason")).map(ReasonCode::valueOf),
                Optional.ofNullable(rs.getString("comment")),
                new TreeMap<>(Review.versions((String[]) rs.getArray("model_versions").getArray())),
                instant(rs, "reviewed_at"), instant(rs, "recorded_at"));
    }

    /**
     * A clinician's action on an alert of their clinic, against its latest event. Resolving takes it off the
     * worklist (until its monitor sends a newer event); acknowledging or escalating marks it there.
     *
     * @throws ApiException NOT_FOUND when the clinic has no alert with this id
     */
    public AlertAction act(Caller caller, String alertId, AlertActionKind action, Optional<String> note) {
        if (note.isPresent() && note.get().length() > NewReview.MAX_COMMENT) {
            throw new InvalidInputException("note", "must be at most " + NewReview.MAX_COMMENT + " characters");
        }
        Optional<String> kept = note.filter(n -> !n.isBlank());
        return write(c -> {
            UUID event = latestEvent(c, caller.clinic(), alertId);
            UUID id = UUID.randomUUID();
            Instant at;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO alert_action (action_id, clinic_id, alert_id,"
                    + " event_id, action, note, actor, actor_role) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING acted_at")) {
                s.setObject(1, id);
                s.setString(2, caller.clinic().value());
                s.setString(3, alertId);
                s.setObject(4, event);
                s.setString(5, action.name());
                s.setString(6, kept.orElse(null));
                s.setString(7, caller.subject());
                s.setString(8, caller.role().wireName());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    at = instant(rs, "acted_at");
                }
            }
            String queue = action == AlertActionKind.RESOLVED
                    ? "DELETE FROM alert_queue WHERE clinic_id = ? AND alert_id = ?"
                    : "UPDATE alert_queue SET last_action = ? WHERE clinic_id = ? AND alert_id = ?";
            try (PreparedStatement s = c.prepareStatement(queue)) {
                int i = 1;
                if (action != AlertActionKind.RESOLVED) {
                    s.setString(i++, action.name());
                }
                s.setString(i++, caller.clinic().value());
                s.setString(i, alertId);
                s.executeUpdate();
            }
            return new AlertAction(id, alertId, event, action, kept, caller.subject(), caller.role(), at);
        });
    }

    /**
     * The clinicians' actions on an alert of the clinic, newest first.
     *
     * @throws ApiException NOT_FOUND when the clinic has no alert with this id
     */
    public List<AlertAction> alertActions(ClinicId clinic, String alertId) {
        return read(c -> {
            latestEvent(c, clinic, alertId);
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM alert_action WHERE clinic_id = ? AND alert_id = ?"
                    + " ORDER BY acted_at DESC, action_id DESC")) {
                s.setString(1, clinic.value());
                s.setString(2, alertId);
                List<AlertAction> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AlertAction(rs.getObject("action_id", UUID.class), rs.getString("alert_id"),
                                rs.getObject("event_id", UUID.class), AlertActionKind.valueOf(rs.getString("action")),
                                Optional.ofNullable(rs.getString("note")), rs.getString("actor"),
                                Role.parse(rs.getString("actor_role")), instant(rs, "acted_at")));
                    }
                }
                return out;
            }
        });
    }

    private static UUID latestEvent(Connection c, ClinicId clinic, String alertId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT event_id FROM alert_event WHERE clinic_id = ?"
                + " AND alert_id = ? ORDER BY occurred_at DESC, event_id DESC LIMIT 1")) {
            s.setString(1, clinic.value());
            s.setString(2, alertId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new ApiException(Kind.NOT_FOUND, "alert_id: no alert with this id in this clinic's record");
                }
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /**
     * One page of the clinic's worklist: assessments awaiting their first review and open alerts, most
     * urgent first, then oldest. Each half is an index range scan of its queue ({@code review_queue_worklist},
     * {@code alert_queue_worklist}) that stops after a page, so a page costs the same with 10 or 10,000 items.
     */
    public WorklistPage worklist(ClinicId clinic, WorklistQuery q) {
        return read(c -> {
            Filter f = new Filter(q);
            List<Key> keys = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(f.pageSql())) {
                f.bindPage(c, s, clinic);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        keys.add(new Key(rs.getString("kind").equals("A"), rs.getObject("id", UUID.class),
                                rs.getInt("urgency"), instant(rs, "at")));
                    }
                }
            }
            Optional<WorklistQuery.Cursor> next = Optional.empty();
            if (keys.size() > q.pageSize()) {
                keys = keys.subList(0, q.pageSize());
                Key last = keys.getLast();
                next = Optional.of(new WorklistQuery.Cursor(last.urgency(), last.at(), last.id()));
            }
            long open;
            try (PreparedStatement s = c.prepareStatement(f.countSql())) {
                f.bindCount(c, s, clinic);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    open = rs.getLong(1);
                }
            }
            Instant now = clock.instant();
            Map<UUID, WorklistItem> byId = new HashMap<>();
            byId.putAll(assessments(c, keys.stream().filter(Key::assessment).map(Key::id).toList(), now));
            byId.putAll(alerts(c, keys.stream().filter(k -> !k.assessment()).map(Key::id).toList(), now));
            // An item reviewed between the two reads is left out rather than shown stale.
            return new WorklistPage(keys.stream().map(k -> byId.get(k.id())).filter(Objects::nonNull).toList(), open,
                    next);
        });
    }

    private record Key(boolean assessment, UUID id, int urgency, Instant at) {
    }

    /** PostgreSQL's plan of a worklist page as it ran ({@code EXPLAIN ANALYZE}), to check the indexes are used. */
    String explainWorklist(ClinicId clinic, WorklistQuery q) {
        return read(c -> {
            Filter f = new Filter(q);
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement s = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + f.pageSql())) {
                f.bindPage(c, s, clinic);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            }
            return plan.toString();
        });
    }

    /** The SQL of one worklist query: fixed fragments chosen by the filters, values always bound. */
    private static final class Filter {
        private final WorklistQuery q;
        private final boolean assessments;
        private final boolean alerts;
        private final boolean byLevel;
        private final boolean byKind;

        Filter(WorklistQuery q) {
            this.q = q;
            this.assessments = WorklistKind.assessmentKinds().stream().anyMatch(q.kinds()::contains);
            this.alerts = q.kinds().contains(WorklistKind.ALERT);
            this.byLevel = q.levels().size() < 5;
            this.byKind = !q.kinds().containsAll(WorklistKind.assessmentKinds());
        }

        private String assessmentWhere() {
            return "q.clinic_id = ?" + (byLevel ? " AND q.level = ANY (?)" : "") + (byKind ? " AND q.kinds && ?" : "");
        }

        private String alertWhere() {
            return "a.clinic_id = ?" + (byLevel ? " AND a.urgency = ANY (?)" : "");
        }

        String pageSql() {
            List<String> parts = new ArrayList<>();
            if (assessments) {
                parts.add("(SELECT 'A' AS kind, q.record_id AS id, q.level AS urgency, q.assessed_at AS at"
                        + " FROM review_queue q WHERE " + assessmentWhere()
                        + " AND (q.level, q.assessed_at, q.record_id) > (?, ?, ?)"
                        + " ORDER BY q.level, q.assessed_at, q.record_id LIMIT ?)");
            }
            if (alerts) {
                parts.add("(SELECT 'E' AS kind, a.queue_id AS id, a.urgency AS urgency, a.raised_at AS at"
                        + " FROM alert_queue a WHERE " + alertWhere()
                        + " AND (a.urgency, a.raised_at, a.queue_id) > (?, ?, ?)"
                        + " ORDER BY a.urgency, a.raised_at, a.queue_id LIMIT ?)");
            }
            return "SELECT kind, id, urgency, at FROM (" + String.join(" UNION ALL ", parts)
                    + ") w ORDER BY urgency, at, id LIMIT ?";
        }

        String countSql() {
            return "SELECT " + (assessments ? "(SELECT count(*) FROM review_queue q WHERE " + assessmentWhere() + ")" : "0")
                    + " + " + (alerts ? "(SELECT count(*) FROM alert_queue a WHERE " + alertWhere() + ")" : "0");
        }

        void bindPage(Connection c, PreparedStatement s, ClinicId clinic) throws SQLException {
            int i = 1;
            WorklistQuery.Cursor after = q.after().orElse(new WorklistQuery.Cursor(0, Instant.EPOCH, new UUID(0, 0)));
            if (assessments) {
                i = bindWhere(c, s, i, clinic, true);
                i = bindCursor(s, i, after);
                s.setInt(i++, q.pageSize() + 1);
            }
            if (alerts) {
                i = bindWhere(c, s, i, clinic, false);
                i = bindCursor(s, i, after);
                s.setInt(i++, q.pageSize() + 1);
            }
            s.setInt(i, q.pageSize() + 1);
        }

        void bindCount(Connection c, PreparedStatement s, ClinicId clinic) throws SQLException {
            int i = 1;
            if (assessments) {
                i = bindWhere(c, s, i, clinic, true);
            }
            if (alerts) {
                bindWhere(c, s, i, clinic, false);
            }
        }

        private int bindWhere(Connection c, PreparedStatement s, int i, ClinicId clinic, boolean assessment)
                throws SQLException {
            s.setString(i++, clinic.value());
            if (byLevel) {
                s.setArray(i++, c.createArrayOf("integer", q.levels().toArray()));
            }
            if (assessment && byKind) {
                s.setArray(i++, c.createArrayOf("text", q.kinds().stream().map(Enum::name).toArray()));
            }
            return i;
        }

        private static int bindCursor(PreparedStatement s, int i, WorklistQuery.Cursor after) throws SQLException {
            s.setInt(i++, after.urgency());
            s.setObject(i++, utc(after.at()));
            s.setObject(i++, after.id());
            return i;
        }
    }

    @FunctionalInterface
    private interface ItemReader {
        WorklistItem read(ResultSet rs) throws SQLException, InvalidProtocolBufferException;
    }

    /** The items of a page by id: {@code sql} selects rows {@code WHERE <id> = ANY (?)}, the id in column 1. */
    private static Map<UUID, WorklistItem> items(Connection c, String sql, List<UUID> ids, ItemReader reader)
            throws SQLException, InvalidProtocolBufferException {
        Map<UUID, WorklistItem> out = new HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getObject(1, UUID.class), reader.read(rs));
                }
            }
        }
        return out;
    }

    private Map<UUID, WorklistItem> assessments(Connection c, List<UUID> ids, Instant now) throws SQLException,
            InvalidProtocolBufferException {
        return items(c, "SELECT t.record_id, t.clinic_id, t.sealed, t.assessed_at, t.request, t.result, q.kinds FROM review_queue q"
                + " JOIN triage_assessment t ON t.record_id = q.record_id WHERE q.record_id = ANY (?)", ids, rs -> {
                    TriageAssessment a = TriageAssessment.parseFrom(open(rs, "result", "triage_assessment.result"));
                    TriageRequest r = TriageRequest.parseFrom(open(rs, "request", "triage_assessment.request"));
                    Instant at = instant(rs, "assessed_at");
                    List<WorklistKind> kinds = new ArrayList<>();
                    for (String k : (String[]) rs.getArray("kinds").getArray()) {
                        kinds.add(WorklistKind.valueOf(k));
                    }
                    return new WorklistItem(WorklistItem.Type.ASSESSMENT, rs.getObject("record_id", UUID.class).toString(),
                            kinds, a.getLevel(), Acuity.forNumber(a.getLevel()).name(),
                            Optional.of(a.getDisposition().name()), Optional.empty(), at, age(at, now),
                            Optional.of(r.getPatientRef()).filter(p -> !p.isEmpty()),
                            Optional.of(r.getInterview().getChiefComplaint()).filter(text -> !text.isBlank()),
                            a.getDecidedBy(), a.getReviewReasonsList(), new TreeMap<>(a.getModelVersionsMap()),
                            Optional.empty());
                });
    }

    private Map<UUID, WorklistItem> alerts(Connection c, List<UUID> ids, Instant now) throws SQLException,
            InvalidProtocolBufferException {
        return items(c, "SELECT a.queue_id, a.alert_id, a.severity, a.urgency, a.raised_at, a.last_action,"
                + " e.event, e.clinic_id, e.sealed FROM alert_queue a JOIN alert_event e ON e.event_id = a.event_id WHERE a.queue_id = ANY (?)",
                ids, rs -> {
                    Alert alert = Alert.parseFrom(open(rs, "event", "alert_event.event"));
                    Instant at = instant(rs, "raised_at");
                    return new WorklistItem(WorklistItem.Type.ALERT, rs.getString("alert_id"), List.of(WorklistKind.ALERT),
                            rs.getInt("urgency"), Acuity.forNumber(rs.getInt("urgency")).name(), Optional.empty(),
                            Optional.of(rs.getString("severity")), at, age(at, now),
                            Optional.of(alert.getPatientRef()), Optional.empty(), alert.getDetector(),
                            List.of(alert.getReason()), alert.getModelVersion().isEmpty() ? new TreeMap<>()
                                    : new TreeMap<>(Map.of(alert.getDetector(), alert.getModelVersion())),
                            Optional.ofNullable(rs.getString("last_action")).map(AlertActionKind::valueOf));
                });
    }

    private byte[] openAs(ResultSet rs, String clinicColumn, String column, String context) throws SQLException {
        byte[] bytes = rs.getBytes(column);
        return rs.getBoolean("sealed") ? cipher.open(new ClinicId(rs.getString(clinicColumn)), bytes, context) : bytes;
    }

    private static long age(Instant at, Instant now) {
        return Math.max(0, Duration.between(at, now).toSeconds());
    }

    /**
     * Each assessment's latest review made since {@code since} (UTC midnight), with what the assessment was
     * given and answered, for the retraining export; in review time order.
     *
     * @param clinics the clinics to export; empty for every clinic
     */
    public List<ReviewedAssessment> latestReviews(LocalDate since, Set<ClinicId> clinics) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT r.*, t.clinic_id AS clinic, t.assessed_at,"
                    + " t.request, t.result, t.sealed FROM (SELECT DISTINCT ON (record_id) * FROM review"
                    + " ORDER BY record_id, reviewed_at DESC, review_id DESC) r"
                    + " JOIN triage_assessment t ON t.record_id = r.record_id"
                    + " WHERE r.reviewed_at >= ? AND (cardinality(?::text[]) = 0 OR r.clinic_id = ANY (?))"
                    + " ORDER BY r.reviewed_at, r.review_id")) {
                s.setObject(1, since.atStartOfDay().atOffset(ZoneOffset.UTC));
                Array wanted = c.createArrayOf("text", clinics.stream().map(ClinicId::value).sorted().toArray());
                s.setArray(2, wanted);
                s.setArray(3, wanted);
                List<ReviewedAssessment> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ReviewedAssessment(new ClinicId(rs.getString("clinic")), review(rs),
                                instant(rs, "assessed_at"), TriageRequest.parseFrom(openAs(rs, "clinic", "request",
                                "triage_assessment.request")), TriageAssessment.parseFrom(openAs(rs, "clinic", "result",
                                "triage_assessment.result"))));
                    }
                }
                return out;
            }
        });
    }

    /** That an export was made: by whom, of what (not the cases themselves). */
    public void recordExport(String exportedBy, Role role, LocalDate since, Set<ClinicId> clinics, int cases,
                             String sha256) {
        write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO review_export (export_id, exported_by,"
                    + " exported_role, since, clinics, cases, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setObject(1, UUID.randomUUID());
                s.setString(2, exportedBy);
                s.setString(3, role.wireName());
                s.setObject(4, since);
                s.setArray(5, c.createArrayOf("text", clinics.stream().map(ClinicId::value).sorted().toArray()));
                s.setInt(6, cases);
                s.setString(7, sha256);
                s.executeUpdate();
            }
            return null;
        });
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private <T> T read(Transactions.Work<T> work) {
        return Transactions.read(dataSource, work);
    }

    private <T> T write(Transactions.Work<T> work) {
        return Transactions.write(dataSource, work);
    }
}
