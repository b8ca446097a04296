package health.vclinic.api.cli;

import health.vclinic.api.monitoring.MonitorCall;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.monitoring.SepsisStay;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Streams ICU stays to a monitoring server as bedside devices would: one {@code Monitor} stream per
 * stay, every stay admitted at the same instant, each hourly row sent when its time comes on a clock
 * running {@code speed} times faster than real time (3600: an hour of data per second; 0: as fast as
 * flow control allows). Alerts go to a consumer as they arrive.
 */
public final class SepsisReplay {

    /** Admission time of every replayed stay: fixed, so a replay gives the same alert ids every time. */
    public static final Instant DEFAULT_ADMISSION = Instant.parse("2024-01-01T00:00:00Z");

    /**
     * What a replay did.
     *
     * @param samples samples sent
     * @param alerts alerts received
     * @param failures the statuses of streams that ended with an error (empty when all ended OK)
     * @param accepted samples the server analysed, from the streams' trailers
     * @param wallTime how long the replay took
     */
    public record Summary(long samples, long alerts, List<Status> failures, long accepted, Duration wallTime) {
        public Summary {
            failures = List.copyOf(failures);
        }
    }

    private SepsisReplay() {
    }

    /**
     * Replays {@code stays} and waits for every stream to end.
     *
     * @param speed data seconds per wall second; 0 or less for as fast as possible
     * @param alerts called for every alert, from gRPC threads, possibly concurrently
     */
    public static Summary replay(Channel channel, List<SepsisStay> stays, double speed, Instant admission,
                                 Consumer<Alert> alerts, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(alerts, "alerts");
        MonitoringServiceGrpc.MonitoringServiceStub stub = MonitoringServiceGrpc.newStub(channel);
        CountDownLatch done = new CountDownLatch(stays.size());
        AtomicLong received = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        List<Status> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Device> devices = new ArrayList<>();
        for (SepsisStay stay : stays) {
            devices.add(new Device(stay.samples(admission).stream().map(MonitoringMapper::toProto).toList()));
        }
        long start = System.nanoTime();
        for (Device d : devices) {
            d.open(stub, alerts, received, accepted, failed, done);
        }
        PriorityQueue<Device> due = new PriorityQueue<>(Comparator.comparingLong(Device::nextAt));
        devices.stream().filter(Device::hasNext).forEach(due::add);
        devices.stream().filter(d -> !d.hasNext()).forEach(Device::finish);
        long sent = 0;
        long admissionMillis = admission.toEpochMilli();
        while (!due.isEmpty()) {
            Device d = due.poll();
            if (speed > 0) {
                long dueNanos = start + (long) ((d.nextAt() - admissionMillis) * 1e6 / speed);
                long wait = dueNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            d.sendNext();
            sent++;
            if (d.hasNext()) {
                due.add(d);
            } else {
                d.finish();
            }
        }
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the server did not end every stream within " + timeout);
        }
        return new Summary(sent, received.get(), failed, accepted.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** One stay's device: its samples and its stream. Sends only when the stream is ready (flow control). */
    private static final class Device {
        private final List<VitalSample> samples;
        private int next;
        private ClientCallStreamObserver<VitalSample> requests;
        private final Object ready = new Object();

        Device(List<VitalSample> samples) {
            this.samples = samples;
        }

        void open(MonitoringServiceGrpc.MonitoringServiceStub stub, Consumer<Alert> alerts, AtomicLong received,
                  AtomicLong accepted, List<Status> failed, CountDownLatch done) {
            AtomicReference<Metadata> headers = new AtomicReference<>();
            AtomicReference<Metadata> trailers = new AtomicReference<>();
            stub.withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
                    .monitor(new ClientResponseObserver<VitalSample, Alert>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<VitalSample> r) {
                    requests = r;
                    r.setOnReadyHandler(() -> {
                        synchronized (ready) {
                            ready.notifyAll();
                        }
                    });
                }

                @Override
                public void onNext(Alert alert) {
                    received.incrementAndGet();
                    alerts.accept(alert);
                }

                @Override
                public void onError(Throwable t) {
                    failed.add(Status.fromThrowable(t));
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    accepted.addAndGet(count(trailers.get(), MonitorCall.SAMPLES_ACCEPTED));
                    done.countDown();
                }
            });
        }

        boolean hasNext() {
            return next < samples.size();
        }

        long nextAt() {
            var t = samples.get(next).getTimestamp();
            return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
        }

        void sendNext() {
            synchronized (ready) {
                while (!requests.isReady()) {
                    try {
                        ready.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for flow control", e);
                    }
                }
            }
            requests.onNext(samples.get(next++));
        }

        void finish() {
            requests.onCompleted();
        }
    }

    /** A count from a stream's trailers, 0 when absent. */
    public static long count(Metadata trailers, Metadata.Key<String> key) {
        String v = trailers == null ? null : trailers.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }
}
