package health.vclinic.benchmarks;

import health.vclinic.api.security.Caller;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.triage.SyntheticRequests;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.datasets.Encounter;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageResult;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The served triage engine in process, on one thread: what {@code serve} runs for an Assess call (the
 * rules fused with the served ONNX model, the explanation included), without transport, authentication or
 * record. {@code engine} measures the engine on encounters already read; {@code endpoint} adds the
 * mapping from and to the wire protos, as {@code vclinic assess} does without its JSON. The requests are
 * those of {@code vclinic bench}: the examples and 1,000 generated ones, cycled in order.
 *
 * <p>Run: {@code ./vclinic jmh EngineBenchmark} (JMH's own options follow, e.g. {@code -f 1 -wi 3 -i 5}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class EngineBenchmark {

    private static final Caller CALLER = new Caller(ClinicId.DEFAULT, Role.BACKEND, "jmh", "jmh");

    private TriageEngine engine;
    private TriageEndpoint endpoint;
    private List<TriageRequest> requests;
    private List<Encounter> encounters;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        engine = ServedEngine.load(ServedEngine.projectRoot(), line -> { }, false);
        endpoint = new TriageEndpoint(engine);
        requests = SyntheticRequests.benchSet(ServedEngine.projectRoot());
        encounters = requests.stream().map(TriageEndpoint::encounter).toList();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        if (engine instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Benchmark
    public TriageResult engine() {
        Encounter e = encounters.get(next);
        next = next + 1 == encounters.size() ? 0 : next + 1;
        return engine.assess(e);
    }

    @Benchmark
    public TriageAssessment endpoint() {
        TriageRequest r = requests.get(next);
        next = next + 1 == requests.size() ? 0 : next + 1;
        return endpoint.assess(CALLER, r);
    }
}
