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
import java.util.Set;

/**
 * Authentication and authorisation of every HTTP request before its route runs (and before its body is
 * read): open routes pass; others need a verified bearer token whose role the {@link Policy} admits. The
 * {@link Caller} goes into the request context ({@link Caller#of}). Refused: 401 with
 * {@code WWW-Authenticate: Bearer ...} (RFC 6750), or 403.
 *
 * <p>A token limited to SMART scopes must hold one of the route's ({@link Policy}): else 403 with
 * {@code WWW-Authenticate: Bearer error="insufficient_scope"} (RFC 6750 §3.1). A role the route admits only in
 * an emergency passes with a {@link BreakGlass} reason, registered in the request context for the audit.
 *
 * <p>Without an {@code Authorization} header, a browser's session cookie ({@link BrowserSessions}) may
 * establish the caller instead; a state-changing request so authenticated must also pass the CSRF check (403).
 * A browser opening a page of the web app ({@code GET /app/...}) without a live session is sent to the login
 * page (303) instead of a 401.
 */
public final class HttpGate implements Filter {

    private final AccessTokens tokens;
    private final Policy policy;
    private final Denials denials;
    private final RequestQuota quota;
    private final BrowserSessions sessions;
    /** Methods that change nothing (RFC 9110 §9.2.1): no CSRF token needed. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final String LOGIN_PAGE = "/app/login";

    public HttpGate(AccessTokens tokens, Policy policy, Denials denials, RequestQuota quota, BrowserSessions sessions) {
        this.tokens = tokens;
        this.policy = policy;
        this.denials = denials;
        this.quota = quota;
        this.sessions = sessions;
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
        Optional<String> authorization = req.headers().first(HeaderNames.AUTHORIZATION);
        Optional<Caller> bySession;
        Caller caller;
        try {
            bySession = authorization.isEmpty() ? sessions.caller(req) : Optional.empty();
            caller = bySession.isPresent() ? bySession.get() : tokens.verify(Bearer.token(authorization.orElse(null)));
        } catch (AuthenticationException e) {
            denials.denied(Optional.empty(), target, Denials.Outcome.UNAUTHENTICATED);
            if (appNavigation(method, path, req)) {
                // A person opening a page of the web app without a live session is shown the login page.
                res.status(io.helidon.http.Status.SEE_OTHER_303);
                res.header(HeaderNames.LOCATION, LOGIN_PAGE);
                res.header(HeaderNames.CACHE_CONTROL, "no-store");
                res.send();
                return;
            }
            HttpErrors.send(res, ApiError.of(Kind.UNAUTHENTICATED, e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // The session store failed (its database is down): an error of ours, answered, not thrown past the gate.
            HttpErrors.send(res, e);
            return;
        }
        Policy.Access.Roles roles = (Policy.Access.Roles) access;
        Optional<BreakGlass> breakGlass = Optional.empty();
        if (!roles.admits(caller.role())) {
            Optional<String> reason = req.headers().first(HeaderNames.create(BreakGlass.HEADER));
            if (!roles.admitsBreakingGlass(caller.role()) || reason.isEmpty()) {
                denials.denied(Optional.of(caller), target, Denials.Outcome.FORBIDDEN);
                HttpErrors.send(res, ApiError.of(Kind.PERMISSION_DENIED, target.endsWith("(no route)")
                        ? "no route " + method + " " + "here is open to any role (deny by default); see the README's roles table"
                        : "role " + caller.role().wireName() + " may not call " + target
                        + (roles.admitsBreakingGlass(caller.role()) ? " but in an emergency: send the reason in "
                        + BreakGlass.HEADER + " (the access is audited as emergency access)" : "")));
                return;
            }
            try {
                breakGlass = Optional.of(BreakGlass.fromHeader(reason.get()));
            } catch (RuntimeException e) {
                denials.denied(Optional.of(caller), target, Denials.Outcome.FORBIDDEN);
                HttpErrors.send(res, e);
                return;
            }
        }
        if (!roles.covers(caller.scopes())) {
            denials.denied(Optional.of(caller), target, Denials.Outcome.FORBIDDEN);
            // RFC 6750 §3.1: the token is valid but its scopes do not reach this route.
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"vclinic\", error=\"insufficient_scope\", scope=\""
                    + String.join(" ", roles.scopes().stream().sorted().toList()) + "\"");
            HttpErrors.send(res, ApiError.of(Kind.PERMISSION_DENIED, insufficientScope(target, roles)));
            return;
        }
        if (bySession.isPresent() && !SAFE_METHODS.contains(method)) {
            Optional<String> forgery = sessions.forgery(req, res);
            if (forgery.isPresent()) {
                denials.denied(Optional.of(caller), target, Denials.Outcome.FORBIDDEN);
                HttpErrors.send(res, ApiError.of(Kind.PERMISSION_DENIED, forgery.get()));
                return;
            }
        }
        if (!quota.admit(caller.clinic())) {
            res.header(HeaderNames.RETRY_AFTER, "1");
            HttpErrors.send(res, ApiError.of(Kind.QUOTA_EXCEEDED, quota.refusal()));
            return;
        }
        req.context().register(Caller.class, caller);
        breakGlass.ifPresent(b -> req.context().register(BreakGlass.class, b));
        RequestId id = RequestId.from(req.headers().first(io.helidon.http.HeaderNames.create(RequestId.HEADER)));
        req.context().register(RequestId.class, id);
        res.header(RequestId.HEADER, id.value());
        chain.proceed();
    }

    /** What a token whose scopes do not reach {@code target} is told (the scopes that would, never the token's). */
    static String insufficientScope(String target, Policy.Access.Roles roles) {
        return roles.scopes().isEmpty()
                ? "a token limited to SMART scopes may not call " + target + "; it needs a token of the role itself"
                : "the access token's scopes do not reach " + target + "; it needs one of "
                + roles.scopes().stream().sorted().toList() + " (ask POST /oauth2/token for it)";
    }

    /**
     * Whether the request is a browser opening a page of the web app (Fetch Metadata {@code Sec-Fetch-Mode:
     * navigate}, or, from a browser that does not send it, a GET that accepts HTML): then the answer to a
     * missing or ended session is the login page, not a 401 for programs (a script's fetch still gets 401).
     */
    private static boolean appNavigation(String method, String path, RoutingRequest req) {
        if (!method.equals("GET") || !path.startsWith("/app/")) {
            return false;
        }
        Optional<String> mode = req.headers().first(HeaderNames.create("Sec-Fetch-Mode"));
        return mode.map("navigate"::equals)
                .orElseGet(() -> req.headers().first(HeaderNames.ACCEPT).orElse("").contains("text/html"));
    }
}
