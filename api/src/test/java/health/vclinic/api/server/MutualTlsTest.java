package health.vclinic.api.server;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS ({@code --tls-client-ca}): a clinic backend with a certificate from the client CA is served;
 * one without a certificate, or with one from another CA, is refused in the handshake, before any request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MutualTlsTest {

    @TempDir
    static Path dir;

    private static TestPki.Issued serverCa;
    private static TestPki.Issued clinic;
    private static TestPki.Issued stranger;
    private static VclinicServer server;

    @BeforeAll
    static void start() {
        TestPki pki = new TestPki(dir);
        serverCa = pki.ca("server-ca");
        TestPki.Issued clientCa = pki.ca("clinic-ca");
        TestPki.Issued otherCa = pki.ca("other-ca");
        clinic = pki.client(clientCa, "clinic-backend");
        stranger = pki.client(otherCa, "stranger");
        TestPki.Issued cert = pki.server(serverCa, "server");
        // The bundle holds an unrelated CA first: any CA in it may sign a client.
        Path bundle = pki.bundle("clients.pem", List.of(pki.ca("retired-ca").certificate(), clientCa.certificate()));
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(), Optional.empty(),
                "127.0.0.1", 0, HttpTimeouts.DEFAULTS,
                Optional.of(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.of(bundle))));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static TlsChannelCredentials.Builder trustingTheServer() throws IOException {
        return TlsChannelCredentials.newBuilder().trustManager(serverCa.certificateFile().toFile());
    }

    @Test
    void aClientWithACertificateFromTheClientCaIsServed() throws Exception {
        ManagedChannel channel = TlsServerTest.channel("localhost", server.port(), trustingTheServer()
                .keyManager(clinic.certificateFile().toFile(), clinic.keyFile().toFile()).build());
        try {
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            assertEquals(5, TriageServiceGrpc.newBlockingStub(channel).withInterceptors(TestSecurity.backend()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(TestSupport.example("demo-002")).getLevel());
        } finally {
            TlsServerTest.shutdown(channel);
        }
        HttpClient http = HttpClient.newBuilder().sslContext(TestPki.clientContext(serverCa, Optional.of(clinic)))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                + "/health/live")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
    }

    @Test
    void grpcWithoutAClientCertificateIsRefused() throws Exception {
        assertGrpcRefused(trustingTheServer().build());
    }

    @Test
    void grpcWithACertificateFromAnotherCaIsRefused() throws Exception {
        assertGrpcRefused(trustingTheServer()
                .keyManager(stranger.certificateFile().toFile(), stranger.keyFile().toFile()).build());
    }

    @Test
    void theHandshakeItselfFailsWithoutAClientCertificateOrWithAStrangersOne() {
        // TLS 1.2, where the server's verdict on the client's certificate is part of the handshake the client
        // waits for (in 1.3 the client finishes first and reads the alert afterwards). The client sees the
        // server's alert (SSLHandshakeException) or, when the server's close resets the connection before the
        // alert is read, a SocketException; never a completed handshake, never a wait.
        for (SSLContext context : List.of(TestPki.clientContext(serverCa, Optional.empty()),
                TestPki.clientContext(serverCa, Optional.of(stranger)))) {
            IOException e = assertThrows(IOException.class, () -> {
                try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", server.port())) {
                    socket.setSoTimeout(10_000);
                    socket.setEnabledProtocols(new String[] {"TLSv1.2"});
                    socket.startHandshake();
                }
            });
            assertTrue(e instanceof SSLHandshakeException || e instanceof SocketException, e.toString());
        }
    }

    @Test
    void theHandshakeWithTheClinicsCertificateSucceedsOnBothVersions() throws IOException {
        for (String version : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket socket = (SSLSocket) TestPki.clientContext(serverCa, Optional.of(clinic)).getSocketFactory()
                    .createSocket("localhost", server.port())) {
                socket.setSoTimeout(10_000);
                socket.setEnabledProtocols(new String[] {version});
                socket.startHandshake();
                assertEquals(version, socket.getSession().getProtocol());
            }
        }
    }

    @Test
    void httpWithoutAClientCertificateGetsNoAnswer() {
        HttpClient http = HttpClient.newBuilder().sslContext(TestPki.clientContext(serverCa, Optional.empty()))
                .version(HttpClient.Version.HTTP_1_1).build();

        IOException e = assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create(
                "https://localhost:" + server.port() + "/health/live")).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        assertFalse(e instanceof java.net.http.HttpTimeoutException, "refused, not left waiting: " + e);
    }

    private static void assertGrpcRefused(io.grpc.ChannelCredentials credentials) throws InterruptedException {
        ManagedChannel channel = TlsServerTest.channel("localhost", server.port(), credentials);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> TriageServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .assess(TestSupport.example("demo-002")));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
        } finally {
            TlsServerTest.shutdown(channel);
        }
    }
}
