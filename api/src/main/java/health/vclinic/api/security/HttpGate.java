package health.vclinic.api.security;

import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.HttpErrors;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;

/**
 * Authentication and authorisation of every HTTP request before its route runs (and before its body is
 * read): open routes pass; others need a verified bearer token whose role the {@link Policy} admits. The
 * {@link Caller} goes into the request context ({@link Caller#of}). Refused: 401 with
 * {@code WWW-Authenticate: Bearer ...} (RFC 6750), or 403.
 */
public final class HttpGate implements Filter {

    private final AccessTokens tokens;
    private final Policy policy;
    private final Denials denials;
    private final RequestQuota quota;

    public HttpGate(AccessTokens tokens, Policy policy, Denials denials, RequestQuota quota) {
        this.tokens = tokens;
        this.policy = policy;
        this.denials = denials;
        this.quota = quota;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        Policy.Access access = policy.http(method, path);
        if (access instanceof Policy.Access.Open) {
            chain.proceed();
            return;
        }
        // The target as audited: the rule, not the path (paths carry patient references).
        String target = method + " " + policy.httpRules().stream().filter(r -> r.matches(method, path)).findFirst()
                .map(Policy.HttpRule::pattern).orElse("(no route)");
        Caller caller;
        try {
            caller = tokens.verify(Bearer.token(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null)));
        } catch (AuthenticationException e) {
            denials.denied(Optional.empty(), target, Denials.Outcome.UNAUTHENTICATED);
            HttpErrors.send(res, ApiError.of(Kind.UNAUTHENTICATED, e.getMessage()));
            return;
        }
        if (!((Policy.Access.Roles) access).admits(caller.role())) {
            denials.denied(Optional.of(caller), target, Denials.Outcome.FORBIDDEN);
            HttpErrors.send(res, ApiError.of(Kind.PERMISSION_DENIED, target.endsWith("(no route)")
                    ? "no route " + method + " " + "here is open to any role (deny by default); see the README's roles table"
                    : "role " + caller.role().wireName() + " may not call " + target));
            return;
        }
        if (!quota.admit(caller.clinic())) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            HttpErrors.send(res, ApiError.of(Kind.QUOTA_EXCEEDED, quota.refusal()));
            return;
        }
        req.context().register(Caller.class, caller);
        RequestId id = RequestId.from(req.headers().first(io.helidon.http.HeaderNames.create(RequestId.HEADER)));
        req.context().register(RequestId.class, id);
        res.header(RequestId.HEADER, id.value());
        chain.proceed();
    }
}
