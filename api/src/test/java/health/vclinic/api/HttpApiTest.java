package health.vclinic.api;

import health.vclinic.api.triage.TriageEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP side of the real server: JSON triage, health, metrics, limits and shutdown. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpApiTest {

    private static final String ASSESS = "/v1/triage:assess";
    private static final String GRPC_OK_SERIES =
            "vclinic_requests_total{transport=\"grpc\",method=\"vclinic.triage.v1.TriageService/Assess\",status=\"OK\"}";
    private static final String HTTP_400_SERIES =
            "vclinic_requests_total{transport=\"http\",method=\"POST /v1/triage:assess\",status=\"400\"}";
    /** An unknown path is refused by the gate (deny by default: no role may call a route the policy does not name). */
    private static final String UNMATCHED_SERIES =
            "vclinic_requests_total{transport=\"http\",method=\"unmatched\",status=\"403\"}";

    private static VclinicServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (http != null) {
            http.close();
        }
    }

    private static URI uri(VclinicServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(server, path)).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(VclinicServer s, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(s, path)).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("");
    }

    /** The error object of a 400, checked for shape; returns its message. */
    private static String errorMessage(HttpResponse<String> r) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(contentType(r).startsWith("application/json"), contentType(r));
        Struct body = TestSupport.struct(r.body());
        assertTrue(body.containsFields("error"), r.body());
        Struct error = body.getFieldsOrThrow("error").getStructValue();
        assertEquals("INVALID_ARGUMENT", error.getFieldsOrThrow("code").getStringValue(), r.body());
        String message = error.getFieldsOrThrow("message").getStringValue();
        assertFalse(message.isBlank(), r.body());
        return message;
    }

    // ---------------------------------------------------------------- assess

    @Test
    void assessWithSnakeCaseJson() throws Exception {
        HttpResponse<String> r = post(ASSESS, TestSupport.exampleLines().get(1)); // demo-002

        assertEquals(200, r.statusCode(), r.body());
        assertTrue(contentType(r).startsWith("application/json"), contentType(r));
        Struct body = TestSupport.struct(r.body());
        assertEquals("demo-002", body.getFieldsOrThrow("encounter_id").getStringValue());
        assertTrue(body.containsFields("needs_clinician_review"), "false fields are printed too: " + r.body());
        assertFalse(body.getFieldsOrThrow("needs_clinician_review").getBoolValue());
        assertEquals(5, (int) body.getFieldsOrThrow("level").getNumberValue());
        for (String key : List.of("decided_by", "model_versions", "red_flags", "missing", "level_probabilities")) {
            assertTrue(body.containsFields(key), key + " missing from " + r.body());
        }
        assertFalse(body.containsFields("encounterId"), "keys are snake_case: " + r.body());
        assertFalse(body.containsFields("needsClinicianReview"), "keys are snake_case: " + r.body());
        assertFalse(r.body().contains("\n"), "one line of JSON");
        // The same contract as gRPC: the body parses back as a TriageAssessment.
        TriageAssessment a = TestSupport.assessment(r.body());
        assertEquals("demo-002", a.getEncounterId());
        assertTrue(a.getModelVersionsMap().containsKey("red-flag-rules"));
    }

    @Test
    void assessTheChestPainCaseOverHttpMatchesGrpc() throws Exception {
        HttpResponse<String> r = post(ASSESS, TestSupport.exampleLines().get(0)); // demo-001
        assertEquals(200, r.statusCode(), r.body());
        TriageAssessment overHttp = TestSupport.assessment(r.body());

        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
        try {
            TriageAssessment overGrpc = TriageServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).assess(TestSupport.example("demo-001"));
            assertEquals(overGrpc, overHttp, "HTTP JSON and gRPC must not disagree");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertTrue(overHttp.getLevel() <= 2);
        assertTrue(overHttp.getDecidedBy().startsWith("red-flag:"));
    }

    @Test
    void assessAcceptsLowerCamelCaseKeys() throws Exception {
        String json = """
                {"encounterId":"camel-1","patient":{"ageYears":34,"sex":"FEMALE"},
                 "vitals":{"heartRate":72,"respiratoryRate":14,"systolicBp":118,"diastolicBp":76,
                           "temperatureC":36.6,"spo2":99,"supplementalOxygen":false,"consciousness":"ALERT"},
                 "interview":{"chiefComplaint":"Denies chest pain, wants advice on quitting smoking","painScore":0}}
                """;
        HttpResponse<String> r = post(ASSESS, json);

        assertEquals(200, r.statusCode(), r.body());
        Struct body = TestSupport.struct(r.body());
        assertEquals("camel-1", body.getFieldsOrThrow("encounter_id").getStringValue());
        assertEquals(5, (int) body.getFieldsOrThrow("level").getNumberValue());
        assertEquals(0, body.getFieldsOrThrow("missing").getListValue().getValuesCount(), r.body());
    }

    @Test
    void malformedJsonIs400InvalidArgument() throws Exception {
        String message = errorMessage(post(ASSESS, "{\"encounter_id\": \"abc\", \"vitals\": {"));
        assertTrue(message.contains("body must be well-formed JSON"), message);
    }

    @Test
    void anEmptyBodyIs400NotAServerError() throws Exception {
        String message = errorMessage(post(ASSESS, ""));
        assertTrue(message.contains("request"), message);
    }

    /**
     * Content after the request object must be rejected, not ignored: the proto3 JSON parser reads one
     * value and stops, so "{...}{...}" would assess the first request and silently drop the rest.
     */
    @Test
    void contentAfterTheRequestObjectIs400() throws Exception {
        errorMessage(post(ASSESS, "{\"encounter_id\":\"first\"}{\"encounter_id\":\"second\"}"));
        errorMessage(post(ASSESS, "{\"encounter_id\":\"first\"}\nnot json at all"));
    }

    @Test
    void nonObjectJsonIs400() throws Exception {
        errorMessage(post(ASSESS, "[]"));
        errorMessage(post(ASSESS, "null"));
        errorMessage(post(ASSESS, "42"));
    }

    @Test
    void anUnrecognisedEnumNumberIs400NamingTheField() throws Exception {
        // The proto3 JSON mapping accepts enum numbers; an unknown one must still be rejected by name.
        String message = errorMessage(post(ASSESS, "{\"patient\":{\"sex\":42}}"));
        assertTrue(message.contains("patient.sex"), message);
    }

    /**
     * An unknown key that is not a plain identifier must be named whole: "heart-rate", not "heart" (a
     * caller told that "heart" is unknown looks for a field it never sent).
     */
    @Test
    void anUnknownFieldWithAHyphenIsNamedWhole() throws Exception {
        String message = errorMessage(post(ASSESS, "{\"vitals\":{\"heart-rate\":80}}"));
        assertTrue(message.contains("heart-rate"), message);
    }

    @Test
    void unknownFieldIs400NamingIt() throws Exception {
        String message = errorMessage(post(ASSESS, "{\"vitals\":{\"heartrate\":80}}"));
        assertTrue(message.contains("heartrate"), message);
    }

    @Test
    void outOfRangeValueIs400NamingTheFieldWithoutEchoingTheValue() throws Exception {
        String message = errorMessage(post(ASSESS,
                "{\"encounter_id\":\"e-1\",\"vitals\":{\"heart_rate\":900,\"spo2\":97}}"));
        assertTrue(message.contains("vitals.heart_rate"), message);
        assertFalse(message.contains("900"), "the rejected value is echoed: " + message);
    }

    @Test
    void aWronglyTypedValueIsNotEchoed() throws Exception {
        String message = errorMessage(post(ASSESS,
                "{\"vitals\":{\"heart_rate\":\"Jane Doe 1970-01-01\"}}"));
        assertFalse(message.contains("Jane"), "the rejected value is echoed: " + message);
        assertFalse(message.contains("1970"), "the rejected value is echoed: " + message);
    }

    @Test
    void anUnknownEnumNameIs400() throws Exception {
        String message = errorMessage(post(ASSESS, "{\"patient\":{\"sex\":\"ROBOT\"}}"));
        assertFalse(message.contains("ROBOT"), message);
    }

    @Test
    void severalBadFieldsAreReportedTogether() throws Exception {
        String message = errorMessage(post(ASSESS,
                "{\"patient\":{\"age_years\":-1},\"vitals\":{\"heart_rate\":900,\"spo2\":140},"
                        + "\"interview\":{\"pain_score\":14,\"phq9\":[1,1,1,1,1,1,1,1]}}"));
        for (String field : List.of("patient.age_years", "vitals.heart_rate", "vitals.spo2",
                "interview.pain_score", "interview.phq9")) {
            assertTrue(message.contains(field), field + " not named in " + message);
        }
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedWithA4xx() throws Exception {
        String big = "{\"encounter_id\":\"big\",\"interview\":{\"chief_complaint\":\""
                + "a".repeat((int) VclinicServer.MAX_PAYLOAD_BYTES + 1024) + "\"}}";
        HttpResponse<String> r;
        // A client of its own: a refused body may leave its connection unusable.
        try (HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            r = own.send(HttpRequest.newBuilder(uri(server, ASSESS)).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The server may close the connection while the client is still sending; that is a refusal too.
            assertServerStillUp();
            return;
        }
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, "expected 4xx, got " + r.statusCode());
        assertServerStillUp();
    }

    /**
     * A body over the limit without a Content-Length (chunked) is only found too large while the handler
     * reads it: Helidon's RequestException (413) must not be turned into a 500 "internal error".
     */
    @Test
    void aChunkedBodyOverOneMebibyteIsRefusedWithA4xx() throws Exception {
        byte[] big = ("{\"encounter_id\":\"big\",\"interview\":{\"chief_complaint\":\""
                + "a".repeat((int) VclinicServer.MAX_PAYLOAD_BYTES + 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
        // No length known in advance: sent with Transfer-Encoding: chunked.
        HttpRequest request = HttpRequest.newBuilder(uri(server, ASSESS)).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
        HttpResponse<String> r;
        try (HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            r = own.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            assertServerStillUp();
            return;
        }
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, "expected 4xx, got " + r.statusCode());
        assertServerStillUp();
    }

    private static void assertServerStillUp() throws Exception {
        assertEquals(200, get(server, "/health/live").statusCode());
    }

    // ---------------------------------------------------------------- health

    @Test
    void liveAndReadyAre200() throws Exception {
        HttpResponse<String> live = get(server, "/health/live");
        assertEquals(200, live.statusCode());
        assertTrue(contentType(live).startsWith("application/json"));
        assertEquals("UP", TestSupport.struct(live.body()).getFieldsOrThrow("status").getStringValue());
        HttpResponse<String> ready = get(server, "/health/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("UP", TestSupport.struct(ready.body()).getFieldsOrThrow("status").getStringValue());
    }

    @Test
    void afterCloseReadinessIsNoLonger200() throws Exception {
        VclinicServer other = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
        int port = other.port();
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        try {
            assertEquals(200, get(other, "/health/ready").statusCode());
        } finally {
            other.close();
        }
        try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> r = fresh.send(HttpRequest.newBuilder(ready).header("authorization", TestSecurity.backendHeader()).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertNotEquals(200, r.statusCode(), "ready after close: " + r.body());
        } catch (IOException refused) {
            // Stopped and no longer listening: not ready either.
        }
        // The other server's shutdown leaves this one alone.
        assertEquals(200, get(server, "/health/ready").statusCode());
    }

    // ---------------------------------------------------------------- metrics

    private static String metricsText() throws Exception {
        HttpResponse<String> r = get(server, "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(contentType(r).startsWith("text/plain"), contentType(r));
        return r.body();
    }

    /** The value of one series, 0 when absent. */
    private static long value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).strip());
            }
        }
        return 0;
    }

    /** Polls /metrics until the condition holds: the HTTP filter records after the response is sent. */
    private static String awaitMetrics(Predicate<String> condition, String what) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String text;
        do {
            text = metricsText();
            if (condition.test(text)) {
                return text;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < until);
        fail(what + "\n" + text);
        return text;
    }

    @Test
    void metricsCountGrpcAndHttpRequestsInPrometheusFormat() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
        try {
            TriageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(TestSupport.example("demo-002"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        long bad400 = value(metricsText(), HTTP_400_SERIES);
        assertEquals(400, post(ASSESS, "{\"vitals\":{\"heart_rate\":900}}").statusCode());

        String text = awaitMetrics(t -> value(t, GRPC_OK_SERIES) >= 1 && value(t, HTTP_400_SERIES) > bad400,
                "expected the gRPC OK and the HTTP 400 series");

        assertTrue(text.contains("# TYPE vclinic_requests_total counter"), text);
        assertTrue(text.contains("# TYPE vclinic_request_duration_seconds histogram"), text);
        Pattern inf = Pattern.compile("^vclinic_request_duration_seconds_bucket\\{(.*),le=\"\\+Inf\"} (\\d+)$",
                Pattern.MULTILINE);
        Matcher m = inf.matcher(text);
        int infLines = 0;
        while (m.find()) {
            infLines++;
            // +Inf equals the series' count.
            String labels = m.group(1);
            assertEquals(Long.parseLong(m.group(2)),
                    value(text, "vclinic_request_duration_seconds_count{" + labels + "}"), labels);
        }
        assertTrue(infLines >= 2, text);
        assertTrue(text.contains("vclinic_request_duration_seconds_bucket{transport=\"grpc\",method=\""
                + "vclinic.triage.v1.TriageService/Assess\",status=\"OK\",le=\"+Inf\"}"), text);
        assertTrue(text.contains("vclinic_request_duration_seconds_sum{transport=\"http\",method=\""
                + "POST /v1/triage:assess\",status=\"400\"}"), text);
        // Helidon 4.5.0's zero WINDOW_UPDATEs are counted where the guard keeps them back (none here).
        assertTrue(text.contains("\nvclinic_zero_window_updates_dropped_total{protocol=\"http2\"} 0\n"), text);
        // Every line is a comment or "name{labels} value".
        for (String line : text.split("\n")) {
            assertTrue(line.startsWith("# ") || line.matches("[a-z_]+\\{[^}]*} [0-9.]+"), "bad line: " + line);
        }
    }

    @Test
    void unknownPathsShareOneUnmatchedSeries() throws Exception {
        long before = value(metricsText(), UNMATCHED_SERIES);
        String path = "/patients/secret-path-4711";
        HttpResponse<String> r = get(server, path);
        assertEquals(403, r.statusCode());

        String text = awaitMetrics(t -> value(t, UNMATCHED_SERIES) == before + 1,
                "expected the unmatched series to count the request once");

        assertFalse(text.contains("secret-path-4711"), "a per-path series was created");
        assertFalse(text.contains("/patients"), "a per-path series was created");
    }

    @Test
    void anUnknownPathIncrementsOnlyTheUnmatchedSeries() throws Exception {
        Thread.sleep(50); // let the previous test's last request be recorded
        java.util.Map<String, Long> before = counters(metricsText());
        assertEquals(403, get(server, "/nope/" + System.nanoTime()).statusCode());
        String text = awaitMetrics(t -> value(t, UNMATCHED_SERIES) == before.getOrDefault(UNMATCHED_SERIES, 0L) + 1,
                "expected the unmatched series to count the request once");
        java.util.Map<String, Long> after = counters(text);
        after.forEach((series, count) -> {
            if (!series.contains("method=\"GET /metrics\"") && !series.equals(UNMATCHED_SERIES)) {
                assertEquals(before.getOrDefault(series, 0L), count, "changed: " + series);
            }
        });
    }

    private static java.util.Map<String, Long> counters(String text) {
        java.util.Map<String, Long> counters = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("vclinic_requests_total{")) {
                int space = line.lastIndexOf(' ');
                counters.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
            }
        }
        return counters;
    }

    @Test
    void unknownMethodsDoNotCreateSeries() throws Exception {
        // A client picks the method token: one series per token would be unbounded cardinality, just like
        // one series per path.
        String token = "XMETHOD4711";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(server, "/metrics")).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(10)).method(token, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() >= 400, "status " + r.statusCode());
        Thread.sleep(100);

        String text = metricsText();
        assertEquals(List.of(), text.lines().filter(l -> l.contains(token)).toList(),
                "a series per request method was created");
    }
}
