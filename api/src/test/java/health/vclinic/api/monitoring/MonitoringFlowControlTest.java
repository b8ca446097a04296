package health.vclinic.api.monitoring;

import health.vclinic.api.cli.MonitoringBench;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.VclinicServer;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.inference.monitoring.MonitoringConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Flow control and bounded memory of the Monitor stream against a real server. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MonitoringFlowControlTest {

    /** Every sample flips NEWS2 between 11 and 0: one alert (RAISED or RESOLVED) per sample. */
    static final MonitoringConfig FLIPPING = MonitoringConfig.builder().news2Hold(Duration.ZERO).news2Clear(Duration.ZERO)
            .smoothingSpan(Duration.ofMinutes(5)).trendHold(Duration.ofHours(8)).build();

    static VitalSample flipping(String patient, long hour) {
        VitalSample.Builder b = VitalSample.newBuilder().setPatientRef(patient).setDeviceId("d")
                .setTimestamp(MonitoringMapper.timestamp(MonitoringBench.T0.plusSeconds(3600 * hour)));
        return (hour % 2 == 0
                ? b.setHeartRate(125).setRespiratoryRate(26).setSystolicBp(98).setSpo2(91).setTemperatureC(38.4)
                : b.setHeartRate(72).setRespiratoryRate(14).setSystolicBp(124).setSpo2(97).setTemperatureC(36.8)).build();
    }

    /** A client that reads one alert every {@code readNanos} and sends only when the call is ready. */
    static final class SlowReader implements ClientResponseObserver<VitalSample, Alert> {
        final List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Status> end = new CompletableFuture<>();
        final long readNanos;
        final long pauseUntilNanos;
        volatile ClientCallStreamObserver<VitalSample> requests;
        volatile long notReadyWaits;
        volatile long sent;

        /** Reads an alert every {@code readNanos}; reads nothing at all before {@code pauseUntilNanos} (nanoTime). */
        SlowReader(long readNanos, long pauseUntilNanos) {
            this.readNanos = readNanos;
            this.pauseUntilNanos = pauseUntilNanos;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<VitalSample> r) {
            requests = r;
            r.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(Alert a) {
            alerts.add(a);
            long pause = pauseUntilNanos - System.nanoTime();
            LockSupport.parkNanos(Math.max(readNanos, pause));
            requests.request(1);
        }

        @Override
        public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            end.complete(Status.OK);
        }

        /** Sends every sample, waiting whenever flow control says the call is not ready. */
        void send(List<VitalSample> samples) {
            for (VitalSample s : samples) {
                while (!requests.isReady()) {
                    notReadyWaits++;
                    LockSupport.parkNanos(200_000);
                    if (end.isDone()) {
                        return;
                    }
                }
                requests.onNext(s);
                sent++;
            }
            requests.onCompleted();
        }
    }

    @Test
    void aSlowReaderSlowsTheProducerAndGetsEveryAlert() throws Exception {
        VclinicServer server = MonitoringStreamTest.server(FLIPPING, new StreamLimits(64, Duration.ofSeconds(20), 16));
        ManagedChannel channel = MonitoringStreamTest.channel(server);
        try {
            int n = 2000;
            List<VitalSample> samples = new ArrayList<>();
            for (long h = 0; h < n; h++) {
                samples.add(flipping("slow-reader", h));
            }
            AtomicReference<Metadata> trailers = new AtomicReference<>();
            SlowReader reader = new SlowReader(500_000, 0);
            MonitoringStreamTest.capturing(channel, trailers).monitor(reader);
            long start = System.nanoTime();
            reader.send(samples);
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            Status status = reader.end.get(60, TimeUnit.SECONDS);
            double totalSeconds = (System.nanoTime() - start) / 1e9;
            assertEquals(Status.Code.OK, status.getCode(), status.toString());
            assertTrue(reader.notReadyWaits > 0, "flow control held the producer back");
            assertTrue(totalSeconds >= n * 0.0005, "the stream went at the reader's pace: " + totalSeconds + " s");
            assertTrue(sendSeconds < totalSeconds);
            long news2 = reader.alerts.stream().filter(a -> a.getKind() == AlertKind.NEWS2).count();
            assertEquals(n, news2, "one NEWS2 state change per sample, none lost");
            assertEquals("0", trailers.get().get(MonitorCall.ALERTS_UNDELIVERED));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    @Test
    void aReaderThatStopsReadingIsToldAndNothingIsLostSilently() throws Exception {
        VclinicServer server = MonitoringStreamTest.server(FLIPPING, new StreamLimits(64, Duration.ofMillis(500), 16));
        ManagedChannel channel = MonitoringStreamTest.channel(server);
        try {
            List<VitalSample> samples = new ArrayList<>();
            for (long h = 0; h < 15_000; h++) {
                samples.add(flipping("stalled-reader", h));
            }
            AtomicReference<Metadata> trailers = new AtomicReference<>();
            // Reads nothing for 3 s (six stall limits), then reads quickly.
            SlowReader reader = new SlowReader(0, System.nanoTime() + TimeUnit.SECONDS.toNanos(3));
            MonitoringStreamTest.capturing(channel, trailers).monitor(reader);
            Thread producer = Thread.ofVirtual().start(() -> reader.send(samples));
            Status status = reader.end.get(60, TimeUnit.SECONDS);
            producer.join();

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
            assertTrue(status.getDescription().startsWith("the alert reader did not keep up"), status.getDescription());
            Metadata t = trailers.get();
            long sentByServer = Long.parseLong(t.get(MonitorCall.ALERTS_SENT));
            long undelivered = Long.parseLong(t.get(MonitorCall.ALERTS_UNDELIVERED));
            long analysed = Long.parseLong(t.get(MonitorCall.SAMPLES_ACCEPTED));
            assertEquals(sentByServer, reader.alerts.size(), "every alert the server queued reached the reader");
            assertTrue(undelivered >= 1, "the alert that found no room is counted");
            assertEquals(analysed, sentByServer + undelivered, "one alert per analysed sample: each is delivered or counted");
            assertTrue(analysed < reader.sent, "the server stopped analysing and said so");

            // The patient's open alert is not lost with the stream: the next stream gets it again. The last
            // analysed sample had an even hour (NEWS2 11: alert open) or an odd one (NEWS2 0: none open).
            boolean open = (analysed - 1) % 2 == 0;
            List<Alert> again = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Status> end = new CompletableFuture<>();
            var next = health.vclinic.api.monitoring.v1.MonitoringServiceGrpc.newStub(channel)
                    .monitor(MonitoringStreamTest.observer(again, end, new AtomicReference<>()));
            // A sample with a poor signal changes nothing clinically: whatever comes back is the resend.
            next.onNext(flipping("stalled-reader", analysed + 100).toBuilder().setSignalQuality(0.1).build());
            next.onCompleted();
            assertEquals(Status.Code.OK, end.get(10, TimeUnit.SECONDS).getCode());
            assertEquals(open ? 1 : 0, again.size(), again.toString());
            assertTrue(again.stream().allMatch(a -> a.getReason().startsWith("Sent again")), again.toString());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }
}
