package health.vclinic.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.api.monitoring.MonitorCall;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The monitoring benchmark ({@code vclinic bench --monitoring}).
 *
 * <p>Workload: each stream is one patient's device sending a sample per minute of data time (heart
 * rate, respiratory rate, SpO2, blood pressure, temperature, signal quality), alternating four normal
 * hours with four deteriorating ones, so NEWS2 and trend alerts are raised and resolved all along.
 * The streams' patients are out of phase with one another, as a clinic's are. Phases, against one
 * server: (1) samples/s at maximum rate, every stream sending as fast as flow control lets it (closed
 * loop); (2) alert latency, sample sent to alert received, at a fixed fraction of that rate for twice
 * as long, after {@link #OPEN_LOOP_SETTLE_SECONDS} untimed (open loop: the latency clock starts at the
 * scheduled send, so queueing is not hidden), with the collections that happened meanwhile; (3) the
 * engine alone, in this process, on one thread: samples/s per core. With {@code --clinic-patients}, before
 * (3): (2b) alert latency at a clinic's load, where the clinic's patients each send a sample every second of
 * real time (their trend windows sum a minute each, as a clinic's do) and a few probe patients, sending a
 * minute of device time per sample, raise the alerts that are timed.
 */
public final class MonitoringBench {

    /** Minutes per half-cycle of the synthetic patient: four hours well, four hours deteriorating. */
    static final int HALF_CYCLE = 240;
    public static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    /**
     * @param streams concurrent patient streams
     * @param connections HTTP/2 connections the streams share, round-robin: as many as streams is one
     *     connection per device, 1 is a gateway multiplexing every device on one connection
     * @param seconds length of each measured phase
     * @param warmupSeconds warm-up before measuring
     * @param rateFraction the open-loop rate as a fraction of the measured maximum
     */
    public record Settings(int streams, int connections, int seconds, int warmupSeconds, double rateFraction,
                           int clinicPatients) {
        public Settings {
            if (connections < 1 || connections > streams) {
                throw new IllegalArgumentException("--connections must be 1 to " + streams + " (--streams); was " + connections);
            }
            if (clinicPatients < 0 || clinicPatients > MAX_CLINIC_PATIENTS) {
                throw new IllegalArgumentException("--clinic-patients must be 0 to " + MAX_CLINIC_PATIENTS + "; was "
                        + clinicPatients);
            }
        }

        /** Without the clinic-load phase. */
        public Settings(int streams, int connections, int seconds, int warmupSeconds, double rateFraction) {
            this(streams, connections, seconds, warmupSeconds, rateFraction, 0);
        }
    }

    /** Most patients of the clinic-load phase: a clinic's cap of monitored patients, less the bench's own. */
    public static final int MAX_CLINIC_PATIENTS = 19_000;
    /**
     * Samples/s of the clinic-load phase's probe patients, whose device time runs a minute per sample so that
     * they raise and resolve alerts to time (each sample also a trend row of its own).
     */
    static final double CLINIC_PROBE_RATE = 2_000;

    /** A measured phase, with the collector's pauses during it when they were counted. */
    record Result(String name, long samples, double seconds, long alerts, Histogram latencyMicros, GcPauses gc) {
        double rate() {
            return samples / seconds;
        }
    }

    private MonitoringBench() {
    }

    /**
     * {@code vclinic bench --monitoring}: against {@code target} (host:port), or a server started in this
     * process with the standard monitoring endpoint when it is null.
     */
    public static int command(String target, health.vclinic.api.security.BearerToken targetToken, Settings settings,
                              Path projectRoot, PrintStream out, Optional<ClinicalRecord> record)
            throws InterruptedException {
        if (target != null) {
            int colon = target.lastIndexOf(':');
            run(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)), targetToken, target, settings, out);
            return 0;
        }
        Figures figures = embedded(MonitoringEndpoint.standard(projectRoot), record, settings, out);
        Path file = projectRoot.resolve(BENCH_FILE);
        try {
            record(file, settings, figures, record.isPresent());
            out.println("recorded in " + BENCH_FILE + " (the monitoring report's closing note reads it)");
        } catch (IOException e) {
            out.println("could not record the figures in " + file + ": " + e.getMessage());
        }
        return 0;
    }

    /**
     * Runs the bench against a server started in this process with {@code endpoint} and, when given, the
     * clinical record (which the server closes when it stops): what {@code serve} runs, where the stream also
     * keeps each patient's trend and every alert event.
     */
    static Figures embedded(MonitoringEndpoint endpoint, Optional<ClinicalRecord> record, Settings settings,
                            PrintStream out) throws InterruptedException {
        EmbeddedSecurity security = EmbeddedSecurity.create();
        try (VclinicServer server = VclinicServer.start(security.security(), TriageEndpoint.standard(), Optional.empty(),
                Optional.of(endpoint), record, "127.0.0.1", 0, HttpTimeouts.DEFAULTS)) {
            Figures figures = run("127.0.0.1", server.port(), security.backendToken("vclinic-bench"), "127.0.0.1:"
                    + server.port() + " (embedded server; " + String.join(", ", endpoint.describe())
                    + (record.isPresent() ? "; clinical record on" : "") + ")", settings, out);
            // Helidon 4.5.0's race on a shared connection shows here instead of failing the bench's streams.
            out.printf("HTTP/2 WINDOW_UPDATEs of 0 kept off the wire: %d%n", server.zeroWindowUpdatesDropped());
            if (record.isPresent()) {
                record.get().flushVitals();
                record.get().flushAlerts();
                ClinicalRecord.Kept samples = record.get().vitalSamples();
                ClinicalRecord.Kept alerts = record.get().alertEvents();
                out.printf(Locale.ROOT, "clinical record: %d samples kept in trend windows (%d lost), %d alert events"
                        + " kept (%d lost)%n", samples.committed(), samples.lost(), alerts.committed(), alerts.lost());
            }
            return figures;
        }
    }

    /**
     * Where an embedded run records its figures, one entry per rate fraction and with or without the clinical
     * record, for the monitoring report.
     */
    public static final Path BENCH_FILE = Path.of("reports", "monitoring", "bench.json");

    /**
     * What one run measured.
     *
     * @param maxRate samples/s at the maximum rate
     * @param openRate samples/s of the open-loop phase
     * @param latencyMicros alert latency in the open-loop phase
     * @param gc the collections during the timed part of the open-loop phase
     * @param engineRate samples/s of the engine alone on one thread
     */
    public record Figures(double maxRate, double openRate, Histogram latencyMicros, GcPauses gc, double engineRate,
                          Optional<ClinicLoad> clinic) {
    }

    /**
     * The clinic-load phase.
     *
     * @param patients the clinic's patients, each sending a sample a second
     * @param clinicRate their samples/s the server accepted
     * @param clinicAlerts alerts their stable vital signs raised (none expected)
     * @param probes the probe patients' open loop, whose alerts are timed
     * @param trendLost samples the server's clinical record could not keep in its trend during the phase (its
     *     /metrics), empty when it keeps no record
     */
    public record ClinicLoad(int patients, double clinicRate, long clinicAlerts, Result probes, OptionalLong trendLost) {
    }

    /** The series of the server's /metrics that counts the trend samples its record lost. */
    static final String TREND_LOST = "vclinic_record_vital_samples_total{outcome=\"lost\"}";

    /** The value of {@code series} in the server's /metrics (Prometheus text), or empty when it has none. */
    static OptionalLong metric(String host, int port, String series) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://" + host + ":" + port + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return OptionalLong.empty();
            }
            return r.body().lines().filter(l -> l.startsWith(series + " "))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /**
     * Merges this run into {@code file} under its rate fraction, with what makes the figures comparable:
     * the collector, the heap, the cores and the load average of the machine at the end of the run
     * (others' work on a shared machine shows there).
     */
    static void record(Path file, Settings settings, Figures f, boolean withRecord) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = Files.exists(file) && json.readTree(file.toFile()) instanceof ObjectNode o ? o : json.createObjectNode();
        ObjectNode runs = root.get("runs") instanceof ObjectNode o ? o : root.putObject("runs");
        ObjectNode r = runs.putObject(String.format(Locale.ROOT, "%.2f", settings.rateFraction())
                + (withRecord ? " with the record" : ""));
        r.put("rate_fraction", settings.rateFraction());
        r.put("clinical_record", withRecord);
        r.put("when", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        r.put("streams", settings.streams());
        r.put("connections", settings.connections());
        r.put("phase_seconds", settings.seconds());
        r.put("max_samples_per_second", Math.round(f.maxRate()));
        r.put("open_loop_samples_per_second", Math.round(f.openRate()));
        r.put("alerts_timed", f.latencyMicros().getTotalCount());
        r.put("latency_p50_ms", f.latencyMicros().getValueAtPercentile(50) / 1000.0);
        r.put("latency_p99_ms", f.latencyMicros().getValueAtPercentile(99) / 1000.0);
        r.put("latency_max_ms", f.latencyMicros().getMaxValue() / 1000.0);
        r.put("gc_in_timed_phase", f.gc().summary());
        r.put("gc_collections_in_timed_phase", f.gc().collections());
        r.put("gc_ms_in_timed_phase", f.gc().millis());
        r.put("engine_samples_per_second_one_thread", Math.round(f.engineRate()));
        f.clinic().ifPresent(c -> {
            ObjectNode n = r.putObject("clinic_load");
            n.put("patients_sending_every_second", c.patients());
            n.put("their_samples_per_second", Math.round(c.clinicRate()));
            n.put("their_alerts", c.clinicAlerts());
            n.put("probe_samples_per_second", Math.round(c.probes().rate()));
            n.put("alerts_timed", c.probes().latencyMicros().getTotalCount());
            n.put("latency_p50_ms", c.probes().latencyMicros().getValueAtPercentile(50) / 1000.0);
            n.put("latency_p99_ms", c.probes().latencyMicros().getValueAtPercentile(99) / 1000.0);
            n.put("latency_max_ms", c.probes().latencyMicros().getMaxValue() / 1000.0);
            n.put("gc_in_timed_phase", c.probes().gc().summary());
            c.trendLost().ifPresent(l -> n.put("trend_samples_lost", l));
        });
        r.put("collector", String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList()));
        r.put("jvm_options", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()
                .stream().filter(a -> a.startsWith("-XX:") || a.startsWith("-Xm") || a.startsWith("-Xs")).toList()));
        r.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        r.put("cores", Runtime.getRuntime().availableProcessors());
        r.put("load_average_1min", Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
        Files.createDirectories(file.getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }

    /** Runs the gRPC phases against {@code host:port} and the in-process phase, printing as it goes. */
    public static Figures run(String host, int port, health.vclinic.api.security.BearerToken token, String where,
                           Settings settings, PrintStream out) throws InterruptedException {
        List<ManagedChannel> channels = new ArrayList<>(settings.connections());
        for (int i = 0; i < settings.connections(); i++) {
            channels.add(NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                    .flowControlWindow(1 << 20).intercept(token).build());
        }
        List<Channel> shared = List.copyOf(channels);
        try {
            out.printf(Locale.ROOT, "vclinic bench --monitoring: %s, %d cores, %d patient streams on %d connections, %d s phases%n",
                    where, Runtime.getRuntime().availableProcessors(), settings.streams(), settings.connections(),
                    settings.seconds());
            out.printf("warming up %d s ...%n", settings.warmupSeconds());
            closedLoop(shared, settings.streams(), settings.warmupSeconds(), 0);
            Result max = closedLoop(shared, settings.streams(), settings.seconds(), 1_000_000);
            line(out, max);
            double rate = max.rate() * settings.rateFraction();
            // Twice as long as the other phases, as in the triage bench: a p99 needs enough alerts.
            Result open = openLoop(shared, settings.streams(), 2 * settings.seconds(), rate, 2_000_000);
            line(out, open);
            Optional<ClinicLoad> clinic = settings.clinicPatients() == 0 ? Optional.empty()
                    : Optional.of(clinicLoad(host, port, shared, settings.streams(), settings.clinicPatients(),
                            4 * settings.seconds()));
            clinic.ifPresent(c -> line(out, c.probes()));
            Result engine = inProcess(settings.streams() * 64, settings.seconds());
            line(out, engine);
            out.printf(Locale.ROOT, "gRPC: %.0f samples/s sustained with %d streams (%.0f per core)%n", max.rate(),
                    settings.streams(), max.rate() / Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "alert latency at %.0f samples/s (%.0f%% of max): p50 %.3f ms, p99 %.3f ms, max %.3f ms"
                            + " over %d alerts (goal p99 <= 10 ms)%n", rate, settings.rateFraction() * 100,
                    open.latencyMicros().getValueAtPercentile(50) / 1000.0,
                    open.latencyMicros().getValueAtPercentile(99) / 1000.0,
                    open.latencyMicros().getMaxValue() / 1000.0, open.latencyMicros().getTotalCount());
            out.printf(Locale.ROOT, "collections while alerts were timed: %s%n",
                    open.gc().collections() == 0 ? "none" : open.gc().summary());
            clinic.ifPresent(c -> {
                Histogram h = c.probes().latencyMicros();
                out.printf(Locale.ROOT, "clinic load: %d patients sending every second (%.0f samples/s accepted, %d alerts),"
                                + " %d probe patients at %.0f samples/s: alert latency p50 %.3f ms, p99 %.3f ms, max %.3f ms"
                                + " over %d alerts (goal p99 <= 10 ms)%n", c.patients(), c.clinicRate(), c.clinicAlerts(),
                        settings.streams(), CLINIC_PROBE_RATE, h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
                out.printf(Locale.ROOT, "collections while the clinic's alerts were timed: %s%n",
                        c.probes().gc().collections() == 0 ? "none" : c.probes().gc().summary());
                out.println(c.trendLost().isPresent() ? "trend samples the clinical record lost in the clinic phase: "
                        + c.trendLost().getAsLong() : "the server keeps no clinical record (its /metrics has no trend)");
            });
            out.printf(Locale.ROOT, "in process: %.0f samples/s on one thread (goal >= 200,000 per core)%n", engine.rate());
            return new Figures(max.rate(), open.rate(), open.latencyMicros(), open.gc(), engine.rate(), clinic);
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            for (ManagedChannel c : channels) {
                c.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void line(PrintStream out, Result r) {
        Histogram h = r.latencyMicros();
        out.printf(Locale.ROOT, "%-34s %10d samples %8.1f s %12.0f samples/s %7d alerts%s%n", r.name(), r.samples(),
                r.seconds(), r.rate(), r.alerts(), h.getTotalCount() == 0 ? "" : String.format(Locale.ROOT,
                        "  latency p50 %.3f ms p99 %.3f ms", h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0));
    }

    /** The {@code i}-th sample of a synthetic patient: one per minute, alternating well and deteriorating. */
    public static VitalSample sample(String patient, long i) {
        return sample(patient, i, 0);
    }

    /**
     * The {@code i}-th sample of a synthetic patient whose cycle is shifted by {@code phaseOffset} minutes,
     * so that a bench's patients do not all deteriorate in the same minute.
     */
    static VitalSample sample(String patient, long i, long phaseOffset) {
        long phase = (i + phaseOffset) % (2 * HALF_CYCLE);
        boolean ill = phase >= HALF_CYCLE;
        double x = ill ? Math.min(1, (phase - HALF_CYCLE) / 60.0) : 0;
        double wobble = ((i * 7919) % 11) - 5;
        return VitalSample.newBuilder()
                .setPatientRef(patient)
                .setDeviceId("bench-watch")
                .setTimestamp(MonitoringMapper.timestamp(T0.plusSeconds(60 * i)))
                .setHeartRate(74 + wobble + 50 * x)
                .setRespiratoryRate(15 + 11 * x)
                .setSpo2(97 - 6 * x)
                .setSystolicBp(124 - 30 * x)
                .setDiastolicBp(78 - 15 * x)
                .setTemperatureC(36.9 + 1.6 * x)
                .setSignalQuality(0.95)
                .build();
    }

    /** One patient's stream: sends, and times each alert against the send of the sample that caused it. */
    private static final class Stream extends Answers {
        static final int RING = 1 << 16;
        final String patient;
        final long phaseOffset;
        final long[] sentAt = new long[RING];
        final LongAdder alerts;
        final Histogram latency;
        ClientCallStreamObserver<VitalSample> requests;
        long next;
        /** Closed loop: send whenever flow control allows, until this instant (nanoTime); 0 for the open loop. */
        long untilNanos;
        /** Open loop: alerts are timed for samples scheduled from this instant (nanoTime) on. */
        long timedFrom = Long.MAX_VALUE;
        private boolean completed;

        Stream(String patient, long phaseOffset, LongAdder alerts, Histogram latency, CountDownLatch done) {
            super(done);
            this.patient = patient;
            this.phaseOffset = phaseOffset;
            this.alerts = alerts;
            this.latency = latency;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<VitalSample> r) {
            requests = r;
            if (untilNanos != 0) {
                r.setOnReadyHandler(this::sendWhileReady);
            }
        }

        @Override
        public void onNext(Alert a) {
            long now = System.nanoTime();
            alerts.increment();
            long i = (MonitoringMapper.instant(a.getSampleTime()).getEpochSecond() - T0.getEpochSecond()) / 60;
            long sent = sentAt[(int) (i % RING)];
            if (latency != null && sent >= timedFrom && i < next && next - i < RING) {
                latency.recordValue(Math.max(1, (now - sent) / 1000));
            }
        }

        /** Sends the next sample, recording {@code at} (nanoTime) as its send time. */
        void send(long at) {
            sentAt[(int) (next % RING)] = at;
            requests.onNext(sample(patient, next, phaseOffset));
            next++;
        }

        /** The closed loop's on-ready callback (gRPC calls it serially, on the channel's event loop). */
        private void sendWhileReady() {
            if (completed) {
                return;
            }
            long now = System.nanoTime();
            while (requests.isReady() && now < untilNanos) {
                send(now);
                if ((next & 63) == 0) {
                    now = System.nanoTime();
                }
            }
            if (now >= untilNanos) {
                completed = true;
                requests.onCompleted();
            }
        }

        long accepted() {
            return SepsisReplay.count(trailers.get(), MonitorCall.SAMPLES_ACCEPTED)
                    + SepsisReplay.count(trailers.get(), MonitorCall.SAMPLES_POOR_SIGNAL);
        }
    }

    /**
     * Stream {@code i} of {@code n} starts its cycle {@code i / n} of the way through: patients who all
     * deteriorate in the same minute would time bursts of simultaneous alerts, not a clinic's load.
     */
    private static long phaseOffset(int i, int n) {
        return 2L * HALF_CYCLE * i / n;
    }

    /** Opens {@code n} streams, round-robin over the connections; with {@code untilNanos} not 0 they send by themselves until then (closed loop). */
    private static List<Stream> open(List<Channel> channels, int n, String prefix, LongAdder alerts, Histogram latency,
                                     CountDownLatch done, long untilNanos) {
        List<Stream> streams = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Stream s = new Stream(prefix + i, phaseOffset(i, n), alerts, latency, done);
            s.untilNanos = untilNanos;
            s.open(channels.get(i % channels.size()));
            streams.add(s);
        }
        return streams;
    }

    /**
     * Every stream sends as fast as flow control allows, from gRPC's on-ready callbacks on the channel's
     * event loop: no sender threads polling for readiness, which on 2 cores would take carrier time from
     * the server's own virtual threads in this process and make the maximum vary from run to run.
     */
    static Result closedLoop(List<Channel> channels, int n, int seconds, long patientBase) throws InterruptedException {
        LongAdder alerts = new LongAdder();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Stream> streams = open(channels, n, "bench-max-" + patientBase + "-", alerts, null, done, end);
        done.await(seconds + 60L, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        requireCompleted(streams);
        long accepted = streams.stream().mapToLong(Stream::accepted).sum();
        return new Result("max rate (closed loop)", accepted, elapsed, alerts.sum(), new Histogram(1), GcPauses.NONE);
    }

    /** A phase whose streams did not all complete has no figures: it says which failed and why. */
    private static void requireCompleted(List<Stream> streams) {
        List<String> failed = streams.stream().filter(s -> s.failure.get() != null)
                .map(s -> s.failure.get().getCode() + " " + s.failure.get().getDescription()
                        + (s.failure.get().getCause() == null ? "" : " (" + s.failure.get().getCause() + ")")).toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.size() + " of " + streams.size() + " streams failed, first: "
                    + failed.getFirst());
        }
        if (streams.stream().anyMatch(s -> s.trailers.get() == null)) {
            throw new IllegalStateException("streams did not complete within a minute of the phase's end");
        }
    }

    /** Seconds the open loop runs at its rate before its alerts are timed (its streams and patients are new). */
    static final int OPEN_LOOP_SETTLE_SECONDS = 2;

    /**
     * Samples at a fixed total rate, round-robin over the streams, from one scheduling thread: for
     * {@link #OPEN_LOOP_SETTLE_SECONDS} untimed, then {@code seconds} timed. The rate reported is the
     * samples the server accepted in the timed part.
     */
    static Result openLoop(List<Channel> channels, int n, int seconds, double rate, long patientBase) throws InterruptedException {
        LongAdder alerts = new LongAdder();
        Histogram latency = new ConcurrentHistogram(60_000_000L, 3);
        CountDownLatch done = new CountDownLatch(n);
        List<Stream> streams = open(channels, n, "bench-open-" + patientBase + "-", alerts, latency, done, 0);
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long timedFrom = start + TimeUnit.SECONDS.toNanos(OPEN_LOOP_SETTLE_SECONDS);
        streams.forEach(s -> s.timedFrom = timedFrom);
        long end = timedFrom + TimeUnit.SECONDS.toNanos(seconds);
        long[] gcBefore = null;
        long scheduled = start;
        long settleSent = -1;
        long sent = 0;
        int k = 0;
        // Wakes every 50 us and sends what has come due, each sample timed from its scheduled instant: no
        // coordinated omission, and no core spent spinning (on 2 cores that would starve the server).
        while (scheduled < end) {
            long now = System.nanoTime();
            while (scheduled <= now && scheduled < end) {
                if (settleSent < 0 && scheduled >= timedFrom) {
                    settleSent = sent;
                    gcBefore = GcPauses.snapshot();
                }
                streams.get(k).send(scheduled);
                k = (k + 1) % n;
                sent++;
                scheduled += period;
            }
            LockSupport.parkNanos(50_000);
        }
        GcPauses gc = gcBefore == null ? GcPauses.NONE : GcPauses.since(gcBefore);
        streams.forEach(s -> s.requests.onCompleted());
        done.await(60, TimeUnit.SECONDS);
        requireCompleted(streams);
        long accepted = streams.stream().mapToLong(Stream::accepted).sum();
        return new Result(String.format(Locale.ROOT, "fixed rate %.0f/s (open loop)", rate),
                accepted - Math.max(0, settleSent), seconds, latency.getTotalCount(), latency, gc);
    }

    /**
     * Seconds the clinic's patients send before the probes' alerts are timed. A clinic's patients are there for
     * hours; here they all arrive at once, and their state is copied by young collection after young collection
     * until it is old (with 19,000 patients, collections of 50-90 ms for some 10 s after they arrived). Timed
     * from then, the phase measures a clinic's steady load, not its arrival.
     */
    static final int CLINIC_LEAD_IN_SECONDS = 15;

    /**
     * The clinic-load phase: {@code patients} patients, spread over {@code n} streams as a gateway would, each
     * sending a sample every second of real time (device time is real time, so a patient's minute is one trend
     * window), from one scheduling thread; after {@link #CLINIC_LEAD_IN_SECONDS}, {@code n} probe patients
     * run the open loop at {@link #CLINIC_PROBE_RATE} for {@code seconds}, and their alerts are timed.
     */
    static ClinicLoad clinicLoad(String host, int port, List<Channel> channels, int n, int patients, int seconds)
            throws InterruptedException {
        OptionalLong lostBefore = metric(host, port, TREND_LOST);
        LongAdder alerts = new LongAdder();
        CountDownLatch done = new CountDownLatch(n);
        List<Gateway> gateways = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Gateway g = new Gateway(alerts, done);
            g.open(channels.get(i % channels.size()));
            gateways.add(g);
        }
        AtomicBoolean stop = new AtomicBoolean();
        long period = 1_000_000_000L / patients;
        long start = System.nanoTime();
        Instant startAt = Instant.now();
        Thread sender = Thread.ofPlatform().name("bench-clinic").start(() -> {
            long scheduled = start;
            long k = 0;
            while (!stop.get()) {
                long now = System.nanoTime();
                while (scheduled <= now) {
                    int patient = (int) (k % patients);
                    gateways.get(patient % n).requests.onNext(stable("bench-clinic-" + patient,
                            startAt.plusNanos(scheduled - start), k / patients));
                    k++;
                    scheduled += period;
                }
                LockSupport.parkNanos(200_000);
            }
        });
        try {
            Thread.sleep(TimeUnit.SECONDS.toMillis(CLINIC_LEAD_IN_SECONDS));
            long accepted = 0;
            Result probes = openLoop(channels, n, seconds, CLINIC_PROBE_RATE, 3_000_000);
            stop.set(true);
            sender.join();
            double sending = (System.nanoTime() - start) / 1e9;
            gateways.forEach(g -> g.requests.onCompleted());
            done.await(60, TimeUnit.SECONDS);
            for (Gateway g : gateways) {
                if (g.failure.get() != null) {
                    throw new IllegalStateException("a clinic stream failed: " + g.failure.get().getCode() + " "
                            + g.failure.get().getDescription());
                }
                if (g.trailers.get() == null) {
                    throw new IllegalStateException("the clinic's streams did not complete within a minute of the phase's end");
                }
                accepted += SepsisReplay.count(g.trailers.get(), MonitorCall.SAMPLES_ACCEPTED)
                        + SepsisReplay.count(g.trailers.get(), MonitorCall.SAMPLES_POOR_SIGNAL);
            }
            OptionalLong lostAfter = metric(host, port, TREND_LOST);
            return new ClinicLoad(patients, accepted / sending, alerts.sum(),
                    new Result(String.format(Locale.ROOT, "probes at %.0f/s, %d patients at 1/s", CLINIC_PROBE_RATE,
                            patients), probes.samples(), probes.seconds(), probes.alerts(), probes.latencyMicros(),
                            probes.gc()), lostBefore.isPresent() && lostAfter.isPresent()
                            ? OptionalLong.of(lostAfter.getAsLong() - lostBefore.getAsLong()) : OptionalLong.empty());
        } finally {
            stop.set(true);
            sender.join();
        }
    }

    /** A clinic patient's sample at {@code at}: well, with a beat-to-beat wobble (NEWS2 0). */
    static VitalSample stable(String patient, Instant at, long i) {
        double wobble = ((i * 7919 + patient.hashCode()) & 7) - 3.5;
        return VitalSample.newBuilder()
                .setPatientRef(patient)
                .setDeviceId("bench-watch")
                .setTimestamp(MonitoringMapper.timestamp(at))
                .setHeartRate(72 + wobble)
                .setRespiratoryRate(15)
                .setSpo2(97)
                .setSystolicBp(122)
                .setDiastolicBp(78)
                .setTemperatureC(36.8)
                .setSignalQuality(0.95)
                .build();
    }

    /** A gateway's stream of many patients' samples, sent by the one thread that schedules them all. */
    private static final class Gateway extends Answers {
        final LongAdder alerts;
        ClientCallStreamObserver<VitalSample> requests;

        Gateway(LongAdder alerts, CountDownLatch done) {
            super(done);
            this.alerts = alerts;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<VitalSample> r) {
            requests = r;
        }

        @Override
        public void onNext(Alert a) {
            alerts.increment();
        }
    }

    /** What comes back on one of the bench's streams: its alerts (the subclass's), and how it ended. */
    private abstract static class Answers implements ClientResponseObserver<VitalSample, Alert> {
        final CountDownLatch done;
        final AtomicReference<Metadata> trailers = new AtomicReference<>();
        final AtomicReference<io.grpc.Status> failure = new AtomicReference<>();

        Answers(CountDownLatch done) {
            this.done = done;
        }

        /** Starts the stream on {@code channel}, with this taking what comes back. */
        void open(Channel channel) {
            MonitoringServiceGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
                    .monitor(this);
        }

        @Override
        public void onError(Throwable t) {
            failure.compareAndSet(null, io.grpc.Status.fromThrowable(t));
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }
    }

    /** The engine alone on this thread, the standard detectors without models, {@code patients} patients. */
    static Result inProcess(int patients, int seconds) {
        Supplier<MonitoringEngine> engines = () -> {
            MonitoringConfig c = MonitoringConfig.defaults();
            return MonitoringEngine.create(c, MonitoringEngine.standardDetectors(c, Optional.empty(), Optional.empty()),
                    System::nanoTime);
        };
        int perPatient = 2 * HALF_CYCLE;
        List<health.vclinic.datasets.monitoring.VitalSample> samples = new ArrayList<>(patients * perPatient);
        for (int i = 0; i < perPatient; i++) {
            for (int p = 0; p < patients; p++) {
                samples.add(MonitoringMapper.toDomain(sample("in-process-" + p, i)));
            }
        }
        long alerts = 0;
        long count = 0;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < warmEnd) {
            MonitoringEngine e = engines.get();
            for (var s : samples) {
                e.accept(s);
            }
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            MonitoringEngine e = engines.get();
            for (var s : samples) {
                alerts += e.accept(s).alerts().size();
            }
            count += samples.size();
        }
        return new Result("in process, 1 thread, " + patients + " patients", count, (System.nanoTime() - start) / 1e9,
                alerts, new Histogram(1), GcPauses.NONE);
    }
}
