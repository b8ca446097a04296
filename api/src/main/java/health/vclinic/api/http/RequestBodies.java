package health.vclinic.api.http;

import io.helidon.http.HttpMediaType;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading a request body on the HTTP routes that take JSON (triage, FHIR, CDS Hooks): the media type
 * first, then at most a bounded number of bytes within a deadline.
 *
 * <p>A client that stops sending (a slow body, "slowloris" on the body) would otherwise hold a worker and
 * a connection for as long as it likes: when the deadline passes, the reading thread is interrupted, which
 * closes the connection (a blocking socket read on a virtual thread is interruptible, JEP 444). A client
 * that closes its connection before the body is complete has made the mistake, not the server: both
 * end the connection without a stack trace in the log and are counted in {@code /metrics} under a 4xx
 * status, {@value #TIMED_OUT} (Request Timeout, RFC 9110 §15.5.9) or {@value #CLIENT_CLOSED} (the
 * "client closed request" code of nginx; there is no client left to read an answer).
 */
public final class RequestBodies {

    /** Status recorded when the body did not arrive within its deadline. */
    public static final int TIMED_OUT = 408;
    /** Status recorded when the client closed the connection before the body was complete. */
    public static final int CLIENT_CLOSED = 499;

    private RequestBodies() {
    }

    /**
     * Why the request's media type is not one of {@code accepted} (type/subtype, lower case), or empty when
     * it is. A {@code charset} parameter other than UTF-8 is refused too: JSON is UTF-8 (RFC 8259 §8.1).
     */
    public static Optional<String> unsupportedMediaType(ServerRequest req, Set<String> accepted) {
        Optional<HttpMediaType> type;
        try {
            type = req.headers().contentType();
        } catch (RuntimeException malformed) {
            type = Optional.empty();
        }
        String allowed = "Content-Type must be " + String.join(" or ", new TreeSet<>(accepted));
        if (type.isEmpty()) {
            return Optional.of(allowed + "; the request has none");
        }
        String media = (type.get().mediaType().type() + "/" + type.get().mediaType().subtype()).toLowerCase(Locale.ROOT);
        if (!accepted.contains(media)) {
            return Optional.of(allowed + "; not " + media);
        }
        Optional<String> charset = type.get().charset();
        if (charset.isPresent() && !charset.get().equalsIgnoreCase("utf-8")) {
            return Optional.of("Content-Type charset must be utf-8 (RFC 8259 §8.1) or absent");
        }
        return Optional.empty();
    }

    /**
     * The body's bytes ({@code byte[0]} when there is none), or empty when it is longer than
     * {@code maxBytes}; never reads more than one byte past the limit.
     *
     * @throws CloseConnectionException when the client closed the connection mid-body or the body did not
     *     arrive within {@code deadline}; the response's status is set to {@link #CLIENT_CLOSED} or
     *     {@link #TIMED_OUT} for the metrics, and Helidon closes the connection without logging a fault
     */
    public static Optional<byte[]> read(ServerRequest req, ServerResponse res, long maxBytes, Duration deadline) {
        if (!req.content().hasEntity()) {
            return Optional.of(new byte[0]);
        }
        ReadDeadline timer = ReadDeadline.start(deadline);
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException | RuntimeException e) {
            if (timer.finish()) {
                throw aborted(res, TIMED_OUT, "request body not received within " + deadline.toSeconds() + " s", e);
            }
            if (isTooLarge(e)) {
                // Helidon's own limit for a chunked body: its 413 is the right answer; let it give it.
                throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            }
            throw aborted(res, CLIENT_CLOSED, "client closed the connection before the body was complete", e);
        }
        if (timer.finish()) {
            throw aborted(res, TIMED_OUT, "request body not received within " + deadline.toSeconds() + " s", null);
        }
        return bytes.length > maxBytes ? Optional.empty() : Optional.of(bytes);
    }

    private static boolean isTooLarge(Throwable e) {
        return e instanceof io.helidon.http.RequestException r && r.status().code() == 413;
    }

    private static CloseConnectionException aborted(ServerResponse res, int status, String why, Throwable cause) {
        res.status(Status.create(status));
        return cause == null ? new CloseConnectionException(why) : new CloseConnectionException(why, cause);
    }
}
