package health.vclinic.api.security;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;

/**
 * The browser's way through the HTTP gate: a session cookie in place of a bearer token (clinicians log in
 * with a password and a TOTP code, {@code security.login}), and the cross-site request forgery check that
 * every state-changing request authenticated by that cookie must pass (OWASP CSRF Prevention Cheat Sheet:
 * a synchronizer token bound to the session, and {@code Origin} / {@code Sec-Fetch-Site} when sent).
 *
 * <p>The gate asks only when a request carries no {@code Authorization} header: a bearer token always wins.
 */
public interface BrowserSessions {

    /** No browser sessions: every protected route needs a bearer token. */
    BrowserSessions NONE = new BrowserSessions() {
        @Override
        public Optional<Caller> caller(RoutingRequest req) {
            return Optional.empty();
        }

        @Override
        public Optional<String> forgery(RoutingRequest req, RoutingResponse res) {
            return Optional.of("this server has no browser sessions");
        }

        @Override
        public void routes(HttpRouting.Builder routing) {
        }
    };

    /**
     * The caller whose live session the request's cookie names, or empty when it carries no session cookie.
     *
     * @throws AuthenticationException when the cookie names no live session (unknown, logged out, idle too
     *     long or too old)
     */
    Optional<Caller> caller(RoutingRequest req);

    /**
     * Why a state-changing request that {@link #caller} authenticated may be a cross-site forgery (no or a
     * wrong CSRF token, a foreign {@code Origin}, {@code Sec-Fetch-Site: cross-site}), or empty when it is not.
     * May read a form body for its token field ({@code res} takes the status when the body does not arrive).
     */
    Optional<String> forgery(RoutingRequest req, RoutingResponse res);

    /** The routes of logging in and out. */
    void routes(HttpRouting.Builder routing);
}
