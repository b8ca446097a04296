package health.vclinic.api;

import com.google.common.util.concurrent.ListenableFuture;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vclinic bench}: the load generator. In one run, against one server: the bare health
 * {@code Check} (the server's echo baseline) at maximum throughput, then {@code Assess} on realistic
 * requests at maximum throughput, then {@code Assess} at a fixed fraction of that maximum (open loop)
 * for latency under load. Prints throughput, p50, p99 and the ratio Assess/Check.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load the gRPC API: health Check baseline, then Assess, in the same run.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--target", description = "host:port of a running server (default: start one in this process on a free port).")
    String target;

    @Option(names = "--concurrency", defaultValue = "16", description = "Calls in flight in the closed-loop phases (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured per phase (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of warm-up before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--rate-fraction", defaultValue = "0.5", description = "Open-loop rate as a fraction of the Assess maximum (default: ${DEFAULT-VALUE}).")
    double rateFraction;

    @Option(names = "--requests", description = "TriageRequest JSON Lines to cycle through (default: examples/triage-requests.jsonl).")
    Path requests;

    @Override
    public Integer call() throws Exception {
        List<TriageRequest> bodies = load(requests == null ? projectRoot().resolve("examples/triage-requests.jsonl") : requests);
        VclinicServer embedded = null;
        String host;
        int port;
        if (target == null) {
            embedded = VclinicServer.start(TriageEndpoint.standard(), "127.0.0.1", 0);
            host = "127.0.0.1";
            port = embedded.port();
        } else {
            int colon = target.lastIndexOf(':');
            host = target.substring(0, colon);
            port = Integer.parseInt(target.substring(colon + 1));
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        try {
            report(run(channel, bodies), host + ":" + port + (embedded == null ? "" : " (embedded server)"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
        }
        return 0;
    }

    private List<LoadGenerator.Result> run(ManagedChannel channel, List<TriageRequest> bodies) throws InterruptedException {
        HealthGrpc.HealthFutureStub health = HealthGrpc.newFutureStub(channel);
        TriageServiceGrpc.TriageServiceFutureStub triage = TriageServiceGrpc.newFutureStub(channel);
        HealthCheckRequest ping = HealthCheckRequest.getDefaultInstance();
        AtomicLong next = new AtomicLong();
        Supplier<ListenableFuture<?>> check = () -> health.withDeadlineAfter(10, TimeUnit.SECONDS).check(ping);
        Supplier<ListenableFuture<?>> assess = () -> triage.withDeadlineAfter(10, TimeUnit.SECONDS)
                .assess(bodies.get((int) (next.getAndIncrement() % bodies.size())));
        long warmup = TimeUnit.SECONDS.toNanos(warmupSeconds);
        long measured = TimeUnit.SECONDS.toNanos(durationSeconds);
        System.out.printf("warming up %d s ...%n", warmupSeconds);
        LoadGenerator.closedLoop("warmup", concurrency, warmup / 2, check);
        LoadGenerator.closedLoop("warmup", concurrency, warmup / 2, assess);
        LoadGenerator.Result c = LoadGenerator.closedLoop("Check (echo baseline)", concurrency, measured, check);
        LoadGenerator.Result a = LoadGenerator.closedLoop("Assess", concurrency, measured, assess);
        double rate = a.throughput() * rateFraction;
        LoadGenerator.Result open = LoadGenerator.openLoop(
                String.format(Locale.ROOT, "Assess at %.0f%% of max", rateFraction * 100), rate, measured, assess);
        return List.of(c, a, open);
    }

    private void report(List<LoadGenerator.Result> results, String where) {
        System.out.printf(Locale.ROOT, "%nvclinic bench: %s, %d cores, concurrency %d, %d s per phase%n", where,
                Runtime.getRuntime().availableProcessors(), concurrency, durationSeconds);
        System.out.printf(Locale.ROOT, "%-26s %10s %7s %12s %9s %9s %9s%n", "phase", "calls", "errors", "calls/s",
                "p50 ms", "p99 ms", "max ms");
        for (LoadGenerator.Result r : results) {
            System.out.printf(Locale.ROOT, "%-26s %10d %7d %12.0f %9.3f %9.3f %9.3f%n", r.name(), r.calls(), r.errors(),
                    r.throughput(), r.p50Micros() / 1000, r.p99Micros() / 1000, r.maxMicros() / 1000);
        }
        LoadGenerator.Result check = results.get(0);
        LoadGenerator.Result assess = results.get(1);
        System.out.printf(Locale.ROOT, "Assess/Check throughput ratio: %.2f (goal >= 0.70)%n",
                assess.throughput() / check.throughput());
        System.out.printf(Locale.ROOT, "Assess p99 at %.0f%% of max: %.3f ms (goal <= 5 ms)%n", rateFraction * 100,
                results.get(2).p99Micros() / 1000);
    }

    static List<TriageRequest> load(Path file) throws IOException {
        List<TriageRequest> requests = AssessCommand.split(Files.readString(file, StandardCharsets.UTF_8)).stream()
                .map(TriageEndpoint::parseJson).toList();
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no requests in " + file);
        }
        return requests;
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("vclinic.root", "."));
    }
}
