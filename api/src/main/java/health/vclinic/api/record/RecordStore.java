package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import health.vclinic.api.fhir.FhirCall;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedFhirCall;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.record.v1.VitalSummary;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.review.WorklistKind;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.nio.charset.StandardCharsets;
import health.vclinic.api.audit.Access;
import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.audit.AuditLog;
import health.vclinic.api.audit.AuditOutcome;
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
 * makes the journal's replay idempotent) or deleted by an erasure or the retention purge.
 */
public final class RecordStore {

    /** A table that holds patient data (a {@code clinic_id} and a {@code patient_ref} on every row), and its time column. */
    record PatientTable(String name, String timeColumn) {
    }

    /** Every table that holds patient data: what an erasure, the retention purge and their checks cover. */
    static final List<PatientTable> PATIENT_TABLES = List.of(
            new PatientTable("triage_assessment", "assessed_at"),
            new PatientTable("alert_event", "occurred_at"),
            new PatientTable("imaging_analysis", "analyzed_at"),
            new PatientTable("fhir_call", "called_at"),
            new PatientTable("vital_window", "window_start"));

    @FunctionalInterface
    private interface Parameters {
        void bind(PreparedStatement s) throws SQLException;
    }

    /**
     * One statement per patient table ({@code sql} of the table), bound alike: the sum of the rows it
     * changed or, for a query, of the single number it answered.
     */
    private static long overPatientTables(Connection c, java.util.function.Function<PatientTable, String> sql,
                                          Parameters parameters) throws SQLException {
        long total = 0;
        for (PatientTable table : PATIENT_TABLES) {
            try (PreparedStatement s = c.prepareStatement(sql.apply(table))) {
                parameters.bind(s);
                if (s.execute()) {
                    try (ResultSet rs = s.getResultSet()) {
                        rs.next();
                        total += rs.getLong(1);
                    }
                } else {
                    total += s.getUpdateCount();
                }
            }
        }
        return total;
    }

    /** Binds the clinic and the patient's lookup hash, in that order. */
    private Parameters clinicAndPatient(ClinicId clinic, PatientRef patient) throws SQLException {
        String lookup = sealing.lookup(clinic, patient);
        return s -> {
            s.setString(1, clinic.value());
            s.setString(2, lookup);
        };
    }

    private final DataSource dataSource;
    private final Sealing sealing;
    private volatile Optional<AuditLog> audit = Optional.empty();

