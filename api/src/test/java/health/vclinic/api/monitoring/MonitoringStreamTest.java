package health.vclinic.api.monitoring;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.cli.MonitoringBench;
import health.vclinic.api.cli.SepsisReplay;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Monitor stream end to end: a real server on a free port, a real grpc-java client, real stays. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MonitoringStreamTest {

    private static List<SepsisStay> stays;

    @BeforeAll
    static void readStays() {
        stays = SepsisDataset.read(projectRoot().resolve(SepsisDataset.RELATIVE_PATH).normalize());
    }

    static Path projectRoot() {
        String root = System.getProperty("vclinic.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("vclinic"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static SepsisStay stay(String id) {
        return stays.stream().filter(s -> s.patientId().equals(id)).findFirst().orElseThrow();
    }

    /** A server with the rule detectors (NEWS2, trends, gating): what these tests assert does not depend on a model. */
    static VclinicServer server(MonitoringConfig config, StreamLimits limits) {
        return VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.of(MonitoringEndpoint.create(config, MonitoringModels.none(), limits)), "127.0.0.1", 0);
    }

    static ManagedChannel channel(VclinicServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
    }

    private static VclinicServer shared;
    private static ManagedChannel sharedChannel;

    @BeforeAll
    static void start() {
        shared = server(MonitoringConfig.defaults(), StreamLimits.defaults());
        sharedChannel = channel(shared);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (sharedChannel != null) {
            sharedChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (shared != null) {
            shared.close();
        }
    }

    private static List<Alert> replay(ManagedChannel channel, SepsisStay stay) throws InterruptedException {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        SepsisReplay.Summary summary = SepsisReplay.replay(channel, List.of(stay), 0, SepsisReplay.DEFAULT_ADMISSION,
                alerts::add, Duration.ofSeconds(30));
        assertEquals(List.of(), summary.failures());
        assertEquals(summary.samples(), summary.accepted(), "every sample analysed");
        return List.copyOf(alerts);
    }

    @Test
    void aSepticStayIsRaisedBeforeOnsetThenResolvedWithEvidence() throws InterruptedException {
        SepsisStay septic = stay("p000011");
        List<Alert> news2 = replay(sharedChannel, septic).stream().filter(a -> a.getKind() == AlertKind.NEWS2).toList();

        assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), news2.stream().map(Alert::getState).toList(),
                news2.toString());
        Alert raised = news2.get(0);
        Alert resolved = news2.get(1);
        Instant onset = SepsisReplay.DEFAULT_ADMISSION.plus(Duration.ofHours(septic.onsetHour().getAsInt()));
        Instant raisedAt = MonitoringMapper.instant(raised.getRaisedAt());
        assertAll(
                () -> assertEquals("p000011", raised.getPatientRef()),
                () -> assertEquals(Severity.MEDIUM, raised.getSeverity()),
                () -> assertTrue(raised.getPages(), "NEWS2 5-6 asks for an urgent response"),
                () -> assertTrue(raisedAt.isBefore(onset), "raised " + raisedAt + ", onset " + onset),
                () -> assertEquals("news2", raised.getDetector()),
                () -> assertEquals("rcp-2017", raised.getModelVersion()),
                () -> assertTrue(raised.getReason().startsWith("NEWS2 "), raised.getReason()),
                () -> assertTrue(raised.getEvidence().getMeasurementsList().stream()
                        .anyMatch(m -> m.getName().equals("news2_total") && m.getValue() >= 5), raised.toString()),
                () -> assertTrue(raised.getEvidence().getMeasurementsList().stream()
                        .anyMatch(m -> m.getName().equals("heart_rate") && m.hasNews2Points())),
                () -> assertTrue(raised.getEvidence().getSamples() > 0),
                () -> assertTrue(raised.getEvidence().hasWindowStart() && raised.getEvidence().hasWindowEnd()),
                () -> assertEquals(raised.getAlertId(), resolved.getAlertId()),
                () -> assertFalse(resolved.getPages()),
                () -> assertTrue(resolved.getReason().startsWith("Resolved: NEWS2 now"), resolved.getReason()),
                () -> assertTrue(resolved.getEvidence().getMeasurementsCount() > 0));
    }

    @Test
    void aStableStayRaisesNothing() throws InterruptedException {
        assertEquals(List.of(), replay(sharedChannel, stay("p000005")));
    }

    @Test
    void anImpossibleReadingEndsTheStreamNamingTheField() throws InterruptedException {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Status> end = new CompletableFuture<>();
        var requests = MonitoringServiceGrpc.newStub(sharedChannel).monitor(observer(alerts, end, new AtomicReference<>()));
        VitalSample ok = MonitoringBench.sample("invalid-test", 0);
        requests.onNext(ok);
        requests.onNext(ok.toBuilder().setTimestamp(MonitoringMapper.timestamp(MonitoringBench.T0.plusSeconds(60)))
                .setHeartRate(913).build());
        Status status = end.join();
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
        assertTrue(status.getDescription().startsWith("sample 2 of this stream: heart_rate must be"), status.getDescription());
        assertFalse(status.getDescription().contains("913"), "the rejected value is never echoed");
    }

    static io.grpc.stub.StreamObserver<Alert> observer(List<Alert> alerts, CompletableFuture<Status> end,
                                                      AtomicReference<ClientCallStreamObserver<VitalSample>> requests) {
        return new ClientResponseObserver<VitalSample, Alert>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<VitalSample> r) {
                requests.set(r);
            }

            @Override
            public void onNext(Alert a) {
                alerts.add(a);
            }

            @Override
            public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                end.complete(Status.OK);
            }
        };
    }

    /** The trailers of a call, captured through an interceptor. */
    static MonitoringServiceGrpc.MonitoringServiceStub capturing(ManagedChannel channel, AtomicReference<Metadata> trailers) {
        return MonitoringServiceGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
    }
}
