package health.vclinic.api.cli;

import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.security.Security;
import health.vclinic.api.server.TlsSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code vclinic serve}: runs the service on its embedded defaults until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the service (gRPC and HTTP on one port) on its embedded defaults.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "Port for gRPC and HTTP (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Interface to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 listens on all"
                    + " interfaces and needs --tls-cert and --tls-key).")
    String host;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve gRPC and HTTP over TLS (1.2 and 1.3"
            + " only) with this PEM certificate chain: the server's certificate first, then intermediates.")
    java.nio.file.Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert (PKCS#8,"
            + " PKCS#1 RSA or SEC 1 EC, unencrypted, readable by its owner only).")
    java.nio.file.Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "Mutual TLS: refuse every client without a"
            + " certificate signed by a CA in this PEM bundle (for clinic backends). Needs --tls-cert.")
    java.nio.file.Path tlsClientCa;

    @Option(names = SettingsFile.OPTION, paramLabel = "FILE", description = "Settings file (YAML): a 'serve:' section with"
            + " any of these options' long names as keys, e.g. 'port: 8080'. Flags given here still win.")
    java.nio.file.Path config;

    @Mixin
    ImagingOptions imagingOptions;

    @Option(names = "--allow-degraded", description = "Start even when the triage model cannot be served: the"
            + " rules alone decide, readiness and /metrics name the missing model, every answer is marked degraded"
            + " and asks for a clinician's review. Default: refuse to start.")
    boolean allowDegraded;

    @Mixin
    RecordOptions recordOptions;

    @Mixin
    KeyOptions keyOptions;

    @Option(names = "--clinic-max-rps", defaultValue = "" + health.vclinic.api.security.RequestQuota.DEFAULT_RATE,
            description = "Requests per second one clinic may send (bursts of twice that); over it, RESOURCE_EXHAUSTED"
                    + " / 429 naming the quota, other clinics unaffected (default: ${DEFAULT-VALUE}; 0: no quota).")
    int clinicMaxRps;

    @Option(names = "--public-url", description = "The service's external base URL, e.g. https://vclinic.example.org:"
            + " SMART clients sign their assertions for URL/oauth2/token and discovery names it. Default: none, and"
            + " then only loopback URLs are accepted (http://127.0.0.1:PORT or http://localhost:PORT).")
    java.net.URI publicUrl;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--idle-timeout-s", defaultValue = "300", description = "Close a connection idle this long, in"
            + " seconds (default: ${DEFAULT-VALUE}; a Monitor stream sending at least one sample a minute stays).")
    long idleTimeoutSeconds;

    @Option(names = "--header-timeout-s", defaultValue = "10", description = "Close a connection whose request headers"
            + " take longer than this, in seconds: a defence against slow clients (default: ${DEFAULT-VALUE}).")
    long headerTimeoutSeconds;

    @Option(names = "--body-timeout-s", defaultValue = "30", description = "Close a connection whose request body"
            + " takes longer than this, in seconds (default: ${DEFAULT-VALUE}).")
    long bodyTimeoutSeconds;

    @Option(names = "--session-idle-minutes", defaultValue = "15", description = "Log a clinician's browser session"
            + " off after this many minutes without a request (default: ${DEFAULT-VALUE}; 1 to 720).")
    long sessionIdleMinutes;

    @Option(names = "--oidc", paramLabel = "CLINIC=ISSUER_URL,CLIENT_ID,SECRET_FILE", description = "Let the clinic's"
            + " clinicians also log in through its OpenID Connect provider (GET /app/login/oidc?clinic=CLINIC); the"
            + " client secret is read from SECRET_FILE (mode 0600). Repeat per clinic. Default: none.")
    java.util.List<String> oidc = new java.util.ArrayList<>();

    @Option(names = "--no-record", description = "Keep no clinical record (answers carry no record_id). Default:"
            + " every assessment is kept.")
    boolean noRecord;

    @Override
    public Integer call() throws InterruptedException, java.io.IOException {
        if (idleTimeoutSeconds < 1 || headerTimeoutSeconds < 1 || bodyTimeoutSeconds < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--idle-timeout-s, --header-timeout-s and --body-timeout-s must be at least 1 second");
        }
        Optional<TlsSettings> tls = tls();
        if (sessionIdleMinutes < 1 || sessionIdleMinutes > 720) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--session-idle-minutes must be 1 to 720 (the session's maximum age is 12 hours)");
        }
        if (noRecord && !oidc.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--oidc needs the record (the clinicians' accounts live there): drop --no-record");
        }
        long start = System.nanoTime();
        Optional<ImagingEndpoint> imaging = imagingOptions.open(System.out);
        TriageEndpoint standard = new TriageEndpoint(ServedEngine.load(ServedEngine.projectRoot(), System.out::println,
                allowDegraded));
        TriageEndpoint endpoint = imaging.map(i -> i.readingChestXrays(standard)).orElse(standard);
        MonitoringEndpoint monitoring = MonitoringEndpoint.standard(ServedEngine.projectRoot());
        Optional<ClinicalRecord> record = noRecord ? Optional.empty() : Optional.of(recordOptions.open(keyOptions));
        Security security = Security.standard(keyOptions.tokens(line -> System.out.println("  keys: " + line)))
                .withQuota(health.vclinic.api.security.RequestQuota.perSecond(clinicMaxRps));
        if (publicUrl != null) {
            try {
                security = security.servedAt(publicUrl);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (record.isPresent()) {
            // Every access to the record, every refusal and every login goes into the hash-chained audit trail.
            health.vclinic.api.audit.AuditLog audit = health.vclinic.api.audit.AuditLog.open(
                    record.get().database().dataSource(), keyOptions.keyFile(health.vclinic.api.audit.AuditLog.KEY_FILE),
                    line -> System.out.println("  keys: " + line));
            record.get().auditingTo(audit);
            health.vclinic.api.audit.SecurityAudit securityAudit = new health.vclinic.api.audit.SecurityAudit(audit);
            security = security.auditingDenials(securityAudit.denials());
            // Clinicians' accounts live beside the record; without one there is nobody to log in.
            security = security.withSessions(health.vclinic.api.security.login.ClinicianLogin.create(
                    record.get().database().dataSource(), record.get().cipher(),
                    health.vclinic.api.security.login.LoginSettings.defaults()
                            .withIdleTimeout(java.time.Duration.ofMinutes(sessionIdleMinutes)), java.time.Clock.systemUTC(),
                    securityAudit.loginEvents()).withOidc(oidcProviders(), Optional.ofNullable(publicUrl)));
        }
        VclinicServer server = VclinicServer.start(security, endpoint, imaging, Optional.of(monitoring), record, host, port,
                new HttpTimeouts(java.time.Duration.ofSeconds(idleTimeoutSeconds),
                        java.time.Duration.ofSeconds(headerTimeoutSeconds), java.time.Duration.ofSeconds(bodyTimeoutSeconds)),
                tls);
        java.nio.file.Path portFile = ServerAddress.file(recordOptions.dataDir());
        if (record.isPresent()) {
            // admin commands on this data directory find the running server here (erasure goes through it).
            // Over TLS, with the scheme and the certificate file, so that they talk TLS and trust it.
            ServerAddress.of(host, server.port(), tls).write(portFile);
        }
        // Standard output, not the logger: JUL resets its handlers in a shutdown hook of its own.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("vclinic stopping: health NOT_SERVING, finishing in-flight calls (at most "
                    + VclinicServer.SHUTDOWN_GRACE.toSeconds() + " s)");
            server.close();
            try {
                java.nio.file.Files.deleteIfExists(portFile);
            } catch (java.io.IOException e) {
                // A stale file only sends admin to a closed port, which it reports.
            }
            System.out.println("vclinic stopped");
        }, "vclinic-shutdown"));
        System.out.printf("vclinic serving gRPC and HTTP on %s:%d%s (started in %d ms)%n", host, server.port(),
                tls.map(t -> t.mutual() ? " over mutual TLS" : " over TLS").orElse(" in plain text"),
                (System.nanoTime() - start) / 1_000_000);
        System.out.println("  gRPC  vclinic.triage.v1.TriageService/Assess, grpc.health.v1.Health, reflection");
        System.out.println("  HTTP  POST /v1/triage:assess, GET /health/live, /health/ready, /metrics");
        System.out.println("  security: every call but health, /metrics and discovery needs 'authorization: Bearer"
                + " <token>' (POST /oauth2/token, or ./vclinic admin token --clinic default --role backend); issuer key in "
                + keyOptions.keyDir());
        record.ifPresent(r -> System.out.println("  SMART Backend Services: POST /oauth2/token, GET"
                + " /.well-known/smart-configuration (clients: ./vclinic admin client create)"
                + (publicUrl == null ? "; no --public-url: assertions for loopback URLs only" : "; at " + publicUrl)));
        record.ifPresent(r -> System.out.println("  clinicians: the review app at /app/ (log in with password + TOTP;"
                + " ./vclinic admin user create), logoff after " + sessionIdleMinutes + " min idle"
                + (oidc.isEmpty() ? "" : "; OpenID Connect for " + oidc.stream().map(o -> o.substring(0, o.indexOf('=')).strip())
                        .collect(java.util.stream.Collectors.joining(", ")))));
        imaging.ifPresent(i -> System.out.println("  imaging " + i.analyzer().modelId()
                + ": gRPC vclinic.imaging.v1.ImagingService/Analyze, HTTP POST /v1/imaging:analyze (batches of up to "
                + i.analyzer().batching().maxBatchSize() + ", queue delay " + i.analyzer().batching().maxQueueDelay()
                .toNanos() / 1e6 + " ms)"));
        record.ifPresent(r -> System.out.println("  record: " + r.database().description()
                + "; gRPC vclinic.record.v1.RecordService, HTTP GET /v1/record/..."));
        System.out.println("  monitoring: gRPC vclinic.monitoring.v1.MonitoringService/Monitor (bidirectional stream); "
                + String.join(", ", monitoring.describe()));
        server.awaitTermination();
        return 0;
    }

    /** The {@code --oidc} providers, their secret files read now, so that a bad one is refused at start. */
    private java.util.List<health.vclinic.api.security.login.OidcProvider> oidcProviders() {
        try {
            var providers = oidc.stream().map(health.vclinic.api.security.login.OidcProvider::parse).toList();
            if (providers.stream().map(p -> p.clinic()).distinct().count() < providers.size()) {
                throw new IllegalArgumentException("--oidc names a clinic twice: one provider per clinic");
            }
            return providers;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The TLS options, checked before anything starts: a certificate needs its key, a client CA needs both,
     * and a host beyond this machine needs TLS. The files are read now, so a bad one is refused naming it.
     */
    private Optional<TlsSettings> tls() {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together: give both");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new ParameterException(spec.commandLine(), "--tls-client-ca needs --tls-cert and --tls-key");
        }
        if (tlsCert == null) {
            if (!TlsSettings.loopback(host)) {
                throw new ParameterException(spec.commandLine(), "--host " + host + " is reachable beyond this machine:"
                        + " serve it over TLS with --tls-cert FILE --tls-key FILE (and --tls-client-ca FILE for"
                        + " mutual TLS), or bind --host 127.0.0.1");
            }
            return Optional.empty();
        }
        TlsSettings settings = new TlsSettings(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa));
        try {
            settings.tls();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return Optional.of(settings);
    }
}
