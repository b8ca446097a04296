package health.vclinic.api;

import health.vclinic.api.triage.TriageEndpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.InternalStatus;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed gRPC requests, written byte by byte by {@link RawGrpcClient} to a real server on a free
 * port: each is answered with a gRPC status (never a hang, an HTTP 404 or INTERNAL), nothing is logged
 * as an error, and the connection goes on serving. The waits are generous bounds on a hang, never
 * timing assertions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcWireTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ASSESS = "/vclinic.triage.v1.TriageService/Assess";
    private static final String MONITOR = "/vclinic.monitoring.v1.MonitoringService/Monitor";

    private static VclinicServer server;
    private static final List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
    private static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() != null) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private RawGrpcClient client;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.of(MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                        StreamLimits.defaults())), "127.0.0.1", 0);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(capture);
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() {
        logged.clear();
        client = RawGrpcClient.connect(server.port());
    }

    /** After every case: the same connection still serves a valid call, was never sent GOAWAY, and nothing was logged. */
    @AfterEach
    void theConnectionGoesOnAndNothingWasLogged() throws Exception {
        try {
            RawGrpcClient.Answer ok = client.open(ASSESS).send(RawGrpcClient.frame(valid().toByteArray()), true)
                    .answer(WAIT);
            assertEquals(OptionalInt.of(0), ok.grpcStatus(), ok.toString());
            assertEquals(Optional.empty(), client.goAway());
        } finally {
            client.close();
        }
        assertEquals(List.of(), logged.stream().map(r -> r.getLoggerName() + " " + r.getLevel() + " "
                + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown())).toList());
    }

    private static TriageRequest valid() {
        return TestSupport.example("demo-002");
    }

    private static int code(Status.Code code) {
        return code.value();
    }

    static Stream<Arguments> malformedAssessBodies() {
        byte[] nested = new byte[20_000];
        for (int i = 0; i < nested.length; i += 2) {
            // Field 1000, wire type 3 (start group), ten thousand times.
            nested[i] = (byte) 0xc3;
            nested[i + 1] = 0x3e;
        }
        byte[] badUtf8 = {0x0a, 0x02, (byte) 0xc3, 0x28}; // encounter_id = C3 28
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xff);
        byte[] validBytes = valid().toByteArray();
        return Stream.of(
                Arguments.of("garbage bytes", RawGrpcClient.frame(garbage), Status.Code.INVALID_ARGUMENT),
                Arguments.of("invalid UTF-8 in a string field", RawGrpcClient.frame(badUtf8),
                        Status.Code.INVALID_ARGUMENT),
                Arguments.of("10,000 nested groups", RawGrpcClient.frame(nested), Status.Code.INVALID_ARGUMENT),
                Arguments.of("compressed flag without grpc-encoding",
                        RawGrpcClient.frame(1, validBytes.length, validBytes), Status.Code.INVALID_ARGUMENT),
                Arguments.of("flag byte 0x7f", RawGrpcClient.frame(0x7f, validBytes.length, validBytes),
                        Status.Code.INVALID_ARGUMENT),
                Arguments.of("a 3-byte frame", new byte[] {0, 0, 0}, Status.Code.INVALID_ARGUMENT),
                Arguments.of("a truncated message", RawGrpcClient.frame(0, validBytes.length + 100, validBytes),
                        Status.Code.INVALID_ARGUMENT),
                Arguments.of("two messages on a unary call", concat(RawGrpcClient.frame(validBytes),
                        RawGrpcClient.frame(validBytes)), Status.Code.INVALID_ARGUMENT),
                Arguments.of("a 20 MB message", RawGrpcClient.frame(new byte[20 << 20]),
                        Status.Code.RESOURCE_EXHAUSTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedAssessBodies")
    void aMalformedRequestIsAnsweredWithAClientError(String name, byte[] body, Status.Code expected) throws Exception {
        RawGrpcClient.Answer a = client.open(ASSESS).send(body, true).answer(WAIT);

        assertEquals(200, a.httpStatus(), name + ": " + a);
        assertEquals(OptionalInt.of(code(expected)), a.grpcStatus(), name + ": " + a);
        assertFalse(a.rawMessage().isBlank(), name + ": no description");
    }

    @Test
    void aUnaryCallWithNoMessageIsInvalidArgument() throws Exception {
        RawGrpcClient.Answer a = client.open(ASSESS, Map.of(), true).answer(WAIT);
        assertEquals(OptionalInt.of(code(Status.Code.INVALID_ARGUMENT)), a.grpcStatus(), a.toString());
    }

    @Test
    void aMalformedMessageIsCountedInTheMetricsAsInvalidArgument() throws Exception {
        String method = "vclinic.triage.v1.TriageService/Assess";
        long before = server.metrics().count("grpc", method, "INVALID_ARGUMENT");
        client.open(ASSESS).send(RawGrpcClient.frame(new byte[] {(byte) 0xff, (byte) 0xff}), true).answer(WAIT);
        assertEquals(before + 1, server.metrics().count("grpc", method, "INVALID_ARGUMENT"));
    }

    @Test
    void anUnknownMethodIsUnimplementedNotHttp404() throws Exception {
        long before = server.metrics().count("grpc", "unmatched", "UNIMPLEMENTED");
        for (String path : List.of("/vclinic.triage.v1.TriageService/Nope", "/no.such.Service/Assess")) {
            RawGrpcClient.Answer a = client.open(path).send(RawGrpcClient.frame(new byte[0]), true).answer(WAIT);
            assertEquals(200, a.httpStatus(), a.toString());
            assertEquals(OptionalInt.of(code(Status.Code.UNIMPLEMENTED)), a.grpcStatus(), a.toString());
        }
        assertEquals(before + 2, server.metrics().count("grpc", "unmatched", "UNIMPLEMENTED"));
    }

    @Test
    void aContentSubtypeOtherThanProtoIsUnimplemented() throws Exception {
        RawGrpcClient.Answer a = client.open(ASSESS, Map.of("content-type", "application/grpc+json"), false)
                .send(RawGrpcClient.frame("{}".getBytes(StandardCharsets.UTF_8)), true).answer(WAIT);
        assertEquals(OptionalInt.of(code(Status.Code.UNIMPLEMENTED)), a.grpcStatus(), a.toString());

        RawGrpcClient.Answer proto = client.open(ASSESS, Map.of("content-type", "application/grpc+proto"), false)
                .send(RawGrpcClient.frame(valid().toByteArray()), true).answer(WAIT);
        assertEquals(OptionalInt.of(0), proto.grpcStatus(), proto.toString());
    }

    @Test
    void aCompressedRequestIsUnimplementedWithTheEncodingsAccepted() throws Exception {
        RawGrpcClient.Answer a = client.open(ASSESS, Map.of("grpc-encoding", "gzip"), false)
                .send(RawGrpcClient.frame(1, 3, new byte[] {1, 2, 3}), true).answer(WAIT);
        assertEquals(OptionalInt.of(code(Status.Code.UNIMPLEMENTED)), a.grpcStatus(), a.toString());
        assertEquals("identity", a.headers().get("grpc-accept-encoding"));
    }

    static Stream<Arguments> callsRefusedFromTheirHeaders() {
        return Stream.of(
                Arguments.of("compressed", "grpc-encoding", "gzip", Status.Code.UNIMPLEMENTED,
                        RawGrpcClient.frame(1, 3, new byte[] {1, 2, 3})),
                Arguments.of("deadline already passed", "grpc-timeout", "0n", Status.Code.DEADLINE_EXCEEDED,
                        RawGrpcClient.frame(valid().toByteArray())));
    }

    /**
     * Defect 9, made deterministic: the server refuses a call from its headers alone (a compressed or
     * already-expired call), the client opens a newer stream, and only then does the refused call's
     * body arrive. Helidon had already forgotten the refused stream and closed the whole connection
     * (GOAWAY PROTOCOL_ERROR), failing the newer call; grpc-java hit this by chance in
     * GrpcRoundTripTest when its body was still in flight.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("callsRefusedFromTheirHeaders")
    void theBodyOfACallRefusedEarlyArrivingAfterANewerStreamLeavesTheConnectionUp(
            String name, String header, String value, Status.Code refusal, byte[] lateBody) throws Exception {
        RawGrpcClient.Call refused = client.open(ASSESS, Map.of(header, value), false);
        RawGrpcClient.Answer a = refused.answer(WAIT);
        assertEquals(OptionalInt.of(code(refusal)), a.grpcStatus(), a.toString());

        RawGrpcClient.Call newer = client.open(ASSESS);
        refused.send(lateBody, true);
        RawGrpcClient.Answer ok = newer.send(RawGrpcClient.frame(valid().toByteArray()), true).answer(WAIT);

        assertEquals(OptionalInt.of(0), ok.grpcStatus(), ok.toString());
        assertEquals(Optional.empty(), client.goAway());
    }

    @Test
    void garbageAsTheFirstMessageOfTheMonitorStreamIsInvalidArgument() throws Exception {
        RawGrpcClient.Answer a = client.open(MONITOR).send(RawGrpcClient.frame(new byte[] {(byte) 0xff, 1, 2}), false)
                .answer(WAIT);
        assertEquals(OptionalInt.of(code(Status.Code.INVALID_ARGUMENT)), a.grpcStatus(), a.toString());
    }

    @Test
    void garbageMidStreamOnMonitorIsInvalidArgumentNamingTheMessage() throws Exception {
        VitalSample sample = VitalSample.newBuilder().setPatientRef("p-wire").setDeviceId("d-1")
                .setTimestamp(Timestamp.newBuilder().setSeconds(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond()))
                .setHeartRate(80).setSpo2(97).setRespiratoryRate(16).setTemperatureC(37).setSystolicBp(120)
                .setDiastolicBp(80).build();
        RawGrpcClient.Call call = client.open(MONITOR).send(RawGrpcClient.frame(sample.toByteArray()), false)
                .send(RawGrpcClient.frame(sample.toByteArray()), false);
        RawGrpcClient.Answer a = call.send(RawGrpcClient.frame(new byte[] {(byte) 0xff, 1, 2}), false).answer(WAIT);

        assertEquals(OptionalInt.of(code(Status.Code.INVALID_ARGUMENT)), a.grpcStatus(), a.toString());
        String message = decoded(a.rawMessage());
        assertTrue(message.contains("message 3") && message.contains("vclinic.monitoring.v1.VitalSample"), message);
        call.send(new byte[0], true);
    }

    /** Defect 3: grpc-message is percent-encoded UTF-8, which grpc-java (and grpc-js) decode back. */
    @Test
    void aDescriptionWithDegreesCelsiusTravelsPercentEncoded() throws Exception {
        TriageRequest hot = valid().toBuilder().setVitals(valid().getVitals().toBuilder().setTemperatureC(50)).build();
        RawGrpcClient.Answer a = client.open(ASSESS).send(RawGrpcClient.frame(hot.toByteArray()), true).answer(WAIT);

        assertEquals(OptionalInt.of(code(Status.Code.INVALID_ARGUMENT)), a.grpcStatus(), a.toString());
        assertTrue(a.rawMessage().chars().allMatch(c -> c >= 0x20 && c <= 0x7e), a.rawMessage());
        assertTrue(a.rawMessage().contains("%C2%B0C"), a.rawMessage());
        assertTrue(decoded(a.rawMessage()).contains("°C"), decoded(a.rawMessage()));

        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> TriageServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).assess(hot));
            assertTrue(e.getStatus().getDescription().contains("°C"), e.getStatus().getDescription());
            TriageAssessment ok = TriageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(valid());
            assertEquals(valid().getEncounterId(), ok.getEncounterId());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** grpc-java's own decoder of grpc-message: an independent check of the encoding. */
    private static String decoded(String raw) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("grpc-message", Metadata.ASCII_STRING_MARSHALLER), raw);
        return m.get(InternalStatus.MESSAGE_KEY);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
