package health.vclinic.api;

import health.vclinic.api.server.Limits;
import health.vclinic.api.server.Deadlines;
import health.vclinic.api.server.IdentityEncoding;
import health.vclinic.api.server.RequestMetrics;
import health.vclinic.api.server.TlsSettings;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.TriageGrpcService;
import health.vclinic.api.triage.TriageHttp;
import health.vclinic.api.fhir.FhirCallRecorder;
import health.vclinic.api.fhir.FhirRouting;
import health.vclinic.api.grpcwire.GrpcWire;
import health.vclinic.api.grpcwire.WindowUpdateGuard;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.imaging.ImagingGrpcService;
import health.vclinic.api.imaging.ImagingHttp;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.MonitoringGrpcService;
import health.vclinic.api.app.ClinicianApp;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.review.ReviewHttp;
import health.vclinic.api.review.ReviewStore;
import health.vclinic.api.security.Security;
import health.vclinic.api.audit.AccessScope;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import health.vclinic.inference.MissingModel;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageEngine;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcReflectionFeature;
import io.helidon.webserver.grpc.GrpcRouting;
import health.vclinic.api.grpcwire.ParsedOnce;
import io.helidon.webserver.grpc.GrpcServiceDescriptor;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The vclinic service: gRPC and HTTP on one port (Helidon 4 SE).
 *
 * <p>gRPC: {@code vclinic.triage.v1.TriageService}, {@code grpc.health.v1.Health} (grpc-java's
 * {@link HealthStatusManager}) and server reflection; with an imaging model,
 * {@code vclinic.imaging.v1.ImagingService}; with remote monitoring, {@code vclinic.monitoring.v1.MonitoringService}
 * (the bidirectional {@code Monitor} stream). HTTP: {@code POST /v1/triage:assess} (proto3 JSON),
 * {@code POST /v1/imaging:analyze} (with an imaging model), {@code GET /health/live},
 * {@code GET /health/ready}, {@code GET /metrics} (Prometheus text).
 * Every call but health, {@code /metrics} and discovery needs a bearer access token ({@link Security}).
 * Stopping flips health to NOT_SERVING and readiness to 503 first, then lets in-flight calls finish.
 * FHIR R4 {@code $triage} and CDS Hooks: {@link FhirRouting}. JSON bodies are read with
 * {@code RequestBodies} and checked by {@code StrictJson} first; slow clients time out ({@link HttpTimeouts}).
 */
