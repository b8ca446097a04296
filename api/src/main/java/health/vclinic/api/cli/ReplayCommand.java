package health.vclinic.api.cli;

import health.vclinic.models.ProjectRoot;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vclinic replay}: streams a data set's stays to a monitoring server as devices would, and
 * prints the alerts as they arrive. Without {@code --server} it starts a server in this process.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Stream a data set's stays to the monitoring service as devices would; print the alerts.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "The data set to replay: sepsis (PhysioNet/CinC 2019 subset).")
    String dataset;

    @Option(names = "--speed", defaultValue = "3600x",
            description = "Data time per wall time, e.g. 3600x (an hour a second, the default) or max (as fast as flow control allows).")
    String speed;

    @Option(names = "--server", description = "host:port of a running vclinic (default: start one in this process on a free port).")
    String server;

    @Option(names = "--stays", split = ",", description = "Only these stays, e.g. p000009,p000011 (default: all 200).")
    List<String> stays;

    @Option(names = "--limit", description = "Only the first N stays (by patient id).")
    Integer limit;

    @Option(names = "--quiet", description = "Print the summary only, not every alert.")
    boolean quiet;

    /** Set by the launcher to the root that ./vclinic runs from. */

    @Override
    public Integer call() throws Exception {
        if (!dataset.equals("sepsis")) {
            System.err.println("vclinic replay: unknown data set '" + dataset + "' (available: sepsis)");
            return 2;
        }
        double factor = parseSpeed(speed);
        List<SepsisStay> selected = select(SepsisDataset.read(ProjectRoot.path().resolve(SepsisDataset.RELATIVE_PATH).normalize()));
        return run(selected, factor, server, quiet, System.out, root -> MonitoringEndpoint.standard(root));
    }

    /** Runs a replay against {@code target} (or an embedded server when null) and prints it. */
    static int run(List<SepsisStay> stays, double speed, String target, boolean quiet, PrintStream out,
                   Function<Path, MonitoringEndpoint> endpoints) throws InterruptedException {
        VclinicServer embedded = null;
        String host;
        int port;
        health.vclinic.api.security.BearerToken token = new KeyOptions().clientToken(
                health.vclinic.api.security.Role.BACKEND, "vclinic-replay");
        if (target == null) {
            EmbeddedSecurity security = EmbeddedSecurity.create();
            token = security.backendToken("vclinic-replay");
            MonitoringEndpoint monitoring = endpoints.apply(ProjectRoot.path());
            monitoring.describe().forEach(l -> out.println("  " + l));
            embedded = VclinicServer.start(security.security(), TriageEndpoint.standard(), Optional.empty(), Optional.of(monitoring),
                    "127.0.0.1", 0);
            host = "127.0.0.1";
            port = embedded.port();
        } else {
            int colon = target.lastIndexOf(':');
            host = target.substring(0, colon);
            port = Integer.parseInt(target.substring(colon + 1));
        }
        out.printf(Locale.ROOT, "replaying %d stays to %s:%d%s at %s%n", stays.size(), host, port,
                embedded == null ? "" : " (embedded server)", speed > 0 ? String.format(Locale.ROOT, "%.0fx", speed) : "max speed");
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().intercept(token).build();
        try {
            SepsisReplay.Summary s = SepsisReplay.replay(channel, stays, speed, SepsisReplay.DEFAULT_ADMISSION,
                    quiet ? a -> { } : a -> print(out, a), Duration.ofMinutes(10));
            out.printf(Locale.ROOT, "%d samples sent, %d analysed, %d alerts received in %.1f s%s%n", s.samples(),
                    s.accepted(), s.alerts(), s.wallTime().toMillis() / 1000.0,
                    s.failures().isEmpty() ? "" : "; streams failed: " + s.failures());
            return s.failures().isEmpty() ? 0 : 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private List<SepsisStay> select(List<SepsisStay> all) {
        List<SepsisStay> chosen = all;
        if (stays != null && !stays.isEmpty()) {
            Set<String> wanted = Set.copyOf(stays);
            chosen = all.stream().filter(s -> wanted.contains(s.patientId())).toList();
            if (chosen.size() != wanted.size()) {
                throw new IllegalArgumentException("unknown stays in --stays: " + wanted.stream()
                        .filter(w -> all.stream().noneMatch(s -> s.patientId().equals(w))).sorted().toList());
            }
        }
        return limit == null ? chosen : chosen.subList(0, Math.min(limit, chosen.size()));
    }

    static double parseSpeed(String speed) {
        String s = speed.trim().toLowerCase(Locale.ROOT);
        if (s.equals("max")) {
            return 0;
        }
        try {
            double v = Double.parseDouble(s.endsWith("x") ? s.substring(0, s.length() - 1) : s);
            if (v > 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--speed must be like 3600x (data seconds per wall second) or max, not '" + speed + "'");
    }

    private static synchronized void print(PrintStream out, Alert a) {
        Instant t = MonitoringMapper.instant(a.getSampleTime());
        long hours = Duration.between(SepsisReplay.DEFAULT_ADMISSION, t).toHours();
        out.printf(Locale.ROOT, "%s  ICU h%-4d %-8s %-8s %-7s %-14s %s%n", a.getPatientRef(), hours, a.getState(),
                a.getSeverity(), a.getPages() ? "PAGE" : "", a.getKind(), a.getReason());
    }

}
