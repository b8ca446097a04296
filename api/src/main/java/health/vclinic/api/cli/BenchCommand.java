package health.vclinic.api.cli;

import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.models.ProjectRoot;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.server.RequestMetrics;
import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.triage.TriageEndpoint;
import com.google.common.util.concurrent.ListenableFuture;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.Role;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic bench}: the load generator. In one run, against one server: the bare health
 * {@code Check} (the server's echo baseline) at maximum throughput, then {@code Assess} on realistic
 * requests at maximum throughput, then {@code Assess} at a fixed fraction of that maximum (open loop)
 * for latency under load. Prints throughput, p50, p99 and the ratio Assess/Check. With {@code --imaging},
 * the chest X-ray model instead ({@link ImagingBench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load the gRPC API: health Check baseline, then Assess, in the same run.")
final class BenchCommand implements Callable<Integer> {

    /** Untimed seconds of the open loop before its timed part, as the monitoring bench has. */
    private static final int OPEN_LOOP_LEAD_IN_SECONDS = 2;

    @Option(names = "--target", description = "host:port of a running server (default: start one in this process on a free port).")
    String target;

    @Option(names = "--write-frames", description = "Write the bench's requests as gRPC frames for an external load"
            + " generator (h2load -d) into this directory: check.bin (one Health Check) and assess-N.bin (one Assess"
            + " each, the first 64 requests), then exit.")
    Path writeFrames;

    @Option(names = "--concurrency", defaultValue = "16", description = "Calls in flight in the closed-loop phases (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--duration", defaultValue = "5", description = "Seconds per measured phase; the open-loop phase runs twice as long (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds of Check then Assess; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "15", description = "Seconds of warm-up before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--rate-fraction", defaultValue = "0.5", description = "Open-loop rate as a fraction of the Assess maximum (default: ${DEFAULT-VALUE}).")
    double rateFraction;

    @Option(names = "--requests", description = "TriageRequest JSON Lines to cycle through (default: the examples in"
            + " examples/triage-requests.jsonl and 1,000 generated ones: children and adults, complaints of every length,"
            + " with and without red flags, vital signs complete, partial or absent).")
    Path requests;

    @Option(names = "--imaging", description = "Benchmark the chest X-ray model: batched serving against raw DJL batched"
            + " predict on the same model, and single-image latency.")
    boolean imaging;

    @Option(names = "--imaging-concurrency", defaultValue = "64",
            description = "Imaging calls in flight in the throughput phase (default: ${DEFAULT-VALUE}).")
    int imagingConcurrency;

    @Spec
    CommandSpec spec;

    @Mixin
    ImagingOptions imagingOptions;

    @Option(names = "--monitoring", description = "Benchmark remote monitoring instead: samples/s over gRPC with --streams"
            + " concurrent patient streams, alert latency (sample sent to alert received) at --rate-fraction of that,"
            + " and the engine alone in process.")
    boolean monitoring;

    @Option(names = "--streams", defaultValue = "16",
            description = "Concurrent patient streams for --monitoring (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--connections", defaultValue = "1",
            description = "HTTP/2 connections the --monitoring streams share, round-robin (default: ${DEFAULT-VALUE},"
                    + " a gateway multiplexing every device; as many as --streams is one per device).")
    int connections;

    @Option(names = "--clinic-patients", defaultValue = "0", description = "With --monitoring: also time the alerts"
            + " while this many patients each send a sample every second of real time (a clinic near its cap is"
            + " 19000), their minutes summed into trend windows as a clinic's are; --streams probe patients raise the"
            + " alerts that are timed (default: ${DEFAULT-VALUE}, no such phase).")
    int clinicPatients;

    @Option(names = "--record", description = "Run the triage bench against two servers in this process, round by round: one without"
            + " a clinical record and one that keeps every assessment (embedded PostgreSQL in a temporary"
            + " directory unless --data-dir or --database-url), and report the cost. With --monitoring: the"
            + " embedded server keeps the patients' trends and alert events in the record, as serve does.")
    boolean record;

    @Mixin
    RecordOptions recordOptions;

    @Mixin
    KeyOptions keyOptions;

    @Override
    public Integer call() throws Exception {
        // The load generator's gRPC client samples one buffer in 128 for Netty's leak report, each with a stack
        // trace (some 14,000 in one bench run): its own debugging cost, off while it loads a server.
        io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector.setLevel(
                io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector.Level.DISABLED);
        if (writeFrames != null) {
            return writeFrames(requests != null ? load(requests)
                    : health.vclinic.api.triage.SyntheticRequests.benchSet(ProjectRoot.path()));
        }
        if (imaging) {
            return imaging();
        }
        if (monitoring) {
            MonitoringBench.Settings settings;
            try {
                settings = new MonitoringBench.Settings(streams, connections, durationSeconds, warmupSeconds, rateFraction,
                        clinicPatients);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (record && target != null) {
                throw new ParameterException(spec.commandLine(), "--record needs the embedded server: a server at"
                        + " --target keeps a record or not as it was started");
            }
            if (!record) {
                return MonitoringBench.command(target, keyOptions.clientToken(Role.BACKEND, "vclinic-bench"), settings,
                        ProjectRoot.path(), System.out, Optional.empty());
            }
            Optional<Path> temp = recordDirectory();
            try {
                return MonitoringBench.command(null, null, settings, ProjectRoot.path(), System.out,
                        Optional.of(recordOptions.open(keyOptions)));
            } finally {
                if (temp.isPresent()) {
                    deleteTree(temp.get());
                }
            }
        }
        List<TriageRequest> bodies = requests != null ? load(requests)
                : health.vclinic.api.triage.SyntheticRequests.benchSet(ProjectRoot.path());
        if (record && target == null) {
            return recordCost(bodies);
        }
        VclinicServer embedded = null;
        String host;
        int port;
        BearerToken token = keyOptions.clientToken(Role.BACKEND, "vclinic-bench");
        if (target == null) {
            EmbeddedSecurity security = EmbeddedSecurity.create();
            token = security.backendToken("vclinic-bench");
            embedded = VclinicServer.start(security.security(), served(), "127.0.0.1", 0);
            host = "127.0.0.1";
            port = embedded.port();
        } else {
            int colon = target.lastIndexOf(':');
            host = target.substring(0, colon);
            port = Integer.parseInt(target.substring(colon + 1));
        }
        // Callbacks run on the event loop: no hand-off to an executor thread per call, less client CPU.
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                .intercept(token).build();
        try {
            report(run(channel, bodies, Optional.ofNullable(embedded)), host + ":" + port + (embedded == null ? "" : " (embedded server)"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
        }
        return 0;
    }

    /**
     * The engine {@code serve} runs (the rules fused with the served triage model), loaded afresh for each
     * server because a server closes its model when it stops: the bench measures what is served.
     */
    private static TriageEndpoint served() {
        return new TriageEndpoint(ServedEngine.load(ProjectRoot.path(), System.err::println, false));
    }

    /** The same rounds without and with the clinical record; the Assess/Check ratios side by side. */
    private int recordCost(List<TriageRequest> plain) throws Exception {
        // Every request names a patient (100 of them), as a clinic's would: the timeline index is exercised.
        List<TriageRequest> bodies = new ArrayList<>();
        for (int i = 0; i < plain.size() * 10; i++) {
            bodies.add(plain.get(i % plain.size()).toBuilder().setPatientRef("bench-" + (i % 100)).build());
        }
        Optional<Path> temp = recordDirectory();
        // Both servers run side by side, warmed alike, and every round measures one then the other, so the
        // two see the same machine and the same JIT state (measured one after the other, the first ran colder).
        Run off;
        Run on;
        EmbeddedSecurity security = EmbeddedSecurity.create();
        try (VclinicServer unrecorded = VclinicServer.start(security.security(), served(), "127.0.0.1", 0);
             VclinicServer recording = VclinicServer.start(security.security(), served(), Optional.empty(),
                     Optional.empty(), Optional.of(recordOptions.open(keyOptions)), "127.0.0.1", 0,
                     HttpTimeouts.DEFAULTS)) {
            ManagedChannel offChannel = channel(unrecorded, security);
            ManagedChannel onChannel = channel(recording, security);
            try {
                Phases offPhases = new Phases(offChannel, bodies, Optional.of(unrecorded));
                Phases onPhases = new Phases(onChannel, bodies, Optional.of(recording));
                System.out.printf("warming up both servers, %d s each ...%n", warmupSeconds);
                offPhases.warm();
                onPhases.warm();
                for (int round = 1; round <= rounds; round++) {
                    offPhases.round(round);
                    onPhases.round(round);
                }
                off = offPhases.finish();
                on = onPhases.finish();
            } finally {
                offChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                onChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            if (temp.isPresent()) {
                deleteTree(temp.get());
            }
        }
        report(off, "recording OFF (embedded server)");
        report(on, "recording ON (embedded server, clinical record in PostgreSQL)");
        double ratioOff = median(ratios(off));
        double ratioOn = median(ratios(on));
        System.out.printf(Locale.ROOT, "%nrecord cost: Assess/Check ratio %.2f with the record vs %.2f without (%+.1f%%;"
                + " goal: no fall over 10%%)%n", ratioOn, ratioOff, (ratioOn / ratioOff - 1) * 100);
        double[] direct = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            direct[i] = on.assesses().get(i).throughput() / off.assesses().get(i).throughput();
        }
        System.out.printf(Locale.ROOT, "Assess with the record / Assess without, round by round: median %.2f %s%n",
                median(direct), java.util.Arrays.toString(java.util.Arrays.stream(direct)
                        .map(d -> Math.round(d * 100) / 100.0).toArray()));
        return 0;
    }

    /**
     * A temporary data directory for the record's embedded PostgreSQL, set on the record options, when neither
     * --data-dir nor --database-url names one; the caller deletes it.
     */
    private Optional<Path> recordDirectory() throws IOException {
        if (recordOptions.dataDir != null || recordOptions.databaseUrl != null) {
            return Optional.empty();
        }
        Path temp = Files.createTempDirectory("vclinic-bench-record");
        recordOptions.dataDir = temp;
        return Optional.of(temp);
    }

    private static ManagedChannel channel(VclinicServer server, EmbeddedSecurity security) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .directExecutor().intercept(security.backendToken("vclinic-bench")).build();
    }

    private double[] ratios(Run run) {
        double[] ratios = new double[run.checks().size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = run.assesses().get(i).throughput() / run.checks().get(i).throughput();
        }
        return ratios;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private int imaging() throws Exception {
        ImagingBench.Settings settings = new ImagingBench.Settings(imagingConcurrency, durationSeconds, rounds,
                warmupSeconds, imagingOptions.threads());
        Path data = ProjectRoot.path().resolve(health.vclinic.datasets.imaging.MedMnist.PNEUMONIA_RELATIVE_PATH).normalize();
        int maxBatch = imagingOptions.batching().maxBatchSize();
        if (target != null) {
            int colon = target.lastIndexOf(':');
            ImagingBench.run(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)),
                    keyOptions.clientToken(Role.BACKEND, "vclinic-bench"), target,
                    imagingOptions.repository(), data, maxBatch, settings, System.out);
            return 0;
        }
        Optional<ImagingEndpoint> endpoint = imagingOptions.open(System.out);
        if (endpoint.isEmpty()) {
            System.err.println("bench --imaging needs the cxr-pneumonia model");
            return 2;
        }
        // The bench is one clinic measuring capacity: its calls in flight are all within the clinic's share.
        endpoint.get().limitEachClinicTo(Math.max(imagingConcurrency, endpoint.get().quota().limits().maxImages()));
        EmbeddedSecurity security = EmbeddedSecurity.create();
        try (VclinicServer embedded = VclinicServer.start(security.security(), TriageEndpoint.standard(), endpoint,
                "127.0.0.1", 0)) {
            ImagingBench.run("127.0.0.1", embedded.port(), security.backendToken("vclinic-bench"), "embedded server", imagingOptions.repository(), data,
                    maxBatch, settings, System.out);
            System.out.printf(Locale.ROOT, "batches run by the server: %d%n", endpoint.get().analyzer().batches());
        }
        return 0;
    }

    /**
     * Per-round closed-loop results, then the open-loop result and, for a server in this process, its own
     * histogram of the open loop's Assess calls.
     */
    private record Run(List<LoadGenerator.Result> checks, List<LoadGenerator.Result> assesses, LoadGenerator.Result open,
                       Optional<RequestMetrics.Durations> served) {
    }

    private Run run(ManagedChannel channel, List<TriageRequest> bodies, Optional<VclinicServer> embedded)
            throws InterruptedException {
        Phases phases = new Phases(channel, bodies, embedded);
        System.out.printf("warming up %d s ...%n", warmupSeconds);
        phases.warm();
        // Rounds alternate Check and Assess, so both see the same machine: on 2 shared cores a single
        // pair of phases can differ by 2x from one run to the next.
        for (int round = 1; round <= rounds; round++) {
            phases.round(round);
        }
        return phases.finish();
    }

    /** The phases of one bench against one server, run in the order the caller chooses. */
    private final class Phases {
        private final Supplier<ListenableFuture<?>> check;
        private final Supplier<ListenableFuture<?>> assess;
        private final List<LoadGenerator.Result> checks = new ArrayList<>();
        private final List<LoadGenerator.Result> assesses = new ArrayList<>();
        private final Optional<VclinicServer> embedded;

        Phases(ManagedChannel channel, List<TriageRequest> bodies, Optional<VclinicServer> embedded) {
            this.embedded = embedded;
            HealthGrpc.HealthFutureStub health = HealthGrpc.newFutureStub(channel);
            TriageServiceGrpc.TriageServiceFutureStub triage = TriageServiceGrpc.newFutureStub(channel);
            HealthCheckRequest ping = HealthCheckRequest.getDefaultInstance();
            AtomicLong next = new AtomicLong();
            check = () -> health.withDeadlineAfter(10, TimeUnit.SECONDS).check(ping);
            assess = () -> triage.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(bodies.get((int) (next.getAndIncrement() % bodies.size())));
        }

        /** Alternates so that both paths are compiled by the JIT before either is measured. */
        void warm() throws InterruptedException {
            long warmup = TimeUnit.SECONDS.toNanos(warmupSeconds);
            for (int i = 0; i < 4; i++) {
                LoadGenerator.closedLoop("warmup", concurrency, warmup / 8, check);
                LoadGenerator.closedLoop("warmup", concurrency, warmup / 8, assess);
            }
        }

        void round(int round) throws InterruptedException {
            long measured = TimeUnit.SECONDS.toNanos(durationSeconds);
            checks.add(LoadGenerator.closedLoop("Check, round " + round, concurrency, measured, check));
            assesses.add(LoadGenerator.closedLoop("Assess, round " + round, concurrency, measured, assess));
        }

        /** The open-loop phase at the rate fraction of the median Assess throughput. */
        Run finish() throws InterruptedException {
            long measured = TimeUnit.SECONDS.toNanos(durationSeconds);
            double rate = median(assesses.stream().mapToDouble(LoadGenerator.Result::throughput).toArray()) * rateFraction;
            // The server's histogram counts the lead-in too; with the lead-in a sixth of the loop, its share of
            // the calls is printed beside the figure.
            Optional<RequestMetrics.Durations> before = embedded.map(BenchCommand::assessDurations);
            LoadGenerator.Result open = LoadGenerator.openLoop(
                    String.format(Locale.ROOT, "Assess at %.0f%% of max", rateFraction * 100), rate,
                    TimeUnit.SECONDS.toNanos(OPEN_LOOP_LEAD_IN_SECONDS), measured * 2, assess);
            return new Run(checks, assesses, open,
                    embedded.map(server -> assessDurations(server).minus(before.orElseThrow())));
        }
    }

    private void report(Run run, String where) {
        System.out.printf(Locale.ROOT, "%nvclinic bench: %s, %d cores, concurrency %d, %d rounds of %d s%n", where,
                Runtime.getRuntime().availableProcessors(), concurrency, rounds, durationSeconds);
        System.out.printf(Locale.ROOT, "%-26s %10s %7s %12s %9s %9s %9s%n", "phase", "calls", "errors", "calls/s",
                "p50 ms", "p99 ms", "max ms");
        double[] ratios = ratios(run);
        for (int i = 0; i < rounds; i++) {
            line(run.checks().get(i));
            line(run.assesses().get(i));
        }
        line(run.open());
        System.out.printf(Locale.ROOT, "median Check %.0f calls/s, median Assess %.0f calls/s%n",
                median(run.checks().stream().mapToDouble(LoadGenerator.Result::throughput).toArray()),
                median(run.assesses().stream().mapToDouble(LoadGenerator.Result::throughput).toArray()));
        System.out.printf(Locale.ROOT, "Assess/Check throughput ratio: median %.2f over %d rounds %s (goal >= 0.80)%n",
                median(ratios), rounds, java.util.Arrays.toString(java.util.Arrays.stream(ratios)
                        .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toArray()));
        System.out.printf(Locale.ROOT, "Assess p50 %.3f ms, p99 %.3f ms at %.0f%% of max, %d errors (goal p99 <= 5 ms)%n",
                run.open().p50Micros() / 1000, run.open().p99Micros() / 1000, rateFraction * 100, run.open().errors());
        System.out.printf(Locale.ROOT, "collections in this process during the open loop: %s%n",
                run.open().gc().collections() == 0 ? "none" : run.open().gc().summary());
        LoadGenerator.SendLag lag = run.open().lag();
        System.out.printf(Locale.ROOT, "the generator's own lag: %d of %d sends more than %d ms behind schedule, at most"
                        + " %.1f ms (counted in the latencies; on shared cores its thread waits for one too)%n",
                lag.late(), run.open().calls(), LoadGenerator.LATE_NANOS / 1_000_000, lag.maxMicros() / 1000);
        run.served().ifPresent(d -> System.out.printf(Locale.ROOT, "the server's own time for these Assess calls"
                        + " (call start to close, its /metrics histogram, lead-in included): 99%% within %s,"
                        + " 99.9%% within %s%n", bound(d.boundCovering(0.99)), bound(d.boundCovering(0.999))));
    }

    private static RequestMetrics.Durations assessDurations(VclinicServer server) {
        return server.metrics().durations("grpc", "vclinic.triage.v1.TriageService/Assess", "OK");
    }

    private static String bound(double seconds) {
        return Double.isInfinite(seconds) ? "more than 10 s"
                : String.format(Locale.ROOT, "%s ms", java.math.BigDecimal.valueOf(seconds * 1000).stripTrailingZeros()
                .toPlainString());
    }

    private static void line(LoadGenerator.Result r) {
        System.out.printf(Locale.ROOT, "%-26s %10d %7d %12.0f %9.3f %9.3f %9.3f%n", r.name(), r.calls(), r.errors(),
                r.throughput(), r.p50Micros() / 1000, r.p99Micros() / 1000, r.maxMicros() / 1000);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Each message as one gRPC frame (not compressed, 4-byte big-endian length, the message), one per file. */
    private int writeFrames(List<TriageRequest> bodies) throws IOException {
        Files.createDirectories(writeFrames);
        Files.write(writeFrames.resolve("check.bin"), frame(HealthCheckRequest.getDefaultInstance().toByteArray()));
        int n = Math.min(64, bodies.size());
        for (int i = 0; i < n; i++) {
            Files.write(writeFrames.resolve("assess-" + i + ".bin"), frame(bodies.get(i).toByteArray()));
        }
        System.out.printf("wrote check.bin and %d assess-N.bin gRPC frames to %s%n", n, writeFrames);
        return 0;
    }

    static byte[] frame(byte[] message) {
        return java.nio.ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message)
                .array();
    }

    static List<TriageRequest> load(Path file) throws IOException {
        List<TriageRequest> requests = AssessCommand.split(Files.readString(file, StandardCharsets.UTF_8)).stream()
                .map(TriageEndpoint::parseJson).toList();
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no requests in " + file);
        }
        return requests;
    }

}
