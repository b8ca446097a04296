package health.vclinic.api.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.Objects;

/**
 * How long the server waits for a client, so that slow or silent connections ("slowloris") cannot hold
 * workers and sockets for ever. Each default is documented with its reason.
 *
 * @param idle a connection with no request in flight for this long is closed (Helidon's
 *     {@code idle-connection-timeout}, checked every quarter of it, at most every 30 s). Default 5 minutes,
 *     Helidon's own: HTTP/2 counts only new streams as activity, so a shorter value could end a long
 *     {@code Monitor} stream that is still sending readings
 * @param headers an HTTP/1.1 request's header block must be complete this long after its request line.
 *     Default 10 s: headers are one packet from any real client; Helidon itself never times them out
 * @param body a request body on the JSON routes (triage, FHIR, CDS Hooks) must be complete this long after
 *     the handler starts reading it ({@link RequestBodies}). Default 30 s: 1 MiB at 256 kbit/s
 */
public record HttpTimeouts(Duration idle, Duration headers, Duration body) {

    /** The service's defaults: 5 min idle, 10 s for headers, 30 s for a body. */
    public static final HttpTimeouts DEFAULTS = new HttpTimeouts(Duration.ofMinutes(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30));

    public HttpTimeouts {
        for (Duration d : new Duration[] {Objects.requireNonNull(idle, "idle"),
                Objects.requireNonNull(headers, "headers"), Objects.requireNonNull(body, "body")}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }
    }

    /**
     * Applies the idle timeout and the header deadline to a server being built; a client that goes away
     * mid-request (as these timeouts make it) is not logged as a server fault ({@link ClientDisconnects}).
     */
    public void configure(WebServerConfig.Builder server) {
        ClientDisconnects.quietHelidonLogs();
        Duration period = idle.dividedBy(4);
        server.idleConnectionTimeout(idle)
                .idleConnectionPeriod(period.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : period)
                .addProtocol(Http1Config.builder().addReceiveListener(new HeaderDeadline(headers)).build());
    }

    /**
     * Starts a {@link ReadDeadline} when a request line has been read and ends it when the headers are in:
     * both callbacks run on the connection's own thread, which is the one blocked reading the headers.
     */
    private static final class HeaderDeadline implements Http1ConnectionListener {
        private static final ThreadLocal<ReadDeadline> PENDING = new ThreadLocal<>();
        private final Duration deadline;

        HeaderDeadline(Duration deadline) {
            this.deadline = deadline;
        }

        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            // A request refused between its request line and its headers never reached headers(): end its deadline.
            headers(ctx, null);
            PENDING.set(ReadDeadline.start(deadline));
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            ReadDeadline pending = PENDING.get();
            PENDING.remove();
            if (pending != null) {
                pending.finish();
            }
        }
    }
}
