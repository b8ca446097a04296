package health.vclinic.api.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts and latency histograms per transport, method and status, in the Prometheus text
 * exposition format (version 0.0.4). Lock-free on the hot path (one map lookup and two adders), which
 * matters at tens of thousands of calls per second on two cores; hand-written because the metric set
 * is small and fixed, and Helidon's metrics module would add a registry and timers per call.
 */
public final class RequestMetrics implements ServerInterceptor {

    /** Bucket upper bounds in seconds: 100 µs to 10 s, dense around the 1-5 ms service target. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 10};

    private record Key(String transport, String method, String status) {
    }

    private static final class Series {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(long nanos) {
            double seconds = nanos / 1e9;
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    public void record(String transport, String method, String status, long nanos) {
        series.computeIfAbsent(new Key(transport, method, status), k -> new Series()).observe(nanos);
    }

    /**
     * The counts per latency bucket of one series at one moment ({@link #BUCKETS}, then the calls over the last
     * bound): two snapshots' difference is the histogram of the calls between them.
     */
    public record Durations(long[] counts) {
        public Durations {
            counts = counts.clone();
        }

        public Durations minus(Durations before) {
            long[] d = new long[counts.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = counts[i] - before.counts[i];
            }
            return new Durations(d);
        }

        public long total() {
            long n = 0;
            for (long c : counts) {
                n += c;
            }
            return n;
        }

        /**
         * The smallest bucket bound in seconds within which at least {@code fraction} of the calls finished;
         * infinite when that is past the last bound, NaN when there were no calls.
         */
        public double boundCovering(double fraction) {
            long n = total();
            if (n == 0) {
                return Double.NaN;
            }
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i];
                if (cumulative >= Math.ceil(fraction * n)) {
                    return BUCKETS[i];
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    /** The series' latency buckets now; all zero when none was seen. */
    public Durations durations(String transport, String method, String status) {
        long[] counts = new long[BUCKETS.length + 1];
        Series s = series.get(new Key(transport, method, status));
        if (s != null) {
            long inBuckets = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                counts[i] = s.buckets[i].sum();
                inBuckets += counts[i];
            }
            counts[BUCKETS.length] = Math.max(0, s.count.sum() - inBuckets);
        }
        return new Durations(counts);
    }

    /** Count of requests seen for one series; 0 when none. */
    public long count(String transport, String method, String status) {
        Series s = series.get(new Key(transport, method, status));
        return s == null ? 0 : s.count.sum();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getFullMethodName();
        AtomicBoolean recorded = new AtomicBoolean();
        ServerCall.Listener<Q> listener = next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (recorded.compareAndSet(false, true)) {
                    record("grpc", method, status.getCode().name(), System.nanoTime() - start);
                }
                super.close(status, trailers);
            }
        }, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                // The client went away or its deadline passed: no close() will come for this call.
                if (recorded.compareAndSet(false, true)) {
                    record("grpc", method, Status.Code.CANCELLED.name(), System.nanoTime() - start);
                }
                super.onCancel();
            }
        };
    }

    /** The Prometheus text exposition of every series. */
    public String prometheus() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP vclinic_requests_total Requests handled, by transport, method and status.\n");
        out.append("# TYPE vclinic_requests_total counter\n");
        series.forEach((k, s) -> out.append("vclinic_requests_total").append(labels(k, null)).append(' ')
                .append(s.count.sum()).append('\n'));
        out.append("# HELP vclinic_request_duration_seconds Time from request to response.\n");
        out.append("# TYPE vclinic_request_duration_seconds histogram\n");
        series.forEach((k, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets[i].sum();
                out.append("vclinic_request_duration_seconds_bucket").append(labels(k, format(BUCKETS[i])))
                        .append(' ').append(cumulative).append('\n');
            }
            long count = s.count.sum();
            out.append("vclinic_request_duration_seconds_bucket").append(labels(k, "+Inf")).append(' ')
                    .append(count).append('\n');
            out.append("vclinic_request_duration_seconds_sum").append(labels(k, null)).append(' ')
                    .append(String.format(Locale.ROOT, "%.6f", s.sumNanos.sum() / 1e9)).append('\n');
            out.append("vclinic_request_duration_seconds_count").append(labels(k, null)).append(' ')
                    .append(count).append('\n');
        });
        return out.toString();
    }

    private static String labels(Key k, String le) {
        return "{transport=\"" + k.transport() + "\",method=\"" + escape(k.method()) + "\",status=\""
                + k.status() + "\"" + (le == null ? "" : ",le=\"" + le + "\"") + "}";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
