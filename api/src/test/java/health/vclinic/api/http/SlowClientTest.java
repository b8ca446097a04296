package health.vclinic.api.http;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.fhir.FhirRouting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow and vanishing clients against a real server with short timeouts: a half-sent request line, half
 * the headers or half a body is closed after its timeout instead of holding a worker for ever; a body cut
 * off by the client is a client error in {@code /metrics} (499), never a 500 with a stack trace in the log.
 * Each assertion waits for the server's close with a limit far above the configured timeout, so only a
 * server that never closes fails it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientTest {

    private static final Duration IDLE = Duration.ofSeconds(2);
    private static final Duration HEADERS = Duration.ofMillis(500);
    private static final Duration BODY = Duration.ofMillis(500);
    /** How long a test waits for the server to close: well past every timeout above and its check period. */
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ASSESS = "/v1/triage:assess";

    private static VclinicServer server;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(), Optional.empty(),
                "127.0.0.1", 0,
                new HttpTimeouts(IDLE, HEADERS, BODY));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void halfARequestLineIsClosedWhenTheConnectionHasBeenIdle() throws Exception {
        assertEquals("", RawHttp.sendAndWaitForClose(server.port(), ascii("GET /health/li"), WAIT));
    }

    @Test
    void halfTheHeadersAreClosedAfterTheHeaderDeadline() throws Exception {
        try (RawHttp.Faults faults = new RawHttp.Faults()) {
            assertEquals("", RawHttp.sendAndWaitForClose(server.port(),
                    ascii("GET /health/live HTTP/1.1\r\nHost: vclinic\r\nAuthorization: " + TestSecurity.backendHeader() + "\r\nAccept: appl"), WAIT));
            assertEquals(List.of(), faults.logged());
        }
    }

    @Test
    void aClientThatClosesMidHeadersIsNotLoggedAsAServerFault() throws Exception {
        try (RawHttp.Faults faults = new RawHttp.Faults()) {
            RawHttp.sendAndClose(server.port(), "GET /health/live HTTP/1.1\r\nHost: vclinic\r\nAuthorization: " + TestSecurity.backendHeader() + "\r\nAcc");
            // The server's next answer comes after it has dealt with the closed connection's thread.
            assertTrue(RawHttp.sendAndWaitForClose(server.port(), ascii("GET /health/live HTTP/1.1\r\nHost: v\r\n"
                    + "Connection: close\r\n\r\n"), WAIT).startsWith("HTTP/1.1 200"));
            assertEquals(List.of(), faults.logged());
        }
    }

    @Test
    void halfABodyIsClosedAfterTheBodyDeadlineAndCountedAs408() throws Exception {
        for (String route : List.of(ASSESS, FhirRouting.TRIAGE, FhirRouting.CDS_TRIAGE)) {
            String type = route.equals(FhirRouting.TRIAGE) ? "application/fhir+json" : "application/json";
            String series = RawHttp.series("POST " + route, RequestBodies.TIMED_OUT);
            long before = RawHttp.counter(server.port(), series);
            try (RawHttp.Faults faults = new RawHttp.Faults()) {
                assertEquals("", RawHttp.sendAndWaitForClose(server.port(), ascii("POST " + route
                        + " HTTP/1.1\r\nHost: vclinic\r\nAuthorization: " + TestSecurity.backendHeader() + "\r\nContent-Type: " + type + "\r\nContent-Length: 100\r\n\r\n{\"a\":"),
                        WAIT), route);
                assertEquals(before + 1, RawHttp.awaitCounter(server.port(), series, before + 1), route);
                assertEquals(List.of(), faults.logged(), route);
            }
        }
    }

    @Test
    void aBodyCutOffByTheClientIsA499WithoutAStackTrace() throws Exception {
        for (String route : List.of(ASSESS, FhirRouting.TRIAGE, FhirRouting.CDS_TRIAGE)) {
            String type = route.equals(FhirRouting.TRIAGE) ? "application/fhir+json" : "application/json";
            String aborted = RawHttp.series("POST " + route, RequestBodies.CLIENT_CLOSED);
            String internal = RawHttp.series("POST " + route, 500);
            long before = RawHttp.counter(server.port(), aborted);
            try (RawHttp.Faults faults = new RawHttp.Faults()) {
                RawHttp.sendAndClose(server.port(), "POST " + route + " HTTP/1.1\r\nHost: vclinic\r\nAuthorization: " + TestSecurity.backendHeader() + "\r\nContent-Type: "
                        + type + "\r\nContent-Length: 1000\r\n\r\n{\"vitals\":{\"heart_rate\":");
                assertEquals(before + 1, RawHttp.awaitCounter(server.port(), aborted, before + 1), route);
                assertEquals(0, RawHttp.counter(server.port(), internal), route);
                assertEquals(List.of(), faults.logged(), route);
            }
        }
    }

    @Test
    void aCompleteRequestIsStillServedAfterTheSlowOnes() throws Exception {
        String answer = RawHttp.sendAndWaitForClose(server.port(),
                ascii("GET /health/live HTTP/1.1\r\nHost: vclinic\r\nAuthorization: " + TestSecurity.backendHeader() + "\r\nConnection: close\r\n\r\n"), WAIT);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
}
