package health.vclinic.api.security;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The server's security, as the composition root hands it over: the access tokens it verifies (and
 * issues), the {@link Policy} of who may call what, and who is told of refused calls. There is no server
 * without it: every route that is not open needs a verified caller. With {@link BrowserSessions}, a
 * clinician's session cookie stands in for a bearer token on HTTP.
 *
 * @param publicUrl the service's external base URL ({@code --public-url}): the audience of SMART client
 *     assertions and the base of the discovery document; empty, only loopback URLs ({@link TokenEndpoint})
 */
public record Security(AccessTokens tokens, Policy policy, Denials denials, RequestQuota quota,
                       Optional<URI> publicUrl, BrowserSessions sessions) {

    public Security {
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(denials, "denials");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(sessions, "sessions");
        publicUrl.ifPresent(Security::checkPublicUrl);
    }

    /** With the default per-clinic request quota, no configured public URL and bearer tokens only. */
    public Security(AccessTokens tokens, Policy policy, Denials denials) {
        this(tokens, policy, denials, RequestQuota.perSecond(RequestQuota.DEFAULT_RATE), Optional.empty(),
                BrowserSessions.NONE);
    }

    /** The same, with browser sessions (clinicians' login) as a second way in on HTTP. */
    public Security withSessions(BrowserSessions sessions) {
        return new Security(tokens, policy, denials, quota, publicUrl, sessions);
    }

    /** The standard policy over these tokens, denials not yet audited. */
    public static Security standard(AccessTokens tokens) {
        return new Security(tokens, Policy.standard(), Denials.NONE);
    }

    /** The same, telling {@code denials} of every refused call (the audit trail). */
    public Security auditingDenials(Denials denials) {
        return new Security(tokens, policy, denials, quota, publicUrl, sessions);
    }

    /** The same with another per-clinic request quota. */
    public Security withQuota(RequestQuota quota) {
        return new Security(tokens, policy, denials, quota, publicUrl, sessions);
    }

    /** The same, served at {@code publicUrl} (an absolute http or https URL without query or fragment). */
    public Security servedAt(URI publicUrl) {
        return new Security(tokens, policy, denials, quota, Optional.of(publicUrl), sessions);
    }

    private static void checkPublicUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null || url.getQuery() != null
                || url.getFragment() != null || url.getUserInfo() != null) {
            throw new IllegalArgumentException("--public-url must be an absolute http(s) URL without user, query or"
                    + " fragment, e.g. https://vclinic.example.org");
        }
    }

    public GrpcGate grpcGate() {
        return new GrpcGate(tokens, policy, denials, quota);
    }

    public HttpGate httpGate() {
        return new HttpGate(tokens, policy, denials, quota, sessions);
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

    /**
     * SMART Backend Services ({@link TokenEndpoint}): {@code POST /oauth2/token} and
     * {@code /.well-known/smart-configuration}, over the clinics and clients in {@code identity} (the
     * record's database).
     */
    public void smartRoutes(HttpRouting.Builder routing, DataSource identity) {
        new TokenEndpoint(tokens, new ClinicRegistry(identity), publicUrl, denials, Clock.systemUTC()).routes(routing);
    }
}