public final class VclinicServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VclinicServer.class.getName());

    /** Largest accepted triage request body (see {@link Limits}). */
    public static final long MAX_PAYLOAD_BYTES = Limits.MAX_PAYLOAD_BYTES;
    /** Room around an image for the rest of a gRPC message or a JSON body (base64 takes 4 bytes per 3). */
    private static final long IMAGE_MESSAGE_OVERHEAD = 64 << 10;
    /** How long in-flight calls may take to finish on shutdown (see {@link Limits}). */
    public static final Duration SHUTDOWN_GRACE = Limits.SHUTDOWN_GRACE;

    private static final String TRIAGE_SERVICE = "vclinic.triage.v1.TriageService";
    private static final String IMAGING_SERVICE = "vclinic.imaging.v1.ImagingService";
    private static final String MONITORING_SERVICE = "vclinic.monitoring.v1.MonitoringService";
    private static final String RECORD_SERVICE = "vclinic.record.v1.RecordService";
    /** The routes that get their own metrics series; anything else is "unmatched" (bounded cardinality). */
    private static final Set<String> HTTP_ROUTES = Set.of("POST " + TriageHttp.PATH, "POST " + ImagingHttp.PATH,
            "GET /health/live", "GET /health/ready", "GET /metrics", "POST /oauth2/token",
            "GET /.well-known/smart-configuration");

    private final WebServer server;
    private final HealthStatusManager health;
    private final AtomicBoolean ready;
    private final RequestMetrics metrics;
    private final Optional<ImagingEndpoint> imaging;
    private final Optional<MonitoringEndpoint> monitoring;
    private final TriageEndpoint triage;
    private final Optional<ClinicalRecord> record;
    private final WindowUpdateGuard windowUpdates;

    private VclinicServer(TriageEndpoint triage, WebServer server, HealthStatusManager health, AtomicBoolean ready,
                          RequestMetrics metrics, Optional<ImagingEndpoint> imaging, Optional<MonitoringEndpoint> monitoring,
                          Optional<ClinicalRecord> record, WindowUpdateGuard windowUpdates) {
        this.triage = triage;
        this.windowUpdates = windowUpdates;
        this.record = record;
        this.server = server;
        this.health = health;
        this.ready = ready;
        this.metrics = metrics;
        this.imaging = imaging;
        this.monitoring = monitoring;
    }

    /**
     * Starts the service on {@code host:port}; port 0 picks a free port (see {@link #port()}).
     */
    public static VclinicServer start(Security security, TriageEndpoint endpoint, String host, int port) {
        return start(security, endpoint, Optional.empty(), host, port);
    }

    /**
     * Starts the service with the imaging model too, when given; the server closes it when it stops.
     */
    public static VclinicServer start(Security security, TriageEndpoint endpoint, Optional<ImagingEndpoint> imaging,
                                      String host, int port) {
        return start(security, endpoint, imaging, Optional.empty(), host, port);
    }

    /**
     * Starts the service with the imaging model and remote monitoring too, when given; the server closes
     * them when it stops.
     */
    public static VclinicServer start(Security security, TriageEndpoint endpoint, Optional<ImagingEndpoint> imaging,
                                      Optional<MonitoringEndpoint> monitoring, String host, int port) {
        return start(security, endpoint, imaging, monitoring, Optional.empty(), host, port, HttpTimeouts.DEFAULTS);
    }

    /**
     * Starts the service keeping every assessment, alert and image in the clinical record, when given, and
     * serving {@code vclinic.record.v1.RecordService}; with these client timeouts (idle connections, header
     * and body deadlines). The server closes the record, the imaging model and monitoring when it stops.
     */
    public static VclinicServer start(Security security, TriageEndpoint unrecorded, Optional<ImagingEndpoint> imaging,
                                      Optional<MonitoringEndpoint> monitoring, Optional<ClinicalRecord> record,
                                      String host, int port, HttpTimeouts timeouts) {
        return start(security, unrecorded, imaging, monitoring, record, host, port, timeouts, Optional.empty());
    }

    /**
     * Starts the service as above, over TLS when {@code tls} is given (gRPC and HTTP on the one port, ALPN
     * {@code h2} and {@code http/1.1}; mutual TLS with a client CA); without it, in plain text.
     *
     * @throws IllegalArgumentException when a TLS file is unusable, naming it
     */
    public static VclinicServer start(Security security, TriageEndpoint unrecorded, Optional<ImagingEndpoint> imaging,
                                      Optional<MonitoringEndpoint> monitoring, Optional<ClinicalRecord> record,
                                      String host, int port, HttpTimeouts timeouts, Optional<TlsSettings> tls) {
        TriageEndpoint endpoint = record.map(r -> unrecorded.recordingTo(r.assessments())).orElse(unrecorded);
        // An erased patient goes from the monitoring engine's memory too.
        record.ifPresent(r -> monitoring.ifPresent(m -> r.onErase((clinic, p) -> m.forget(clinic, p.value()))));
        record.ifPresent(r -> monitoring.ifPresent(m -> m.recordingTo(r.alerts())));
        record.ifPresent(r -> monitoring.ifPresent(m -> m.recordingVitalsTo(r.vitals())));
        record.ifPresent(r -> imaging.ifPresent(i -> i.recordingTo(r.images())));
        // Images are larger than triage requests: the transport admits them, each route bounds its own body.
        long maxBody = imaging.map(i -> Math.max(MAX_PAYLOAD_BYTES, i.limits().maxBytes() * 4L / 3
                + IMAGE_MESSAGE_OVERHEAD)).orElse(MAX_PAYLOAD_BYTES);
        HealthStatusManager health = new HealthStatusManager();
        RequestMetrics metrics = new RequestMetrics();
        AtomicBoolean ready = new AtomicBoolean(false);
        GrpcConfig grpc = GrpcConfig.builder().enableCompression(false)
                .maxReadBufferSize((int) Math.max(2 << 20, maxBody)).build();
        WindowUpdateGuard windowUpdates = new WindowUpdateGuard();
        WebServer server = WebServer.builder()
                .update(timeouts::configure)
                .update(b -> tls.ifPresent(t -> t.configure(b)))
                .host(host)
                .port(port)
                // Without TCP_NODELAY every unary gRPC call waits ~40 ms on Nagle + delayed ACK.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .maxPayloadSize(maxBody)
                .shutdownGracePeriod(SHUTDOWN_GRACE)
                .shutdownHook(false)
                // Helidon gzips every response whose client merely accepts gzip (grpc-java always
                // does). For ~1 KB messages that cost more CPU than the whole assessment, so the
                // server never compresses (and, as a consequence, does not accept compressed requests).
                .addProtocol(grpc)
                // grpcwire: gRPC streams go through GrpcWire, which answers malformed requests (a message over
                // maxBody is RESOURCE_EXHAUSTED; up to it, an oversized image gets INVALID_ARGUMENT with the
                // imaging endpoint's limit) and percent-encodes grpc-message. HTTP/2 defaults as Helidon's own.
                .addConnectionSelector(GrpcWire.connectionSelector(Http2Config.create(), grpc, maxBody,
                        (code, nanos) -> metrics.record("grpc", "unmatched", code.name(), nanos), windowUpdates))
                .addFeature(GrpcReflectionFeature.create(b -> b.enabled(true)))
                .addRouting(grpcRouting(endpoint, imaging, monitoring, health, metrics, record)
                        // After metrics and the wire guard, before deadlines and everything that reads a message.
                        .intercept(1200, security.grpcGate())
                        .intercept(1100, AccessScope.grpc()))
                .routing(r -> {
                    // Metrics first: refused calls are counted too.
                    metricsFilter(r, metrics);
                    security.routes(r);
                    // After the gate: the data layer audits each access as the authenticated caller's.
                    r.addFilter(AccessScope.http());
                    // SMART Backend Services: the clinics and clients are in the record's database.
                    record.ifPresent(rec -> security.smartRoutes(r, rec.database().dataSource()));
                    record.ifPresent(rec -> rec.routes(r));
                    record.ifPresent(rec -> new ReviewHttp(new ReviewStore(rec.database().dataSource(), rec.cipher()), Clock.systemUTC(),
                            timeouts.body(), Optional.of(rec.store())).routes(r));
                    record.ifPresent(rec -> ClinicianApp.create(rec, Clock.systemUTC()).routes(r));
                    httpRouting(r, endpoint, imaging, ready, metrics, record, timeouts.body(),
                            () -> security.denials().prometheus() + windowUpdateMetrics(windowUpdates));
                })
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(TRIAGE_SERVICE, ServingStatus.SERVING);
        imaging.ifPresent(i -> health.setStatus(IMAGING_SERVICE, ServingStatus.SERVING));
        monitoring.ifPresent(m -> health.setStatus(MONITORING_SERVICE, ServingStatus.SERVING));
        record.ifPresent(r -> health.setStatus(RECORD_SERVICE, ServingStatus.SERVING));
        ready.set(true);
        return new VclinicServer(endpoint, server, health, ready, metrics, imaging, monitoring, record, windowUpdates);
    }

    static GrpcRouting.Builder grpcRouting(TriageEndpoint endpoint, Optional<ImagingEndpoint> imaging,
                                           Optional<MonitoringEndpoint> monitoring, HealthStatusManager health,
                                           RequestMetrics metrics, Optional<ClinicalRecord> record) {
        GrpcRouting.Builder routing = GrpcRouting.builder()
                // Higher weight runs first: metrics see every call, including ones the deadline refuses.
                .intercept(2000, metrics)
                // grpcwire: between metrics and the rest, so a call the wire ends is counted per method.
                .intercept(1500, GrpcWire.callGuard())
                .intercept(1000, new Deadlines())
                .intercept(900, new IdentityEncoding())
                // A descriptor built from the bindable service carries its proto, which reflection needs.
                .service(GrpcServiceDescriptor.builder(ParsedOnce.of(new TriageGrpcService(endpoint))).build())
                .service(GrpcServiceDescriptor.builder(ParsedOnce.of(health.getHealthService())).build());
        imaging.ifPresent(i -> routing.service(GrpcServiceDescriptor.builder(ParsedOnce.of(new ImagingGrpcService(i))).build()));
        monitoring.ifPresent(m -> routing.service(GrpcServiceDescriptor.builder(ParsedOnce.of(new MonitoringGrpcService(m))).build()));
        record.ifPresent(r -> routing.service(GrpcServiceDescriptor.builder(ParsedOnce.of(r.grpcService())).build()));
        return routing;
    }

    static void httpRouting(HttpRouting.Builder routing, TriageEndpoint endpoint, Optional<ImagingEndpoint> imaging,
                            AtomicBoolean ready, RequestMetrics metrics, Optional<ClinicalRecord> record,
                            Duration bodyDeadline, java.util.function.Supplier<String> connectionMetrics) {
        FhirRouting.register(routing, endpoint, bodyDeadline,
                record.map(ClinicalRecord::fhirCalls).orElse(FhirCallRecorder.NONE));
        imaging.ifPresent(i -> routing.post(ImagingHttp.PATH, (req, res) -> ImagingHttp.analyze(i, req, res)));
        routing.post(TriageHttp.PATH, (req, res) -> TriageHttp.assess(endpoint, req, res, bodyDeadline))
                .get("/health/live", (req, res) -> json(res, Status.OK_200, "{\"status\":\"UP\"}"))
                .get("/health/ready", (req, res) -> readiness(res, ready.get(), endpoint.engine().degradedModels(),
                        record.map(r -> r.assessments().backlog())))
                .get("/metrics", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    res.send(metrics.prometheus() + degradedMetrics(endpoint.engine().degradedModels())
                            + closedFormMetrics(endpoint.engine())
                            + record.map(ClinicalRecord::prometheus).orElse("") + connectionMetrics.get());
                });
    }

    /** Counts every HTTP request by route and status, with bounded label values (refused calls included). */
    static void metricsFilter(HttpRouting.Builder routing, RequestMetrics metrics) {
        routing.addFilter((chain, req, res) -> {
            long start = System.nanoTime();
            try {
                chain.proceed();
            } finally {
                String route = req.prologue().method().text() + " " + req.path().path();
                if (req.path().path().startsWith("/v1/record/")) {
                    // One series for the record's routes: their paths carry ids and patient references.
                    route = req.prologue().method().text() + " /v1/record";
                } else if (req.path().path().startsWith("/app/")) {
                    // One series for the clinicians' app: its paths carry ids and patient references too.
                    route = req.prologue().method().text() + " /app";
                } else if (req.path().path().startsWith("/fhir/r4/AuditEvent")) {
                    route = req.prologue().method().text() + " /fhir/r4/AuditEvent";
                } else if (req.path().path().startsWith("/fhir/r4/RiskAssessment")
                        || req.path().path().startsWith("/fhir/r4/Flag")) {
                    route = req.prologue().method().text() + " /fhir/r4 record";
                } else if (req.path().path().startsWith("/v1/alerts/")) {
                    route = req.prologue().method().text() + " " + ReviewHttp.ALERT_ACTIONS;
                } else if (!HTTP_ROUTES.contains(route) && !FhirRouting.ROUTES.contains(route)
                        && !ReviewHttp.ROUTES.contains(route)) {
                    route = "unmatched";
                }
                metrics.record("http", route, Integer.toString(res.status().code()), System.nanoTime() - start);
            }
        });
    }

    /**
     * The body readiness answers: UP, DOWN while stopping, or DEGRADED naming each missing model; with a
     * clinical record, how many answered assessments wait in the local spool for the database (absent
     * without a record: null here only because Jackson omits it, never read back).
     */
    record Readiness(String status, List<String> missingModels,
                     @com.fasterxml.jackson.annotation.JsonInclude(
                             com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Integer recordBacklog) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private static void readiness(ServerResponse res, boolean ready, List<MissingModel> missing,
                                  Optional<Integer> recordBacklog) {
        String status = !ready ? "DOWN" : missing.isEmpty() ? "UP" : "DEGRADED";
        try {
            // Degraded is still ready: the operator chose to serve on the rules alone, and says so here.
            json(res, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, JSON.writeValueAsString(
                    new Readiness(status, missing.stream().map(MissingModel::toString).toList(),
                            recordBacklog.orElse(null))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("readiness always serialises", e);
        }
    }

    /** One gauge per missing model, so an alert can fire on a service that runs degraded. */
    private static String degradedMetrics(List<MissingModel> missing) {
        StringBuilder out = new StringBuilder("# HELP vclinic_model_missing 1 for a configured model the service"
                + " runs without (degraded mode).\n# TYPE vclinic_model_missing gauge\n");
        missing.forEach(m -> out.append("vclinic_model_missing{model=\"").append(m.name()).append("\"} 1\n"));
        return out.toString();
    }

    /**
     * Whether the served triage model answers from its ONNX weights in closed form (one call in
     * {@link OnnxTriageModel#SHADOW_EVERY} checked against ONNX Runtime) and how many checks found it
     * differing: an operator alerts on a disagreement, after which ONNX Runtime answers.
     */
    private static String closedFormMetrics(TriageEngine engine) {
        return engine.model().filter(OnnxTriageModel.class::isInstance).map(OnnxTriageModel.class::cast)
                .map(m -> "# HELP vclinic_model_closed_form 1 while the triage model answers in closed form from its"
                        + " ONNX weights, checked against ONNX Runtime on 1 call in " + OnnxTriageModel.SHADOW_EVERY
                        + "; 0 when ONNX Runtime answers.\n# TYPE vclinic_model_closed_form gauge\n"
                        + "vclinic_model_closed_form{model=\"" + m.id() + "\"} " + (m.answersInClosedForm() ? 1 : 0)
                        + "\n# HELP vclinic_model_closed_form_disagreements_total Checks that found the closed form"
                        + " differing from ONNX Runtime by more than 1e-5.\n"
                        + "# TYPE vclinic_model_closed_form_disagreements_total counter\n"
                        + "vclinic_model_closed_form_disagreements_total{model=\"" + m.id() + "\"} "
                        + m.closedFormDisagreements() + "\n")
                .orElse("");
    }

    /** WINDOW_UPDATE frames of 0 that Helidon 4.5.0's connection flow control wrote and the guard kept back. */
    private static String windowUpdateMetrics(WindowUpdateGuard guard) {
        return "# HELP vclinic_zero_window_updates_dropped_total WINDOW_UPDATE frames of 0 (a protocol error"
                + " on which clients drop the connection) that the server's HTTP/2 layer wrote and the guard kept from"
                + " the wire.\n# TYPE vclinic_zero_window_updates_dropped_total counter\n"
                + "vclinic_zero_window_updates_dropped_total{protocol=\"http2\"} " + guard.dropped() + "\n";
    }

    private static void json(ServerResponse res, Status status, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    public int port() {
        return server.port();
    }

    /** WINDOW_UPDATE frames of 0 from Helidon's HTTP/2 flow control kept off the wire ({@link WindowUpdateGuard}). */
    public long zeroWindowUpdatesDropped() {
        return windowUpdates.dropped();
    }

    /** The server's request counts (for tests). */
    public RequestMetrics metrics() {
        return metrics;
    }

    /** Blocks until the server stops (used by {@code serve}). */
    public void awaitTermination() throws InterruptedException {
        while (server.isRunning()) {
            Thread.sleep(200);
        }
    }

    /**
     * Graceful stop: readiness and gRPC health go NOT_SERVING first, so load balancers stop sending,
     * then the server stops after in-flight calls finish (at most {@link #SHUTDOWN_GRACE}).
     */
    @Override
    public void close() {
        ready.set(false);
        health.enterTerminalState();
        server.stop();
        imaging.ifPresent(ImagingEndpoint::close);
        monitoring.ifPresent(MonitoringEndpoint::close);
        // After the server: every answered assessment is written (or spooled) before the database stops.
        record.ifPresent(ClinicalRecord::close);
        // The triage model's native session goes with the server that served it.
        triage.engine().close();
        LOG.log(System.Logger.Level.INFO, "vclinic stopped");
    }
}
