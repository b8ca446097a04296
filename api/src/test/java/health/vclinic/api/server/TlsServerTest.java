package health.vclinic.api.server;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.http.RawHttp;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service over TLS on its one port, a real server with a certificate from a throwaway CA: grpc-java
 * (Netty) and the JDK's HTTP client are served, plain text is not, and neither is TLS 1.1 nor a suite
 * outside {@link TlsSettings#CIPHER_SUITES}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsServerTest {

    @TempDir
    static Path dir;

    private static TestPki.Issued ca;
    private static VclinicServer server;

    @BeforeAll
    static void start() {
        TestPki pki = new TestPki(dir);
        ca = pki.ca("test-ca");
        TestPki.Issued cert = pki.server(ca, "server");
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(), Optional.empty(),
                "127.0.0.1", 0, HttpTimeouts.DEFAULTS,
                Optional.of(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty())));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static ManagedChannel channel(String host, int port, ChannelCredentials credentials) {
        return Grpc.newChannelBuilderForAddress(host, port, credentials).build();
    }

    static void shutdown(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"localhost", "127.0.0.1"})
    void grpcJavaOverTlsIsServedHealthAndTriage(String host) throws IOException, InterruptedException {
        ManagedChannel channel = channel(host, server.port(),
                TlsChannelCredentials.newBuilder().trustManager(ca.certificateFile().toFile()).build());
        try {
            HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.newBuilder().setService("vclinic.triage.v1.TriageService").build());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());

            TriageAssessment a = TriageServiceGrpc.newBlockingStub(channel).withInterceptors(TestSecurity.backend()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(TestSupport.example("demo-002"));
            assertEquals("demo-002", a.getEncounterId());
            assertEquals(5, a.getLevel());
        } finally {
            shutdown(channel);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() throws InterruptedException {
        // No trust manager: the JDK's default CAs, which never signed the test certificate.
        ManagedChannel channel = channel("localhost", server.port(), TlsChannelCredentials.create());
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> HealthGrpc
                    .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        } finally {
            shutdown(channel);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP_1_1", "HTTP_2"})
    void httpOverTlsAnswersLivenessWithTheVersionAlpnChose(HttpClient.Version version) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(TestPki.clientContext(ca, Optional.empty()))
                .version(version).connectTimeout(Duration.ofSeconds(10)).build();

        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                + "/health/live")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, res.statusCode());
        assertEquals("{\"status\":\"UP\"}", res.body());
        assertEquals(version, res.version(), "ALPN picks what the client asked for");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "http/1.1"})
    void alpnOffersH2AndHttp11(String protocol) throws IOException {
        try (SSLSocket socket = socket(TestPki.clientContext(ca, Optional.empty()), new String[] {protocol})) {
            socket.startHandshake();
            assertEquals(protocol, socket.getApplicationProtocol());
        }
    }

    @Test
    void aModernClientGetsTls13AndATls12ClientAnAeadSuiteWithEcdhe() throws IOException {
        SSLContext context = TestPki.clientContext(ca, Optional.empty());
        try (SSLSocket socket = socket(context, new String[] {"h2"})) {
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
        try (SSLSocket socket = socket(context, new String[] {"h2"})) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            String suite = socket.getSession().getCipherSuite();
            assertTrue(TlsSettings.CIPHER_SUITES.contains(suite), suite);
            assertTrue(suite.startsWith("TLS_ECDHE_"), suite);
        }
    }

    @Test
    void plainTextHttpGetsNoAnswer() throws IOException {
        String got = RawHttp.sendAndWaitForClose(server.port(), ("GET /health/live HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(10));

        assertFalse(got.contains("HTTP/1.1"), "a plain-text request got an HTTP answer: " + got);
        assertFalse(got.contains("UP"), got);
    }

    @Test
    void aPlainTextGrpcChannelIsRefused() throws InterruptedException {
        ManagedChannel channel = channel("127.0.0.1", server.port(), InsecureChannelCredentials.create());
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> TriageServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(TestSupport.example("demo-002")));
            // The server answers the HTTP/2 preface with a TLS alert and closes: grpc-java reads the alert as a
            // frame that is not SETTINGS (INTERNAL) or, when the close resets the connection first, UNAVAILABLE.
            assertTrue(Set.of(Status.Code.INTERNAL, Status.Code.UNAVAILABLE).contains(e.getStatus().getCode()),
                    e.getStatus().toString());
        } finally {
            shutdown(channel);
        }
    }

    @Test
    void anAeadSuiteWithEcdheOnTls12IsAcceptedByTheHandWrittenHello() throws IOException {
        // The control for the refusals below: the same hello with a suite the server offers gets a ServerHello.
        ClientHello.Answer answer = ClientHello.offer("127.0.0.1", server.port(), ClientHello.TLS_1_2,
                ClientHello.ECDHE_ECDSA_AES_128_GCM_SHA256);

        assertEquals(new ClientHello.ServerHello(ClientHello.TLS_1_2, ClientHello.ECDHE_ECDSA_AES_128_GCM_SHA256),
                answer);
    }

    @Test
    void aCbcSuiteOfferedAloneIsRefused() throws IOException {
        // The JDK enables these CBC suites by default: only the service's own list refuses them.
        for (int suite : new int[] {ClientHello.ECDHE_ECDSA_AES_128_CBC_SHA256, ClientHello.ECDHE_ECDSA_AES_128_CBC_SHA}) {
            ClientHello.Answer answer = ClientHello.offer("127.0.0.1", server.port(), ClientHello.TLS_1_2, suite);

            assertRefused(answer);
        }
    }

    @Test
    void tls11IsRefused() throws IOException {
        ClientHello.Answer answer = ClientHello.offer("127.0.0.1", server.port(), ClientHello.TLS_1_1,
                ClientHello.ECDHE_ECDSA_AES_128_CBC_SHA);

        assertRefused(answer);
    }

    /** A fatal alert (RFC 5246 7.2: level 2) or the connection closed; anything but a ServerHello. */
    private static void assertRefused(ClientHello.Answer answer) {
        assertFalse(answer instanceof ClientHello.ServerHello, "the server accepted: " + answer);
        if (answer instanceof ClientHello.Alert alert) {
            assertEquals(2, alert.level(), "a fatal alert: " + alert);
        } else {
            assertInstanceOf(ClientHello.Closed.class, answer);
        }
    }

    private static SSLSocket socket(SSLContext context, String[] alpn) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", server.port());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        socket.setSSLParameters(parameters);
        return socket;
    }
}
