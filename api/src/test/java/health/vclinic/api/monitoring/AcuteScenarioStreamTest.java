package health.vclinic.api.monitoring;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.monitoring.AcuteScenarios;
import health.vclinic.datasets.monitoring.AcuteScenarios.Scenario;
import health.vclinic.datasets.monitoring.AcuteScenarios.ScriptedPatient;
import health.vclinic.inference.monitoring.MonitoringConfig;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each seeded acute scenario played over a real Monitor stream (a real server on a free port, a real
 * grpc-java client): it pages within the bound, in device time; and a stable patient whose device
 * misbehaves pages nobody. Deterministic: the samples are seeded and every bound is in sample time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AcuteScenarioStreamTest {

    /**
     * The 90th-percentile goal at a 1-minute interval, as a bound for every patient played here:
     * device time from the onset, or from the first usable reading after it when the sensor was off then
     * (no system can page on readings it does not get; the signal-loss alert covers that time).
     */
    static final Duration BOUND = Duration.ofMinutes(5);
    private static final Instant START = Instant.parse("2025-03-01T00:00:00Z");
    /** Seeds outside the evaluation's training range. */
    private static final long SEED = 200_000;

    private static VclinicServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        server = MonitoringStreamTest.server(MonitoringConfig.defaults(), StreamLimits.defaults());
        channel = MonitoringStreamTest.channel(server);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    /** Sends every sample on one stream, half-closes, and returns every alert once the server has ended it. */
    private static List<Alert> play(List<health.vclinic.datasets.monitoring.VitalSample> samples) {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Status> end = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<VitalSample>> requests = new AtomicReference<>();
        var stream = MonitoringServiceGrpc.newStub(channel).monitor(MonitoringStreamTest.observer(alerts, end, requests));
        for (var s : samples) {
            stream.onNext(MonitoringMapper.toProto(s));
        }
        stream.onCompleted();
        assertEquals(Status.Code.OK, end.orTimeout(60, TimeUnit.SECONDS).join().getCode());
        return List.copyOf(alerts);
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = "STABLE", mode = EnumSource.Mode.EXCLUDE)
    void eachAcuteScenarioPagesWithinTheBound(Scenario scenario) {
        for (Duration interval : List.of(Duration.ofSeconds(15), Duration.ofMinutes(1))) {
            for (long seed = SEED; seed < SEED + 3; seed++) {
                ScriptedPatient patient = AcuteScenarios.generate(scenario, interval, seed, START, Duration.ofMinutes(20));
                Instant onset = patient.onset().orElseThrow();
                Instant from = patient.samples().stream().filter(x -> !x.timestamp().isBefore(onset) && !x.poorSignal(0.5))
                        .findFirst().orElseThrow().timestamp();
                List<Alert> pages = play(patient.samples()).stream().filter(Alert::getPages).toList();
                String what = scenario + " every " + interval + ", seed " + seed + ": " + pages;
                assertTrue(!pages.isEmpty(), what);
                Alert first = pages.getFirst();
                Instant at = MonitoringMapper.instant(first.getSampleTime());
                assertAll(what,
                        () -> assertTrue(!at.isBefore(onset), "no page before the onset"),
                        () -> assertTrue(!at.isAfter(from.plus(BOUND)), "paged " + Duration.between(onset, at) + " after onset,"
                                + " readings usable from " + Duration.between(onset, from)),
                        () -> assertEquals(AlertKind.NEWS2, first.getKind()),
                        () -> assertEquals(AlertState.RAISED, first.getState()),
                        () -> assertEquals(Severity.HIGH, first.getSeverity()),
                        () -> assertEquals(patient.patientRef(), first.getPatientRef()),
                        () -> assertTrue(first.getReason().startsWith("Acute deterioration: "), first.getReason()));
            }
        }
    }

    @Test
    void aPatientWhoFallsSilentHasItsAlertResolvedOnTheStreamsDeviceClock() {
        ScriptedPatient shocked = AcuteScenarios.generate(Scenario.SHOCK, Duration.ofMinutes(1), SEED, START, Duration.ofMinutes(10));
        ScriptedPatient well = AcuteScenarios.generate(Scenario.STABLE, Duration.ofMinutes(1), SEED, START, Duration.ofHours(3));
        Instant lastShocked = shocked.samples().getLast().timestamp();
        // One stream carries both; the shocked patient's device stops, the other goes on for hours (a replay:
        // the server's clock hardly moves, so only the devices' clock can tell that the first fell silent).
        List<health.vclinic.datasets.monitoring.VitalSample> both = new ArrayList<>(shocked.samples());
        both.addAll(well.samples());
        both.sort(Comparator.comparing(health.vclinic.datasets.monitoring.VitalSample::timestamp));
        List<Alert> alerts = play(both).stream().filter(a -> a.getPatientRef().equals(shocked.patientRef())).toList();
        Alert raised = alerts.getFirst();
        Alert resolved = alerts.getLast();
        assertAll(alerts.toString(),
                () -> assertEquals(AlertState.RAISED, raised.getState()),
                () -> assertTrue(raised.getPages()),
                () -> assertEquals(AlertState.RESOLVED, resolved.getState()),
                () -> assertEquals(raised.getAlertId(), resolved.getAlertId()),
                () -> assertTrue(resolved.getReason().startsWith("Resolved unreviewed: monitoring stopped, no samples for 30 min"),
                        resolved.getReason()),
                () -> assertEquals(lastShocked, MonitoringMapper.instant(resolved.getSampleTime())));
    }

    @Test
    void aStablePatientWithArtefactsPagesNobody() {
        for (Duration interval : AcuteScenarios.INTERVALS) {
            ScriptedPatient patient = AcuteScenarios.generate(Scenario.STABLE, interval, SEED, START, Duration.ofHours(12));
            assertTrue(patient.samples().stream().anyMatch(s -> s.poorSignal(0.5)), "the device does misbehave");
            List<Alert> alerts = play(patient.samples());
            assertEquals(List.of(), alerts.stream().filter(Alert::getPages).toList(), "every " + interval);
            assertTrue(alerts.stream().allMatch(a -> a.getSeverity() == Severity.INFO), alerts.toString());
        }
    }

    /**
     * Stable patients of the generator's training seeds on whom the acute path used to page, each for an
     * artefact of its own kind: two implausible readings of one vital in a row rated good (a respiratory
     * rate of 33 then 31; a heart rate doubled to 173 twice; at 5 min, halved to 28 and 29), motion the
     * device rated marginal in two readings running (SpO2 83 and 80 with a heart rate of 161 and 132),
     * a long motion burst at 15 s, and a run kept alive across a reading that reversed.
     */
    @ParameterizedTest(name = "every {0} s, seed {1}")
    @CsvSource({"60, 107", "60, 369", "60, 389", "60, 1", "15, 59", "15, 42", "300, 358", "300, 62"})
    void artefactsThatOncePagedPageNobody(long intervalSeconds, long seed) {
        ScriptedPatient patient = AcuteScenarios.generate(Scenario.STABLE, Duration.ofSeconds(intervalSeconds), seed, START,
                Duration.ofHours(12));
        List<Alert> alerts = play(patient.samples());
        assertEquals(List.of(), alerts.stream().filter(Alert::getPages).toList());
    }
}
