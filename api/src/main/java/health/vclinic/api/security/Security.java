package health.vclinic.api.security;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import java.util.Objects;

/**
 * The server's security, as the composition root hands it over: the access tokens it verifies (and
 * issues), the {@link Policy} of who may call what, and who is told of refused calls. There is no server
 * without it: every route that is not open needs a verified caller. With {@link BrowserSessions}, a
 * clinician's session cookie stands in for a bearer token on HTTP.
 */
public record Security(AccessTokens tokens, Policy policy, Denials denials, BrowserSessions sessions) {

    public Security {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(denials, "denials");
        Objects.requireNonNull(sessions, "sessions");
    }

    /** Without browser sessions: bearer tokens only. */
    public Security(AccessTokens tokens, Policy policy, Denials denials) {
        this(tokens, policy, denials, BrowserSessions.NONE);
    }

    /** The same, with browser sessions (clinicians' login) as a second way in on HTTP. */
    public Security withSessions(BrowserSessions sessions) {
        return new Security(tokens, policy, denials, sessions);
    }

    /** The standard policy over these tokens, denials not yet audited. */
    public static Security standard(AccessTokens tokens) {
        return new Security(tokens, Policy.standard(), Denials.NONE);
    }

    /** The same, telling {@code denials} of every refused call (the audit trail). */
    public Security auditingDenials(Denials denials) {
        return new Security(tokens, policy, denials, sessions);
    }

    public GrpcGate grpcGate() {
        return new GrpcGate(tokens, policy, denials);
    }

    public HttpGate httpGate() {
        return new HttpGate(tokens, policy, denials, sessions);
    }

    /** The gate, the open routes that publish the issuer's public key, and logging in and out. */
    public void routes(HttpRouting.Builder routing) {
        routing.addFilter(httpGate());
        routing.get("/.well-known/jwks.json", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "application/jwk-set+json");
            res.send(tokens.key().publicJwks());
        });
        sessions.routes(routing);
    }
}
