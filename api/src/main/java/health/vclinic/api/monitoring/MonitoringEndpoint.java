package health.vclinic.api.monitoring;

import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import health.vclinic.inference.monitoring.MonitoringModels;
import health.vclinic.models.ModelRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Remote monitoring as the server runs it: the engine with its models, the per-stream limits, and a
 * sweeper that evicts idle patients every minute (or a tenth of the idle timeout, if shorter). Closing
 * it stops the sweeper and releases the models.
 */
public final class MonitoringEndpoint implements AutoCloseable {

    private final MonitoringEngine engine;
    private final MonitoringModels models;
    private final StreamLimits limits;
    private final ScheduledExecutorService sweeper;

    public MonitoringEndpoint(MonitoringEngine engine, MonitoringModels models, StreamLimits limits) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.models = Objects.requireNonNull(models, "models");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "monitoring-idle-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1_000, Math.min(60_000, engine.config().idleTimeout().toMillis() / 10));
        sweeper.scheduleWithFixedDelay(engine::evictIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * The standard endpoint: default configuration and limits, with the models of the repository under
     * {@code root/models/repository} when it exists (NEWS2, trends and gating only otherwise).
     */
    public static MonitoringEndpoint standard(Path projectRoot) {
        Path repository = projectRoot.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT);
        MonitoringModels models = Files.isDirectory(repository)
                ? MonitoringModels.load(ModelRepository.open(repository), Math.max(1, Runtime.getRuntime().availableProcessors()))
                : MonitoringModels.none();
        return create(MonitoringConfig.defaults(), models, StreamLimits.defaults());
    }

    /** An endpoint over the given models (closed with it). */
    public static MonitoringEndpoint create(MonitoringConfig config, MonitoringModels models, StreamLimits limits) {
        MonitoringEngine engine = MonitoringEngine.create(config, models.detectors(config), System::nanoTime);
        return new MonitoringEndpoint(engine, models, limits);
    }

    private volatile AlertRecorder recorder = AlertRecorder.NONE;

    /** Keeps every alert this endpoint sends in {@code recorder} from now on. */
    public void recordingTo(AlertRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    AlertRecorder recorder() {
        return recorder;
    }

    private volatile VitalsRecorder vitals = VitalsRecorder.NONE;

    /** Keeps every sample this endpoint accepts in {@code vitals} from now on, for trends. */
    public void recordingVitalsTo(VitalsRecorder vitals) {
        this.vitals = Objects.requireNonNull(vitals, "vitals");
    }

    VitalsRecorder vitalsRecorder() {
        return vitals;
    }

    public MonitoringEngine engine() {
        return engine;
    }

    public StreamLimits limits() {
        return limits;
    }

    /** Which detectors run, and which are off and why (for start-up output). */
    public List<String> describe() {
        List<String> lines = new java.util.ArrayList<>(engine.detectorIds());
        lines.addAll(models.notes());
        return lines;
    }

    /** How often idle patients are swept, for documentation and tests. */
    Duration sweepInterval() {
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, engine.config().idleTimeout().toMillis() / 10)));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        models.close();
    }
}