    /** The record on {@code dataSource}, its patient data sealed at rest by {@code cipher} (see {@link Sealing}). */
    public RecordStore(DataSource dataSource, health.vclinic.api.keys.FieldCipher cipher) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.sealing = new Sealing(cipher);
    }

    /**
     * Audits every access to patient data from now on: creates, erasures and (through {@link #audited})
     * reads of the request bound in {@link Access#CURRENT}. Writes are audited in their own transaction;
     * a read is audited right after it and its answer withheld when the audit entry cannot be written.
     */
    public void auditingTo(AuditLog log) {
        this.audit = Optional.of(Objects.requireNonNull(log, "log"));
    }

    /** Appends the current access to the audit trail in {@code tx} (nothing without an audit log or an access). */
    private void audit(Connection tx, Optional<Access> access, AuditAction action, String objectType, String objectId,
                       Optional<PatientRef> patient) throws SQLException {
        if (audit.isPresent() && access.isPresent()) {
            audit.get().append(tx, access.get().entries(action, objectType, objectId, patient, AuditOutcome.SUCCESS));
        }
    }

    /**
     * Runs a read of the current request and audits it; the answer is given only once its audit entry is
     * written (an access that cannot be audited fails). A read refused as not found is audited as a failure.
     */
    public <T> T audited(AuditAction action, String objectType, String objectId, Optional<PatientRef> patient,
                         java.util.function.Supplier<T> read) {
        Optional<Access> access = Access.current();
        if (audit.isEmpty() || access.isEmpty()) {
            return read.get();
        }
        T out;
        try {
            out = read.get();
        } catch (ApiException e) {
            if (e.error().kind() == Kind.NOT_FOUND) {
                audit.get().append(access.get().entries(action, objectType, objectId, patient, AuditOutcome.FAILURE));
            }
            throw e;
        }
        // Under break-glass, the emergency-access alert and the access commit together.
        audit.get().append(access.get().entries(action, objectType, objectId, patient, AuditOutcome.SUCCESS));
        return out;
    }

    /**
     * One triage assessment to keep.
     *
     * @param assessedAt when it was answered, at the database's precision (microseconds)
     */
    public record AssessmentRow(UUID recordId, ClinicId clinic, Optional<PatientRef> patient, Instant assessedAt,
                                long latencyMicros, TriageRequest request, TriageAssessment result,
                                Optional<Access> access) {
        public AssessmentRow {
            Objects.requireNonNull(recordId, "recordId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            assessedAt = assessedAt.truncatedTo(ChronoUnit.MICROS);
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(access, "access");
        }
    }

    /**
     * One monitoring alert state change (RAISED, UPDATED or RESOLVED) with its evidence.
     *
     * @param access the stream's access that produced it (the audited actor); empty when the engine produced
     *               it on its own (the service is then the actor)
     */
    public record AlertRow(UUID eventId, ClinicId clinic, PatientRef patient, Instant occurredAt, Alert alert,
                           Optional<Access> access) {
        public AlertRow {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
            Objects.requireNonNull(alert, "alert");
            Objects.requireNonNull(access, "access");
        }

        /** An event the service produced on its own. */
        public AlertRow(UUID eventId, ClinicId clinic, PatientRef patient, Instant occurredAt, Alert alert) {
            this(eventId, clinic, patient, occurredAt, alert, Optional.empty());
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

    /**
     * A FHIR {@code $triage} or CDS Hooks call with the RiskAssessment it produced.
     *
     * @param call the call; its {@code recordId} is the row's id
     */
    public record FhirCallRow(ClinicId clinic, FhirCall call, Optional<AssessmentRow> assessment) {
        public FhirCallRow {
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(assessment, "assessment");
            if (assessment.isPresent() && !assessment.get().recordId().equals(call.recordId())) {
                throw new IllegalArgumentException("a FHIR call and the assessment it stands for share their id");
            }
        }

        /** The FHIR view alone, without the assessment it stands for. */
        public FhirCallRow(ClinicId clinic, FhirCall call) {
            this(clinic, call, Optional.empty());
        }
    }

    /** One vital sign over a window: how many samples measured it, their sum, min and max. */
    public record Summary(int count, double sum, double min, double max) {
        public Summary {
            if (count < 0) {
                throw new IllegalArgumentException("count must be at least 0");
            }
        }
    }

    /**
     * A partial summary of one patient's accepted samples in one minute (several rows of the same minute
     * are merged on reading).
     *
     * @param windowStart the minute, truncated
     * @param vitals one summary per {@link Vital}, in its order
     */
    public record VitalWindowRow(UUID windowId, ClinicId clinic, PatientRef patient, Instant windowStart, int samples,
                                 List<Summary> vitals) {
        public VitalWindowRow {
            Objects.requireNonNull(windowId, "windowId");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(patient, "patient");
            windowStart = windowStart.truncatedTo(ChronoUnit.MINUTES);
            vitals = List.copyOf(vitals);
            if (samples <= 0 || vitals.size() != Vital.values().length) {
                throw new IllegalArgumentException("a window holds at least one sample and a summary per vital sign");
            }
        }
    }

    /** A monitoring alert as it stands: its latest event, and when its first was. */
    public record AlertHistory(RecordedAlertEvent latest, Instant firstAt) {
        public AlertHistory {
            Objects.requireNonNull(latest, "latest");
            Objects.requireNonNull(firstAt, "firstAt");
        }
    }

    /** One page of a patient's alerts, and the cursor of the next when there is one. */
    public record AlertPage(List<AlertHistory> alerts, Optional<Cursor> next) {
        public AlertPage {
            alerts = List.copyOf(alerts);
            Objects.requireNonNull(next, "next");
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

    /**
     * An assessment as its row holds it: the columns kept in clear (what the worklist and the timeline query)
     * and the rest sealed for its clinic, computed once, so the journal and the database take the same bytes.
     * {@code patient} is the plaintext reference for the audit entry only; nothing writes it in clear.
     */
    record SealedAssessment(UUID recordId, ClinicId clinic, Optional<PatientRef> patient, Optional<String> patientLookup,
                            Optional<byte[]> patientRefSealed, Instant assessedAt, long latencyMicros, int level,
                            String decidedBy, List<String> modelVersions, byte[] request, byte[] result,
                            List<String> reviewKinds, Optional<Access> access) {
    }

    /** Seals {@code r} as its row will hold it. */
    SealedAssessment seal(AssessmentRow r) throws SQLException {
        return new SealedAssessment(r.recordId(), r.clinic(), r.patient(),
                Optional.ofNullable(sealing.lookupOrNull(r.clinic(), r.patient())),
                Optional.ofNullable(sealing.sealRefOrNull(r.clinic(), r.patient(), "triage_assessment")),
                r.assessedAt(), r.latencyMicros(), r.result().getLevel(), r.result().getDecidedBy(),
                r.result().getModelVersionsMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue()).toList(),
                sealing.seal(r.clinic(), r.request().toByteArray(), REQUEST_CONTEXT),
                sealing.seal(r.clinic(), r.result().toByteArray(), RESULT_CONTEXT),
                // Why it awaits a clinician (empty: it does not); V7's trigger puts it on the worklist.
                WorklistKind.of(r.result()).stream().map(Enum::name).toList(), r.access());
    }

    static final String REQUEST_CONTEXT = "triage_assessment.request";
    static final String RESULT_CONTEXT = "triage_assessment.result";
    static final String PATIENT_REF_CONTEXT = "triage_assessment.patient_ref_sealed";

    /** Inserts a batch in one transaction; ids already present are skipped (a replay is idempotent). */
    public void insertAssessments(List<AssessmentRow> rows) throws SQLException {
        List<SealedAssessment> sealed = new ArrayList<>(rows.size());
        for (AssessmentRow r : rows) {
            sealed.add(seal(r));
        }
        insertSealedAssessments(sealed);
    }

    /** Inserts sealed assessments and their audit entries in one transaction; ids already present are skipped. */
    void insertSealedAssessments(List<SealedAssessment> rows) throws SQLException {
        batch(INSERT_ASSESSMENT, rows, RecordStore::bindAssessment, (c, all) -> {
            if (audit.isPresent()) {
                // One entry per assessment, appended together: the batch's audit costs about one entry.
                audit.get().append(c, all.stream().filter(r -> r.access().isPresent()).flatMap(r -> r.access().get()
                        .entries(AuditAction.CREATE, "TriageAssessment", r.recordId().toString(), r.patient(),
                                AuditOutcome.SUCCESS).stream()).toList());
            }
        });
    }

    private static final String INSERT_ASSESSMENT = "INSERT INTO triage_assessment (record_id, clinic_id, patient_ref,"
            + " assessed_at, latency_micros, level, decided_by, model_versions, request, result, review_kinds, sealed,"
            + " patient_ref_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?) ON CONFLICT (record_id) DO NOTHING";

    private static void bindAssessment(Connection c, PreparedStatement s, SealedAssessment r) throws SQLException {
        s.setObject(1, r.recordId());
        s.setString(2, r.clinic().value());
        s.setString(3, r.patientLookup().orElse(null));
        s.setObject(4, utc(r.assessedAt()));
        s.setLong(5, r.latencyMicros());
        s.setInt(6, r.level());
        s.setString(7, r.decidedBy());
        s.setArray(8, c.createArrayOf("text", r.modelVersions().toArray()));
        s.setBytes(9, r.request());
        s.setBytes(10, r.result());
        s.setArray(11, c.createArrayOf("text", r.reviewKinds().toArray()));
        s.setBytes(12, r.patientRefSealed().orElse(null));
    }

    /** Inserts alert events in one transaction; ids already present are skipped. */
    public void insertAlertEvents(List<AlertRow> rows) throws SQLException {
        batch("INSERT INTO alert_event (event_id, clinic_id, patient_ref, alert_id, state, severity, occurred_at,"
                + " event, sealed, patient_ref_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, ?)"
                + " ON CONFLICT (event_id) DO NOTHING", rows, (c, s, r) -> {
                    s.setObject(1, r.eventId());
                    s.setString(2, r.clinic().value());
                    s.setString(3, sealing.lookup(r.clinic(), r.patient()));
                    s.setString(4, r.alert().getAlertId());
                    s.setString(5, r.alert().getState().name());
                    s.setString(6, r.alert().getSeverity().name());
                    s.setObject(7, utc(r.occurredAt()));
                    s.setBytes(8, sealing.seal(r.clinic(), r.alert().toByteArray(), "alert_event.event"));
                    s.setBytes(9, sealing.sealRefOrNull(r.clinic(), Optional.of(r.patient()), "alert_event"));
                }, this::auditAlertEvents);
    }

    /** The actor of alert events the monitoring engine produced with no stream's request behind them. */
    static final String MONITORING_ACTOR = "vclinic-monitoring";

    /**
     * Audits an alert event in its row's transaction, as what it does to the patient's FHIR Flag (id = the
     * alert id, {@link FhirReads}): RAISED creates it, UPDATED and RESOLVED update it; by the stream's caller,
     * or by the service itself when the engine produced the event on its own.
     */
    private void auditAlertEvents(Connection tx, List<AlertRow> rows) throws SQLException {
        if (audit.isPresent()) {
            List<health.vclinic.api.audit.AuditEntry> entries = new ArrayList<>();
            for (AlertRow r : rows) {
                entries.addAll(alertEntries(r));
            }
            audit.get().append(tx, entries);
        }
    }

    private static List<health.vclinic.api.audit.AuditEntry> alertEntries(AlertRow r) {
        AuditAction action = r.alert().getState() == health.vclinic.api.monitoring.v1.AlertState.RAISED
                ? AuditAction.CREATE : AuditAction.UPDATE;
        String alertId = r.alert().getAlertId();
        String flag = alertId.isBlank() || alertId.length() > 256 ? r.eventId().toString() : alertId;
        return r.access().isPresent()
                ? r.access().get().entries(action, "Flag", flag, Optional.of(r.patient()), AuditOutcome.SUCCESS)
                : List.of(new health.vclinic.api.audit.AuditEntry(MONITORING_ACTOR, "system", r.clinic(), action,
                        "Flag", flag, Optional.of(r.patient()), AuditOutcome.SUCCESS, r.eventId().toString(),
                        Optional.empty()));
    }

    @FunctionalInterface
    private interface Binder<T> {
        void bind(Connection c, PreparedStatement s, T row) throws SQLException;
    }

    @FunctionalInterface
    private interface AfterRows<T> {
        void run(Connection c, List<T> rows) throws SQLException;
    }

    /** One prepared statement, one batch, one commit. */
    private <T> void batch(String sql, List<T> rows, Binder<T> binder) throws SQLException {
        batch(sql, rows, binder, (c, all) -> { });
    }

    /** One transaction: the rows, then {@code after} for all of them (their audit entries). */
    private <T> void batch(String sql, List<T> rows, Binder<T> binder, AfterRows<T> after) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (T r : rows) {
                    binder.bind(c, s, r);
                    s.addBatch();
                }
                s.executeBatch();
                after.run(c, rows);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Inserts one imaging analysis, audited as the current request's. */
    public void insertImaging(ImagingRow r) throws SQLException {
        Optional<Access> access = Access.current();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO imaging_analysis (record_id, clinic_id, patient_ref,"
                     + " analyzed_at, model_id, finding, image, result, sealed, patient_ref_sealed)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, ?)"
                     + " ON CONFLICT (record_id) DO NOTHING")) {
            s.setObject(1, r.recordId());
            s.setString(2, r.clinic().value());
            s.setString(3, sealing.lookupOrNull(r.clinic(), r.patient()));
            s.setObject(4, utc(r.analyzedAt()));
            s.setString(5, r.modelId());
            s.setString(6, r.finding());
            s.setBytes(7, sealing.seal(r.clinic(), r.image(), "imaging_analysis.image"));
            s.setBytes(8, sealing.seal(r.clinic(), r.analysis().toByteArray(), "imaging_analysis.result"));
            s.setBytes(9, sealing.sealRefOrNull(r.clinic(), r.patient(), "imaging_analysis"));
            s.executeUpdate();
            audit(c, access, AuditAction.CREATE, "ImageAnalysis", r.recordId().toString(), r.patient());
            c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Inserts one FHIR call; an id already present is skipped. */
    public void insertFhirCall(FhirCallRow r) throws SQLException {
        FhirCall f = r.call();
        Optional<Access> access = Access.current();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO fhir_call (record_id, clinic_id, patient_ref,"
                     + " called_at, operation, request, risk_assessment, sealed, patient_ref_sealed)"
                     + " VALUES (?, ?, ?, ?, ?, ?, ?, true, ?)"
                     + " ON CONFLICT (record_id) DO NOTHING")) {
            s.setObject(1, f.recordId());
            s.setString(2, r.clinic().value());
            s.setString(3, sealing.lookupOrNull(r.clinic(), f.patient()));
            s.setObject(4, utc(f.calledAt()));
            s.setString(5, f.operation());
            s.setBytes(6, sealing.seal(r.clinic(), f.request().getBytes(StandardCharsets.UTF_8), "fhir_call.request"));
            s.setBytes(7, sealing.seal(r.clinic(), f.riskAssessment().getBytes(StandardCharsets.UTF_8),
                    "fhir_call.risk_assessment"));
            s.setBytes(8, sealing.sealRefOrNull(r.clinic(), f.patient(), "fhir_call"));
            s.executeUpdate();
            // The assessment it stands for, with the same id, in the same transaction: one access, one entry.
            if (r.assessment().isPresent()) {
                try (PreparedStatement a = c.prepareStatement(INSERT_ASSESSMENT)) {
                    bindAssessment(c, a, seal(r.assessment().get()));
                    a.executeUpdate();
                }
            }
            audit(c, access, AuditAction.CREATE, "RiskAssessment", f.recordId().toString(), f.patient());
            c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static final String VITAL_COLUMNS = java.util.Arrays.stream(Vital.values())
            .map(v -> v.column() + "_n, " + v.column() + "_sum, " + v.column() + "_min, " + v.column() + "_max")
            .collect(java.util.stream.Collectors.joining(", "));

    /** Inserts trend windows in one transaction; ids already present are skipped. */
    public void insertVitalWindows(List<VitalWindowRow> rows) throws SQLException {
        int columns = 5 + 4 * Vital.values().length;
        batch("INSERT INTO vital_window (window_id, clinic_id, patient_ref, window_start, samples, " + VITAL_COLUMNS
                + ", sealed) VALUES (" + "?, ".repeat(columns) + "true) ON CONFLICT (window_id) DO NOTHING", rows,
                (c, s, r) -> {
                    s.setObject(1, r.windowId());
                    s.setString(2, r.clinic().value());
                    s.setString(3, sealing.lookup(r.clinic(), r.patient()));
                    s.setObject(4, utc(r.windowStart()));
                    s.setInt(5, r.samples());
                    int i = 6;
                    for (Summary v : r.vitals()) {
                        s.setInt(i++, v.count());
                        for (double d : new double[] {v.sum(), v.min(), v.max()}) {
                            if (v.count() == 0) {
                                s.setNull(i++, java.sql.Types.DOUBLE);
                            } else {
                                s.setDouble(i++, d);
                            }
                        }
                    }
                });
    }

    private static final String VITALS = "SELECT window_start, sum(samples) AS samples, "
            + java.util.Arrays.stream(Vital.values()).map(v -> "sum(" + v.column() + "_n) AS " + v.column() + "_n, sum("
                    + v.column() + "_sum) AS " + v.column() + "_sum, min(" + v.column() + "_min) AS " + v.column()
                    + "_min, max(" + v.column() + "_max) AS " + v.column() + "_max")
                    .collect(java.util.stream.Collectors.joining(", "))
            + " FROM vital_window WHERE clinic_id = ? AND patient_ref = ? AND window_start >= ?"
            + " GROUP BY window_start ORDER BY window_start LIMIT ?";

    /** A patient's trend windows from {@code since} on, oldest first, at most {@code limit}; partial rows merged. */
    public List<VitalsWindow> vitals(ClinicId clinic, PatientRef patient, Instant since, int limit) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(VITALS)) {
                s.setString(1, clinic.value());
                s.setString(2, sealing.lookup(clinic, patient));
                s.setObject(3, utc(since));
                s.setInt(4, limit);
                List<VitalsWindow> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        VitalsWindow.Builder w = VitalsWindow.newBuilder()
                                .setWindowStart(timestamp(instant(rs, "window_start")))
                                .setSamples(rs.getInt("samples"));
                        for (Vital v : Vital.values()) {
                            long n = rs.getLong(v.column() + "_n");
                            if (n > 0) {
                                w.setField(v.field(), VitalSummary.newBuilder().setCount((int) n)
                                        .setMean(rs.getDouble(v.column() + "_sum") / n)
                                        .setMin(rs.getDouble(v.column() + "_min"))
                                        .setMax(rs.getDouble(v.column() + "_max")).build());
                            }
                        }
                        out.add(w.build());
                    }
                }
                return out;
            }
        });
    }

    /** The FHIR call with this id in this clinic. */
    public Optional<RecordedFhirCall> fhirCall(ClinicId clinic, UUID recordId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT record_id, patient_ref, patient_ref_sealed, sealed,"
                    + " called_at, operation, request, risk_assessment FROM fhir_call WHERE clinic_id = ? AND record_id = ?")) {
                s.setString(1, clinic.value());
                s.setObject(2, recordId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<RecordedFhirCall>empty();
                    }
                    boolean sealed = rs.getBoolean("sealed");
                    RecordedFhirCall.Builder b = fhirCall(rs.getObject("record_id", UUID.class),
                            timestamp(instant(rs, "called_at")), rs.getString("operation"),
                            sealing.open(clinic, rs.getBytes("request"), sealed, "fhir_call.request"),
                            sealing.open(clinic, rs.getBytes("risk_assessment"), sealed, "fhir_call.risk_assessment"));
                    sealing.openRef(clinic, rs, "fhir_call").ifPresent(b::setPatientRef);
                    return Optional.of(b.build());
                }
            }
        });
    }

    private static RecordedFhirCall.Builder fhirCall(UUID id, Timestamp at, String operation, byte[] request,
                                                     byte[] riskAssessment) {
        return RecordedFhirCall.newBuilder().setRecordId(id.toString()).setCalledAt(at).setOperation(operation)
                .setRequest(new String(request, StandardCharsets.UTF_8))
                .setRiskAssessment(new String(riskAssessment, StandardCharsets.UTF_8));
    }

    /** The assessment with this id in this clinic. */
    public Optional<RecordedAssessment> assessment(ClinicId clinic, UUID recordId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT record_id, patient_ref, patient_ref_sealed, sealed,"
                    + " assessed_at, latency_micros, request, result FROM triage_assessment"
                    + " WHERE clinic_id = ? AND record_id = ?")) {
                s.setString(1, clinic.value());
                s.setObject(2, recordId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(assessment(clinic, rs)) : Optional.<RecordedAssessment>empty();
                }
            }
        });
    }

    private static final String ASSESSMENTS = "SELECT 'A' AS kind, record_id AS id, assessed_at AS at,"
            + " latency_micros, request AS a, result AS b, NULL AS model_id, NULL AS finding, sealed"
            + " FROM triage_assessment WHERE clinic_id = ? AND patient_ref = ?";
    private static final String ALERT_EVENTS = "SELECT 'E', event_id, occurred_at, 0, event, NULL, NULL, NULL, sealed"
            + " FROM alert_event WHERE clinic_id = ? AND patient_ref = ?";
    private static final String IMAGES = "SELECT 'I', record_id, analyzed_at, 0, image, result, model_id, finding, sealed"
            + " FROM imaging_analysis WHERE clinic_id = ? AND patient_ref = ?";
    private static final String FHIR_CALLS = "SELECT 'F', record_id, called_at, 0, request, risk_assessment,"
            + " operation, NULL, sealed FROM fhir_call WHERE clinic_id = ? AND patient_ref = ?";

    /** The columns a timeline reads as {@code a} and {@code b}, per kind (their sealing context). */
    private static final java.util.Map<String, String> TIMELINE_A = java.util.Map.of("A", "request", "E", "event",
            "I", "image", "F", "request");
    private static final java.util.Map<String, String> TIMELINE_B = java.util.Map.of("A", "result",
            "I", "result", "F", "risk_assessment");

    /*
     * A FHIR call made since V9 of this code is kept twice under one id: as the call (fhir_call, the FHIR
     * view: the request as received, the RiskAssessment as answered) and as the assessment it stands for
     * (triage_assessment). Each reading shows one of the two: the timeline the assessment (a clinician opens
     * it like any other), FHIR the call (the RiskAssessment exactly as answered); the export both.
     */
    private static final String FHIR_CALLS_ALONE = FHIR_CALLS
            + " AND NOT EXISTS (SELECT 1 FROM triage_assessment t WHERE t.record_id = fhir_call.record_id)";
    private static final String ASSESSMENTS_NOT_FHIR = ASSESSMENTS
            + " AND NOT EXISTS (SELECT 1 FROM fhir_call f WHERE f.record_id = triage_assessment.record_id)";

    /** The kinds a timeline mixes, each a SELECT of the same columns taking the clinic and the patient. */
    private static final List<String> TIMELINE = List.of(ASSESSMENTS, ALERT_EVENTS, IMAGES, FHIR_CALLS_ALONE);
    /** What answers as a FHIR RiskAssessment: triage assessments from gRPC or HTTP, and FHIR calls. */
    private static final List<String> RISK_ASSESSMENTS = List.of(ASSESSMENTS_NOT_FHIR, FHIR_CALLS);
    /** Everything held: a FHIR call's two forms both (for export). */
    private static final List<String> EVERYTHING = List.of(ASSESSMENTS, ALERT_EVENTS, IMAGES, FHIR_CALLS);

    private static String newestFirst(List<String> kinds) {
        return "SELECT kind, id, at, latency_micros, a, b, model_id, finding, sealed FROM (" + String.join(" UNION ALL ", kinds)
                + ") t WHERE (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?";
    }

    /**
     * A patient's timeline, newest first: at most {@code pageSize} entries older than {@code after}.
     * Entries at the same instant are ordered by id, so paging neither repeats nor skips one.
     */
    public Page timeline(ClinicId clinic, PatientRef patient, int pageSize, Optional<Cursor> after) {
        return page(TIMELINE, clinic, patient, pageSize, after);
    }

    /**
     * A patient's triage assessments (from gRPC or HTTP) and FHIR calls, newest first, paged like the
     * timeline: what {@code GET /fhir/r4/RiskAssessment?patient=} answers.
     */
    public Page riskAssessments(ClinicId clinic, PatientRef patient, int pageSize, Optional<Cursor> after) {
        return page(RISK_ASSESSMENTS, clinic, patient, pageSize, after);
    }

    private Page page(List<String> kinds, ClinicId clinic, PatientRef patient, int pageSize, Optional<Cursor> after) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement(newestFirst(kinds))) {
                String lookup = sealing.lookup(clinic, patient);
                int i = 1;
                for (int k = 0; k < kinds.size(); k++) {
                    s.setString(i++, clinic.value());
                    s.setString(i++, lookup);
                }
                // The first page starts after the largest possible key.
                s.setObject(i++, utc(after.map(Cursor::at).orElse(LAST)));
                s.setObject(i++, after.map(Cursor::id).orElse(new UUID(-1L, -1L)));
                s.setInt(i, pageSize + 1);
                List<TimelineEntry> entries = new ArrayList<>();
                Cursor last = null;
                Optional<Cursor> next = Optional.empty();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (entries.size() == pageSize) {
                            next = Optional.of(last);
                            break;
                        }
                        entries.add(entry(rs, clinic, patient));
                        last = new Cursor(instant(rs, "at"), rs.getObject("id", UUID.class));
                    }
                }
                return new Page(entries, next);
            }
        });
    }

    private static final Instant LAST = Instant.parse("9999-12-31T00:00:00Z");

    /**
     * A patient's monitoring alerts as they stand (open or resolved), by their latest event, newest first,
     * at most {@code pageSize} after {@code after} (the cursor is the latest event's time and id).
     */
    public AlertPage alerts(ClinicId clinic, PatientRef patient, int pageSize, Optional<Cursor> after) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM (SELECT DISTINCT ON (alert_id) event_id,"
                    + " occurred_at, event, sealed, min(occurred_at) OVER (PARTITION BY alert_id) AS first_at FROM alert_event"
                    + " WHERE clinic_id = ? AND patient_ref = ? ORDER BY alert_id, occurred_at DESC, event_id DESC) latest"
                    + " WHERE (occurred_at, event_id) < (?, ?) ORDER BY occurred_at DESC, event_id DESC LIMIT ?")) {
                s.setString(1, clinic.value());
                s.setString(2, sealing.lookup(clinic, patient));
                s.setObject(3, utc(after.map(Cursor::at).orElse(LAST)));
                s.setObject(4, after.map(Cursor::id).orElse(new UUID(-1L, -1L)));
                s.setInt(5, pageSize + 1);
                List<AlertHistory> alerts = new ArrayList<>();
                Cursor last = null;
                Optional<Cursor> next = Optional.empty();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (alerts.size() == pageSize) {
                            next = Optional.of(last);
                            break;
                        }
                        UUID id = rs.getObject("event_id", UUID.class);
                        Instant at = instant(rs, "occurred_at");
                        alerts.add(new AlertHistory(RecordedAlertEvent.newBuilder().setEventId(id.toString())
                                .setPatientRef(patient.value()).setOccurredAt(timestamp(at))
                                .setAlert(alertEvent(clinic, rs)).build(), instant(rs, "first_at")));
                        last = new Cursor(at, id);
                    }
                }
                return new AlertPage(alerts, next);
            }
        });
    }

    /** Every entry held on a patient, newest first (for export). */
    public List<TimelineEntry> everything(ClinicId clinic, PatientRef patient) {
        // Unpaged: a FHIR call and its assessment share (time, id), which a cursor cannot tell apart.
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT kind, id, at, latency_micros, a, b, model_id, finding,"
                    + " sealed FROM (" + String.join(" UNION ALL ", EVERYTHING) + ") t ORDER BY at DESC, id DESC, kind")) {
                String lookup = sealing.lookup(clinic, patient);
                int i = 1;
                for (int k = 0; k < EVERYTHING.size(); k++) {
                    s.setString(i++, clinic.value());
                    s.setString(i++, lookup);
                }
                List<TimelineEntry> all = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        all.add(entry(rs, clinic, patient));
                    }
                }
                return all;
            }
        });
    }

    /** The clinic's alerts whose latest event is not RESOLVED, newest first. */
    public List<RecordedAlertEvent> openAlerts(ClinicId clinic) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT * FROM (SELECT DISTINCT ON (alert_id) event_id,"
                    + " patient_ref, patient_ref_sealed, sealed, occurred_at, state, event FROM alert_event WHERE clinic_id = ?"
                    + " ORDER BY alert_id, occurred_at DESC, event_id DESC) latest WHERE state <> 'RESOLVED'"
                    + " ORDER BY occurred_at DESC, event_id DESC")) {
                s.setString(1, clinic.value());
                return recordedAlertEvents(clinic, s);
            }
        });
    }

    /** The alert events a query of {@code alert_event} rows answers, in its order. */
    private List<RecordedAlertEvent> recordedAlertEvents(ClinicId clinic, PreparedStatement s)
            throws SQLException, com.google.protobuf.InvalidProtocolBufferException {
        List<RecordedAlertEvent> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(RecordedAlertEvent.newBuilder()
                        .setEventId(rs.getObject("event_id", UUID.class).toString())
                        .setPatientRef(sealing.openRef(clinic, rs, "alert_event").orElseThrow())
                        .setOccurredAt(timestamp(instant(rs, "occurred_at")))
                        .setAlert(alertEvent(clinic, rs)).build());
            }
        }
        return out;
    }

    /** Every event of one monitoring alert of {@code clinic}, oldest first; empty when there is none. */
    public List<RecordedAlertEvent> alertEvents(ClinicId clinic, String alertId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT event_id, patient_ref, patient_ref_sealed, sealed,"
                    + " occurred_at, event FROM alert_event WHERE clinic_id = ? AND alert_id = ?"
                    + " ORDER BY occurred_at, event_id")) {
                s.setString(1, clinic.value());
                s.setString(2, alertId);
                return recordedAlertEvents(clinic, s);
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
        Optional<Access> access = Access.current();
        return write(c -> {
            // The erasure is audited by the patient's keyed hash only, in the erasure's own transaction.
            audit(c, access, AuditAction.ERASE, "Patient", "patient-record", Optional.of(patient));
            long erased = overPatientTables(c, t -> "DELETE FROM " + t.name() + " WHERE clinic_id = ? AND patient_ref = ?",
                    clinicAndPatient(clinic, patient));
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
            long purged = overPatientTables(c, t -> "DELETE FROM " + t.name() + " WHERE clinic_id = ? AND "
                    + t.timeColumn() + " < ?", s -> {
                        s.setString(1, clinic.value());
                        s.setObject(2, utc(cutoff));
                    });
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
            for (PatientTable table : PATIENT_TABLES) {
                union.append(union.isEmpty() ? "" : " UNION ").append("SELECT DISTINCT clinic_id FROM ").append(table.name());
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
        return read(c -> overPatientTables(c, t -> "SELECT count(*) FROM " + t.name()
                + " WHERE clinic_id = ? AND patient_ref = ?", clinicAndPatient(clinic, patient)));
    }

    /** Seals the rows kept in clear before encryption at rest ({@link LegacyRows}); returns how many. */
    long sealLegacyRows() {
        return read(c -> LegacyRows.seal(dataSource, sealing));
    }

    /** The cipher that seals this record. */
    health.vclinic.api.keys.FieldCipher cipher() {
        return sealing.cipher();
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

    private TimelineEntry entry(ResultSet rs, ClinicId clinic, PatientRef patient) throws SQLException,
            InvalidProtocolBufferException {
        UUID id = rs.getObject("id", UUID.class);
        Timestamp at = timestamp(instant(rs, "at"));
        String kind = rs.getString("kind");
        String table = switch (kind) {
            case "A" -> "triage_assessment";
            case "E" -> "alert_event";
            case "I" -> "imaging_analysis";
            case "F" -> "fhir_call";
            default -> throw new IllegalStateException("unknown timeline kind");
        };
        boolean sealed = rs.getBoolean("sealed");
        byte[] a = sealing.open(clinic, rs.getBytes("a"), sealed, table + "." + TIMELINE_A.get(kind));
        byte[] b = kind.equals("E") ? new byte[0]
                : sealing.open(clinic, rs.getBytes("b"), sealed, table + "." + TIMELINE_B.get(kind));
        return switch (kind) {
            case "A" -> TimelineEntry.newBuilder().setAssessment(RecordedAssessment.newBuilder()
                    .setRecordId(id.toString()).setPatientRef(patient.value()).setAssessedAt(at)
                    .setLatencyMicros(rs.getLong("latency_micros"))
                    .setRequest(TriageRequest.parseFrom(a))
                    .setAssessment(TriageAssessment.parseFrom(b))).build();
            case "E" -> TimelineEntry.newBuilder().setAlert(RecordedAlertEvent.newBuilder()
                    .setEventId(id.toString()).setPatientRef(patient.value()).setOccurredAt(at)
                    .setAlert(Alert.parseFrom(a))).build();
            case "I" -> TimelineEntry.newBuilder().setImageAnalysis(RecordedImageAnalysis.newBuilder()
                    .setRecordId(id.toString()).setPatientRef(patient.value()).setAnalyzedAt(at)
                    .setModelId(rs.getString("model_id")).setFinding(rs.getString("finding"))
                    .setImage(com.google.protobuf.ByteString.copyFrom(a))
                    .setAnalysis(ImageAnalysis.parseFrom(b))).build();
            case "F" -> TimelineEntry.newBuilder().setFhirCall(fhirCall(id, at, rs.getString("model_id"),
                    a, b).setPatientRef(patient.value())).build();
            default -> throw new IllegalStateException("unknown timeline kind");
        };
    }

    private RecordedAssessment assessment(ClinicId clinic, ResultSet rs) throws SQLException,
            InvalidProtocolBufferException {
        boolean sealed = rs.getBoolean("sealed");
        RecordedAssessment.Builder b = RecordedAssessment.newBuilder()
                .setRecordId(rs.getObject("record_id", UUID.class).toString())
                .setAssessedAt(timestamp(instant(rs, "assessed_at")))
                .setLatencyMicros(rs.getLong("latency_micros"))
                .setRequest(TriageRequest.parseFrom(sealing.open(clinic, rs.getBytes("request"), sealed,
                        "triage_assessment.request")))
                .setAssessment(TriageAssessment.parseFrom(sealing.open(clinic, rs.getBytes("result"), sealed,
                        "triage_assessment.result")));
        sealing.openRef(clinic, rs, "triage_assessment").ifPresent(b::setPatientRef);
        return b.build();
    }

    private Alert alertEvent(ClinicId clinic, ResultSet rs) throws SQLException, InvalidProtocolBufferException {
        return Alert.parseFrom(sealing.open(clinic, rs.getBytes("event"), rs.getBoolean("sealed"), "alert_event.event"));
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
