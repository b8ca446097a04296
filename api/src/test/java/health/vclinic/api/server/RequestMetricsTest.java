package health.vclinic.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Prometheus histogram, counted and printed by hand. */
class RequestMetricsTest {

    private static final String LABELS = "transport=\"grpc\",method=\"m\",status=\"OK\"";
    private static final Pattern BUCKET =
            Pattern.compile("^vclinic_request_duration_seconds_bucket\\{(.*),le=\"([^\"]+)\"} (\\d+)$");

    /** le (as a number; +Inf as infinity) to cumulative count, for the series with these labels. */
    private static Map<Double, Long> buckets(String text, String labels) {
        Map<Double, Long> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (m.matches() && m.group(1).equals(labels)) {
                double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
                out.put(le, Long.parseLong(m.group(3)));
            }
        }
        return out;
    }

    private static String line(String text, String prefix) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix + " ")) {
                return line.substring(prefix.length() + 1);
            }
        }
        throw new AssertionError("no line " + prefix + " in\n" + text);
    }

    /** The smallest bucket whose count rose when one observation of {@code nanos} was recorded. */
    private static double bucketOf(long nanos) {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record("grpc", "m", "OK", nanos);
        return buckets(metrics.prometheus(), LABELS).entrySet().stream().filter(e -> e.getValue() == 1)
                .mapToDouble(Map.Entry::getKey).min().orElseThrow();
    }

    @ParameterizedTest(name = "{0} ns -> le={1}")
    @CsvSource({
            "0, 0.0001",
            "1, 0.0001",
            "100000, 0.0001",       // exactly 100 µs: the upper bound is inclusive
            "100001, 0.00025",
            "250000, 0.00025",
            "500000, 0.0005",
            "999999, 0.001",
            "1000000, 0.001",       // exactly 1 ms
            "1000001, 0.0025",
            "2500000, 0.0025",
            "5000000, 0.005",
            "10000000, 0.01",
            "100000000, 0.1",
            "1000000000, 1",        // exactly 1 s
            "2500000000, 2.5",
            "10000000000, 10",      // exactly 10 s, the last finite bucket
            "10000000001, Infinity",
            "3600000000000, Infinity"})
    void bucketPlacementAtBoundaries(long nanos, double le) {
        assertEquals(le, bucketOf(nanos));
    }

    @Test
    void everyBucketBoundIsPrintedInOrderThenInf() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record("grpc", "m", "OK", 1);
        List<Double> les = new ArrayList<>(buckets(metrics.prometheus(), LABELS).keySet());
        assertEquals(RequestMetrics.BUCKETS.length + 1, les.size());
        for (int i = 0; i < RequestMetrics.BUCKETS.length; i++) {
            assertEquals(RequestMetrics.BUCKETS[i], les.get(i));
        }
        assertEquals(Double.POSITIVE_INFINITY, les.getLast());
    }

    @Test
    void countsAreCumulativeAndInfEqualsTheCount() {
        RequestMetrics metrics = new RequestMetrics();
        long[] observations = {50_000, 100_000, 300_000, 1_000_000, 1_000_000, 4_000_000, 70_000_000,
                900_000_000, 20_000_000_000L};
        long sum = 0;
        for (long n : observations) {
            metrics.record("grpc", "m", "OK", n);
            sum += n;
        }
        String text = metrics.prometheus();
        Map<Double, Long> b = buckets(text, LABELS);

        assertEquals(2, b.get(0.0001));          // 50 µs, 100 µs
        assertEquals(2, b.get(0.00025));
        assertEquals(3, b.get(0.0005));          // + 300 µs
        assertEquals(5, b.get(0.001));           // + 1 ms twice
        assertEquals(5, b.get(0.0025));
        assertEquals(6, b.get(0.005));           // + 4 ms
        assertEquals(6, b.get(0.05));
        assertEquals(7, b.get(0.1));             // + 70 ms
        assertEquals(8, b.get(1.0));             // + 900 ms
        assertEquals(8, b.get(10.0));            // 20 s is in no finite bucket
        assertEquals(9, b.get(Double.POSITIVE_INFINITY));

        long previous = 0;
        for (long count : b.values()) {
            assertTrue(count >= previous, "buckets must be cumulative: " + b);
            previous = count;
        }
        assertEquals("9", line(text, "vclinic_request_duration_seconds_count{" + LABELS + "}"));
        assertEquals("9", line(text, "vclinic_requests_total{" + LABELS + "}"));
        assertEquals(sum / 1e9, Double.parseDouble(line(text, "vclinic_request_duration_seconds_sum{" + LABELS + "}")),
                1e-6);
        assertEquals(9, metrics.count("grpc", "m", "OK"));
    }

    @Test
    void seriesAreSeparatedByTransportMethodAndStatus() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record("grpc", "m", "OK", 1);
        metrics.record("grpc", "m", "OK", 1);
        metrics.record("grpc", "m", "INVALID_ARGUMENT", 1);
        metrics.record("http", "m", "200", 1);
        metrics.record("grpc", "other", "OK", 1);

        assertEquals(2, metrics.count("grpc", "m", "OK"));
        assertEquals(1, metrics.count("grpc", "m", "INVALID_ARGUMENT"));
        assertEquals(1, metrics.count("http", "m", "200"));
        assertEquals(1, metrics.count("grpc", "other", "OK"));
        assertEquals(0, metrics.count("http", "m", "404"));

        String text = metrics.prometheus();
        assertEquals(4, text.lines().filter(l -> l.startsWith("vclinic_requests_total{")).count(), text);
        assertEquals(4, text.lines().filter(l -> l.startsWith("vclinic_request_duration_seconds_count{")).count());
        assertEquals(4 * (RequestMetrics.BUCKETS.length + 1),
                text.lines().filter(l -> l.startsWith("vclinic_request_duration_seconds_bucket{")).count());
    }

    @Test
    void anEmptyRegistryPrintsOnlyHelpAndType() {
        String text = new RequestMetrics().prometheus();
        assertTrue(text.lines().allMatch(l -> l.startsWith("# HELP ") || l.startsWith("# TYPE ")), text);
        assertTrue(text.contains("# TYPE vclinic_requests_total counter\n"));
        assertTrue(text.contains("# TYPE vclinic_request_duration_seconds histogram\n"));
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void labelValuesAreEscaped() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record("http", "GET /a\"b\\c\nd", "200", 1);

        String text = metrics.prometheus();

        String labels = "transport=\"http\",method=\"GET /a\\\"b\\\\c\\nd\",status=\"200\"";
        assertEquals("1", line(text, "vclinic_requests_total{" + labels + "}"), text);
        assertEquals(1, buckets(text, labels).get(Double.POSITIVE_INFINITY));
        // No raw newline inside a sample line: every line is a comment or a complete sample.
        for (String l : text.split("\n")) {
            assertTrue(l.startsWith("# ") || l.matches("vclinic_[a-z_]+\\{.*} [0-9.]+"), "broken line: " + l);
        }
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        RequestMetrics metrics = new RequestMetrics();
        int threads = 8;
        int perThread = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        metrics.record("grpc", "m", "OK", i % 3 == 0 ? 200_000 : 3_000_000);
                    }
                });
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        }
        long total = (long) threads * perThread;
        assertEquals(total, metrics.count("grpc", "m", "OK"));
        Map<Double, Long> b = buckets(metrics.prometheus(), LABELS);
        assertEquals(total, b.get(Double.POSITIVE_INFINITY));
        assertEquals(threads * (long) ((perThread + 2) / 3), b.get(0.00025));
        assertEquals(total, b.get(0.005));
        assertFalse(b.isEmpty());
    }

    @Test
    void theDifferenceOfTwoSnapshotsIsTheHistogramOfTheCallsBetweenThem() {
        RequestMetrics metrics = new RequestMetrics();
        metrics.record("grpc", "m", "OK", 20_000_000); // before: 20 ms
        RequestMetrics.Durations before = metrics.durations("grpc", "m", "OK");
        for (int i = 0; i < 98; i++) {
            metrics.record("grpc", "m", "OK", 300_000); // 0.3 ms: the 0.5 ms bucket
        }
        metrics.record("grpc", "m", "OK", 4_000_000); // 4 ms: the 5 ms bucket
        metrics.record("grpc", "m", "OK", 60_000_000_000L); // a minute: over the last bound
        metrics.record("grpc", "m", "CANCELLED", 900_000_000); // another series
        RequestMetrics.Durations between = metrics.durations("grpc", "m", "OK").minus(before);

        assertEquals(100, between.total());
        assertEquals(0.0005, between.boundCovering(0.98));
        assertEquals(0.005, between.boundCovering(0.99));
        assertEquals(Double.POSITIVE_INFINITY, between.boundCovering(0.999));
        assertTrue(Double.isNaN(metrics.durations("grpc", "other", "OK").boundCovering(0.99)), "no calls, no bound");
    }
}
