package health.vclinic.api.monitoring;

import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import health.vclinic.inference.monitoring.MonitoringModels;
import health.vclinic.models.ModelRepository;
import health.vclinic.api.server.ClinicId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Remote monitoring as the server runs it: one engine per clinic over the shared models, the per-stream
 * limits, and a sweeper that evicts idle patients every minute (or a tenth of the idle timeout, if
 * shorter). Closing it stops the sweeper and releases the models.
 *
 * <p>Tenant isolation: a clinic's patients live in its own engine, keyed by the clinic of the caller's
 * token, so the same {@code patient_ref} sent by two clinics is two patients, and a caller can neither
 * read nor feed another clinic's patient. The engine's patient limit is a per-clinic quota: a clinic that
 * fills it gets NOT_MONITORED for its own new patients, never another clinic's.
 */
public final class MonitoringEndpoint implements AutoCloseable {

    private final MonitoringConfig config;
    private final java.util.function.Supplier<MonitoringEngine> engines;
    private final java.util.concurrent.ConcurrentHashMap<ClinicId, MonitoringEngine> byClinic =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final MonitoringModels models;
    private final StreamLimits limits;
    private final ScheduledExecutorService sweeper;

    /**
     * @param engines makes a clinic's engine, on the clinic's first sample
     */
    public MonitoringEndpoint(MonitoringConfig config, java.util.function.Supplier<MonitoringEngine> engines,
                              MonitoringModels models, StreamLimits limits) {
        this.config = Objects.requireNonNull(config, "config");
        this.engines = Objects.requireNonNull(engines, "engines");
        this.models = Objects.requireNonNull(models, "models");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "monitoring-idle-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = sweepInterval().toMillis();
        sweeper.scheduleWithFixedDelay(() -> byClinic.values().forEach(MonitoringEngine::evictIdle), every, every,
                TimeUnit.MILLISECONDS);
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
        return new MonitoringEndpoint(config,
                () -> MonitoringEngine.create(config, models.detectors(config), System::nanoTime), models, limits);
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

    /** The engine of {@code clinic}'s patients (created on first use). */
    public MonitoringEngine engine(ClinicId clinic) {
        return byClinic.computeIfAbsent(clinic, c -> engines.get());
    }

    /** Forgets a patient of {@code clinic} (erasure); true when the engine held it. */
    public boolean forget(ClinicId clinic, String patientRef) {
        MonitoringEngine engine = byClinic.get(clinic);
        return engine != null && engine.forget(patientRef);
    }

    /** Patients monitored now, over all clinics. */
    public int patients() {
        return byClinic.values().stream().mapToInt(MonitoringEngine::patients).sum();
    }

    public StreamLimits limits() {
        return limits;
    }

    /** Which detectors run, and which are off and why (for start-up output). */
    public List<String> describe() {
        List<String> lines = new java.util.ArrayList<>(engines.get().detectorIds());
        lines.add("at most " + config.maxPatients() + " patients per clinic");
        lines.addAll(models.notes());
        return lines;
    }

    /** How often idle patients are swept, for documentation and tests. */
    Duration sweepInterval() {
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, config.idleTimeout().toMillis() / 10)));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        models.close();
    }
}
