package health.vclinic.api.http;

import health.vclinic.api.TestSecurity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Test helpers for what an ordinary HTTP client will not do: send half a request, stop mid-body, close
 * early; and a log capture that says whether the server logged a stack trace.
 */
public final class RawHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RawHttp() {
    }

    /** An ordinary POST, with the Content-Type given or none at all. */
    public static HttpResponse<String> post(int port, String path, Optional<String> contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        contentType.ifPresent(t -> b.header("Content-Type", t));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code head} then {@code body}, then closes the connection at once (before any answer). */
    public static void sendAndClose(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /**
     * Sends the bytes and keeps the connection open, sending nothing more; returns what the server sent
     * before it closed the connection. Fails when the server neither answers nor closes within {@code limit}.
     */
    public static String sendAndWaitForClose(int port, byte[] request, Duration limit) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) limit.toMillis());
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                in.transferTo(got);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server held the connection open for " + limit + "; it sent: "
                        + got.toString(StandardCharsets.UTF_8), e);
            } catch (IOException reset) {
                // A reset is a close too.
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /** The value of one Prometheus counter series on {@code /metrics}, 0 when absent. */
    public static long counter(int port, String series) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Long.parseLong(line.substring(series.length() + 1).strip());
            }
        }
        return 0;
    }

    /** Polls a counter until it reaches {@code atLeast} (the HTTP filter records after the connection ends). */
    public static long awaitCounter(int port, String series, long atLeast) throws IOException, InterruptedException {
        long value = counter(port, series);
        for (int i = 0; i < 250 && value < atLeast; i++) {
            Thread.sleep(20);
            value = counter(port, series);
        }
        return value;
    }

    /** The request-count series of one HTTP route and status. */
    public static String series(String route, int status) {
        return "vclinic_requests_total{transport=\"http\",method=\"" + route + "\",status=\"" + status + "\"}";
    }

    /** Collects every log record with a stack trace, or at WARNING and above, while installed. */
    public static final class Faults extends Handler implements AutoCloseable {
        private final List<LogRecord> records = new ArrayList<>();
        private final Logger root = Logger.getLogger("");

        public Faults() {
            root.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (r.getThrown() != null || r.getLevel().intValue() >= Level.WARNING.intValue()) {
                records.add(r);
            }
        }

        /** What was logged, one line per record: logger, level, message and exception type. */
        public synchronized List<String> logged() {
            return records.stream().map(r -> r.getLoggerName() + " " + r.getLevel() + " " + r.getMessage()
                    + (r.getThrown() == null ? "" : " " + r.getThrown())).toList();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            root.removeHandler(this);
        }
    }
}
