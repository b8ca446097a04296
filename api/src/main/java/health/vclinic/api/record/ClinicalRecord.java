package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.HttpErrors;
import health.vclinic.api.server.PatientRef;
import io.grpc.BindableService;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import health.vclinic.api.security.Caller;
import java.util.function.Supplier;

/**
 * The clinical record as the server sees it: the database, the assessment log that keeps every triage
 * answer, the read API (gRPC {@code vclinic.record.v1.RecordService} and HTTP), per-patient export and
 * erasure, and the retention purge. The composition root opens one and hands the pieces to the services.
 *
 * <p>HTTP: {@code GET /v1/record/assessments/{id}}, {@code GET /v1/record/patients/{ref}/timeline}
 * ({@code page_size}, {@code page_token}), {@code GET /v1/record/alerts:open},
 * {@code GET /v1/record/patients/{ref}/vitals} ({@code since}, RFC 3339; the trend windows),
 * {@code GET /v1/record/patients/{ref}/export} (a FHIR Bundle), {@code DELETE /v1/record/patients/{ref}}
 * (erasure, also from every in-memory engine that registered with {@link #onErase}); FHIR R4 reads of
 * RiskAssessments and Flags ({@link FhirReads}).
 */
public final class ClinicalRecord implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClinicalRecord.class.getName());
    /** Default bound of the local journal: about 30,000 typical assessments. */
    public static final long DEFAULT_SPOOL_BYTES = 64L << 20;
    /** The HTTP routes, as counted in metrics. */
    public static final Set<String> ROUTES = Set.of("GET /v1/record/assessments/{id}",
            "GET /v1/record/patients/{ref}/timeline", "GET /v1/record/alerts:open",
            "GET /v1/record/patients/{ref}/vitals", "GET " + FhirReads.RISK_ASSESSMENT + "/{id}",
            "GET " + FhirReads.RISK_ASSESSMENT, "GET " + FhirReads.FLAG,
            "GET /v1/record/patients/{ref}/export", "DELETE /v1/record/patients/{ref}");
    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private final Database database;
    private final RecordStore store;
    private final RecordReader reader;
    private final AssessmentLog assessments;
    private final AlertLog alerts;
    private final ImagingLog images;
    private final FhirCallLog fhirCalls;
    private final VitalsLog vitals;
    private final Optional<Duration> keepFor;
    private final List<BiConsumer<ClinicId, PatientRef>> erasers = new CopyOnWriteArrayList<>();
    private final Optional<ScheduledExecutorService> retention;
    private final FhirReads fhirReads;

    private ClinicalRecord(Database database, health.vclinic.api.keys.FieldCipher cipher, Path dataDir,
                           long spoolBytes, Optional<Duration> keepFor, AssessmentLog.Durability durability) {
        this.database = database;
        this.store = new RecordStore(database.dataSource(), cipher);
        this.reader = new RecordReader(store);
        this.fhirReads = new FhirReads(store);
        this.assessments = new AssessmentLog(store, dataDir.resolve("journal"),
                Optional.of(dataDir.resolve("spool/assessments.spool")), spoolBytes, durability);
        database.settleBeforeConnections(assessments::settle);
        this.alerts = new AlertLog(store);
        this.images = new ImagingLog(store);
        this.fhirCalls = new FhirCallLog(store);
        this.vitals = new VitalsLog(store);
        this.keepFor = keepFor;
        this.retention = keepFor.map(this::scheduleRetention);
    }

    /**
     * Opens the record on {@code database}, taking ownership of it (closed with the record).
     *
     * Patient data is sealed at rest under per-clinic data keys wrapped by the master key from {@code master}
     * (see {@link Sealing}); rows kept in clear by a version before encryption at rest are sealed now.
     *
     * @param master the master key of encryption at rest, never stored in the database
     * @param dataDir where the local journal lives (and an earlier version's spool)
     * @param keepFor the retention period, empty to keep records until erased
     */
    public static ClinicalRecord open(Database database, health.vclinic.api.keys.MasterKeySource master, Path dataDir,
                                      long spoolBytes, Optional<Duration> keepFor) {
        return open(database, master, dataDir, spoolBytes, keepFor, AssessmentLog.Durability.JOURNAL);
    }

    /**
     * Opens the record as {@link #open(Database, health.vclinic.api.keys.MasterKeySource, Path, long, Optional)},
     * answering assessments at {@code durability}.
     */
    public static ClinicalRecord open(Database database, health.vclinic.api.keys.MasterKeySource master, Path dataDir,
                                      long spoolBytes, Optional<Duration> keepFor, AssessmentLog.Durability durability) {
        health.vclinic.api.keys.FieldCipher cipher;
        try {
            health.vclinic.api.keys.KeyRing keys = health.vclinic.api.keys.KeyRing.open(database.dataSource(), master);
            cipher = new health.vclinic.api.keys.FieldCipher(keys);
            // Caches the default clinic's keys, so the journal can seal while the database is down (see JournalCodec).
            cipher.keyedHash(ClinicId.DEFAULT, "warm-up");
            long sealed = new RecordStore(database.dataSource(), cipher).sealLegacyRows();
            if (sealed > 0) {
                LOG.log(System.Logger.Level.INFO, "sealed " + sealed + " record rows kept in clear by an earlier version");
            }
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return new ClinicalRecord(database, cipher, dataDir, spoolBytes, keepFor, durability);
    }

    /** The cipher that seals this record's patient data at rest (its key ring: rotation, shredding). */
    public health.vclinic.api.keys.FieldCipher cipher() {
        return store.cipher();
    }

    public AssessmentLog assessments() {
        return assessments;
    }

    /** Where the monitoring endpoint keeps its alert events (written behind, see {@link AlertLog}). */
    public health.vclinic.api.monitoring.AlertRecorder alerts() {
        return alerts;
    }

    /** Where the imaging endpoint keeps its analyses. */
    public health.vclinic.api.imaging.ImagingRecorder images() {
        return images;
    }

    /** Where the FHIR routes keep each {@code $triage} and CDS Hooks call with its RiskAssessment. */
    public health.vclinic.api.fhir.FhirCallRecorder fhirCalls() {
        return fhirCalls::record;
    }

    /** Where the monitoring endpoint keeps accepted samples as trend windows (written behind, see {@link VitalsLog}). */
    public health.vclinic.api.monitoring.VitalsRecorder vitals() {
        return vitals::record;
    }

    /** Waits until every alert event queued so far is written (tests). */
    public void flushAlerts() throws InterruptedException {
        alerts.flush();
    }

    /** Writes every vital-sign sample queued so far into its trend window (tests). */
    public void flushVitals() throws InterruptedException {
        vitals.flush();
    }

    /** What a write-behind log has kept and lost since the record opened (as its /metrics counters say). */
    public record Kept(long committed, long lost) {
    }

    /** Accepted vital-sign samples written into trend windows, and lost. */
    public Kept vitalSamples() {
        return vitals.kept();
    }

    /** Monitoring alert events written, and lost. */
    public Kept alertEvents() {
        return alerts.kept();
    }

    private volatile Optional<health.vclinic.api.audit.AuditLog> audit = Optional.empty();

    /** Audits every access to the record in {@code log} from now on, and serves it to admins as AuditEvents. */
    public void auditingTo(health.vclinic.api.audit.AuditLog log) {
        store.auditingTo(log);
        this.audit = Optional.of(log);
    }

    /** The audit trail, when the record is audited. */
    public Optional<health.vclinic.api.audit.AuditLog> audit() {
        return audit;
    }

    public RecordStore store() {
        return store;
    }

    public Database database() {
        return database;
    }

    /** Registers an engine that holds patient state in memory, to be told when a patient is erased. */
    public void onErase(BiConsumer<ClinicId, PatientRef> eraser) {
        erasers.add(Objects.requireNonNull(eraser, "eraser"));
    }

    /** Erases a patient of {@code clinic} from the record and every registered engine; returns the rows erased. */
    public long erase(ClinicId clinic, PatientRef patient) {
        erasers.forEach(e -> e.accept(clinic, patient));
        try {
            // Alert events and trend windows are written behind: the patient's queued ones land first, then go
            // with the rest.
            alerts.flush();
            vitals.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before erasing", e);
        }
        long rows = store.erase(clinic, patient);
        assessments.dropCommittedFromJournal();
        return rows;
    }

    /** The patient's whole record as a FHIR R4 Bundle (JSON). */
    public String export(ClinicId clinic, PatientRef patient) {
        return store.audited(health.vclinic.api.audit.AuditAction.EXPORT, "Patient", "patient-record",
                Optional.of(patient), () -> exportUnaudited(clinic, patient));
    }

    private String exportUnaudited(ClinicId clinic, PatientRef patient) {
        List<VitalsWindow> windows = new java.util.ArrayList<>();
        Instant since = Instant.EPOCH;
        List<VitalsWindow> page;
        do {
            page = store.vitals(clinic, patient, since, RecordReader.MAX_WINDOWS);
            windows.addAll(page);
            if (!page.isEmpty()) {
                since = RecordFhir.instant(page.getLast().getWindowStart()).plusSeconds(60);
            }
        } while (page.size() == RecordReader.MAX_WINDOWS);
        return PatientExport.json(patient, store.everything(clinic, patient), windows);
    }

    /**
     * The retention purge, as the schedule runs it: deletes every record older than the retention period
     * (none without one) and records how many. Trend windows queued so far are written first, so that
     * what is purged does not come back.
     *
     * @return the rows purged
     */
    public long purgeExpired() {
        if (keepFor.isEmpty()) {
            return 0;
        }
        try {
            vitals.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted before the retention purge", e);
        }
        return store.purgeOlderThan(Instant.now().minus(keepFor.get()));
    }

    public BindableService grpcService() {
        return new RecordGrpcService(reader);
    }

    /** Prometheus text: the journal backlog and how assessments were kept. */
    public String prometheus() {
        return assessments.prometheus() + alerts.prometheus() + images.prometheus() + fhirCalls.prometheus()
                + vitals.prometheus();
    }

    /** Registers the HTTP routes. */
    public void routes(HttpRouting.Builder routing) {
        routing.get("/v1/record/assessments/{id}", (req, res) -> json(res,
                        () -> reader.assessment(Caller.of(req).clinic(), req.path().pathParameters().get("id"))))
                .get("/v1/record/patients/{ref}/timeline", (req, res) -> json(res, () -> reader.timeline(Caller.of(req).clinic(),
                        req.path().pathParameters().get("ref"), pageSize(req),
                        req.query().first("page_token").orElse(""))))
                .get("/v1/record/alerts:open", (req, res) -> json(res, () -> reader.openAlerts(Caller.of(req).clinic())))
                .get("/v1/record/patients/{ref}/vitals", (req, res) -> json(res, () -> reader.vitals(Caller.of(req).clinic(),
                        req.path().pathParameters().get("ref"), RecordReader.since(req.query().first("since").asOptional()))))
                .get("/v1/record/patients/{ref}/export", (req, res) -> {
                    String out;
                    try {
                        out = export(Caller.of(req).clinic(), new PatientRef(req.path().pathParameters().get("ref")));
                    } catch (RuntimeException e) {
                        HttpErrors.send(res, e);
                        return;
                    }
                    send(res, "application/fhir+json", out);
                })
                .delete("/v1/record/patients/{ref}", (req, res) -> {
                    long rows;
                    try {
                        rows = erase(Caller.of(req).clinic(), new PatientRef(req.path().pathParameters().get("ref")));
                    } catch (RuntimeException e) {
                        HttpErrors.send(res, e);
                        return;
                    }
                    send(res, "application/json", "{\"rows_erased\":" + rows + "}");
                });
        fhirReads.routes(routing);
        audit.ifPresent(log -> health.vclinic.api.audit.AuditHttp.register(routing, log));
    }

    private static int pageSize(ServerRequest req) {
        String raw = req.query().first("page_size").orElse("0");
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new health.vclinic.datasets.InvalidInputException("page_size", "must be 1 to "
                    + RecordReader.MAX_PAGE_SIZE + " (0: " + RecordReader.DEFAULT_PAGE_SIZE + ")");
        }
    }

    private static void json(ServerResponse res, Supplier<? extends MessageOrBuilder> call) {
        String out;
        try {
            out = JSON.print(call.get());
        } catch (RuntimeException e) {
            HttpErrors.send(res, e);
            return;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a record message always prints", e);
        }
        send(res, "application/json", out);
    }

    private static void send(ServerResponse res, String type, String body) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.send(body);
    }

    private ScheduledExecutorService scheduleRetention(Duration keepFor) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("vclinic-record-retention").daemon().factory());
        s.scheduleWithFixedDelay(() -> {
            try {
                long purged = purgeExpired();
                if (purged > 0) {
                    LOG.log(System.Logger.Level.INFO, "retention: purged " + purged + " records older than " + keepFor);
                }
            } catch (RuntimeException e) {
                // The next run tries again; retention is never worth stopping the service for.
                LOG.log(System.Logger.Level.WARNING, "retention purge failed: " + e.getClass().getName());
            }
        }, 0, 1, TimeUnit.HOURS);
        return s;
    }

    /** Writes what is queued, stops the purge, closes the database (and stops an embedded one). */
    @Override
    public void close() {
        retention.ifPresent(ScheduledExecutorService::shutdownNow);
        assessments.close();
        alerts.close();
        vitals.close();
        database.close();
    }
}
