package health.vclinic.api.monitoring;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.cli.SepsisReplay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More patients than the server may hold, on concurrent streams: bounded state, every alert accounted for. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyPatientsTest {

    @Test
    void beyondTheLimitPatientsAreRefusedWithOneNoticeEachAndNoAlertIsLost() throws Exception {
        MonitoringConfig config = MonitoringFlowControlTest.FLIPPING.toBuilder().maxPatients(1000).build();
        MonitoringEndpoint endpoint = MonitoringEndpoint.create(config, MonitoringModels.none(), StreamLimits.defaults());
        VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.of(endpoint),
                "127.0.0.1", 0);
        int streams = 8;
        int patientsPerStream = 500;
        // A connection per stream, as devices connect: streams multiplexed on one connection meet a race in
        // Helidon 4.5.0's connection flow control (WindowUpdateGuard keeps its WINDOW_UPDATE of 0 off the wire;
        // the credit it can lose is not this test's subject).
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            List<List<Alert>> alerts = new ArrayList<>();
            List<CompletableFuture<Status>> ends = new ArrayList<>();
            List<AtomicReference<Metadata>> trailers = new ArrayList<>();
            List<Thread> producers = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                List<Alert> mine = Collections.synchronizedList(new ArrayList<>());
                CompletableFuture<Status> end = new CompletableFuture<>();
                AtomicReference<Metadata> t = new AtomicReference<>();
                var requests = new AtomicReference<io.grpc.stub.ClientCallStreamObserver<VitalSample>>();
                ManagedChannel channel = MonitoringStreamTest.channel(server);
                channels.add(channel);
                MonitoringStreamTest.capturing(channel, t).monitor(MonitoringStreamTest.observer(mine, end, requests));
                alerts.add(mine);
                ends.add(end);
                trailers.add(t);
                int stream = s;
                producers.add(Thread.ofVirtual().start(() -> {
                    for (int p = 0; p < patientsPerStream; p++) {
                        String patient = "many-" + stream + "-" + p;
                        // Hour 1 is odd (normal), hour 2 even (NEWS2 11): each admitted patient raises one alert.
                        for (long h = 1; h <= 2; h++) {
                            while (!requests.get().isReady()) {
                                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                            }
                            requests.get().onNext(MonitoringFlowControlTest.flipping(patient, h));
                        }
                    }
                    requests.get().onCompleted();
                }));
            }
            for (int s = 0; s < streams; s++) {
                producers.get(s).join();
                assertEquals(Status.Code.OK, ends.get(s).get(30, TimeUnit.SECONDS).getCode());
            }
            List<Alert> all = alerts.stream().flatMap(List::stream).toList();
            long raised = all.stream().filter(a -> a.getKind() == AlertKind.NEWS2 && a.getState() == AlertState.RAISED).count();
            long notices = all.stream().filter(a -> a.getKind() == AlertKind.NOT_MONITORED).count();
            long refusedSamples = trailers.stream().mapToLong(t -> SepsisReplay.count(t.get(), MonitorCall.SAMPLES_REFUSED)).sum();
            long undelivered = trailers.stream().mapToLong(t -> SepsisReplay.count(t.get(), MonitorCall.ALERTS_UNDELIVERED)).sum();

            assertEquals(1000, endpoint.patients(), "never more patients than the limit");
            assertEquals(1000, raised, "one alert per monitored patient");
            assertEquals(streams * patientsPerStream - 1000, notices, "one notice per refused patient");
            assertEquals(2L * (streams * patientsPerStream - 1000), refusedSamples);
            assertEquals(0, undelivered);
            assertTrue(config.maxWindowBytes() < 10_000_000, "the limit bounds the windows' memory: " + config.maxWindowBytes());
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
            server.close();
        }
    }

    @Test
    void anIdlePatientIsEvictedAndItsOpenAlertResolvedOnItsStream() throws Exception {
        MonitoringConfig config = MonitoringFlowControlTest.FLIPPING.toBuilder().idleTimeout(Duration.ofMillis(500)).build();
        MonitoringEndpoint endpoint = MonitoringEndpoint.create(config, MonitoringModels.none(), StreamLimits.defaults());
        VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.of(endpoint),
                "127.0.0.1", 0);
        ManagedChannel channel = MonitoringStreamTest.channel(server);
        try {
            List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Status> end = new CompletableFuture<>();
            var requests = new AtomicReference<io.grpc.stub.ClientCallStreamObserver<VitalSample>>();
            var stream = MonitoringStreamTest.capturing(channel, new AtomicReference<>())
                    .monitor(MonitoringStreamTest.observer(alerts, end, requests));
            stream.onNext(MonitoringFlowControlTest.flipping("goes-quiet", 2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (alerts.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            stream.onCompleted();
            assertEquals(Status.Code.OK, end.get(10, TimeUnit.SECONDS).getCode());
            assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), alerts.stream().map(Alert::getState).toList());
            assertTrue(alerts.get(1).getReason().startsWith("Resolved unreviewed: monitoring stopped"), alerts.get(1).getReason());
            assertEquals(0, endpoint.patients());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }
}
