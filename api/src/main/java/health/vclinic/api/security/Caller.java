package health.vclinic.api.security;

import health.vclinic.api.server.ClinicId;
import io.grpc.Context;
import io.helidon.webserver.http.ServerRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, as the verified access token says: the clinic (the tenant boundary: every read and
 * write is confined to it, and it comes from the token, never from the request), the role and the
 * subject (a client id or a user login; not patient data).
 *
 * <p>The authentication gate puts the caller of each call in its context: {@link #KEY} for gRPC (read with
 * {@link #current()}), the request context for HTTP (read with {@link #of(ServerRequest)}). A service that
 * finds no caller was reached around the gate, a bug: it fails rather than answer for nobody.
 *
 * @param tokenId the access token's {@code jti}, for the audit trail
 * @param scopes  the SMART scopes a client's token was granted ({@link SmartScopes}): each route admits a
 *                scoped token only when it holds one of the route's scopes ({@link Policy}); empty for a
 *                token with its role's full rights (an operator's {@code admin token}, a clinician's session)
 */
public record Caller(ClinicId clinic, Role role, String subject, String tokenId, Optional<Set<String>> scopes) {

    /** A caller with its role's full rights (no SMART scopes). */
    public Caller(ClinicId clinic, Role role, String subject, String tokenId) {
        this(clinic, role, subject, tokenId, Optional.empty());
    }

    /** The gRPC context key under which the gate stores the caller. */
    public static final Context.Key<Caller> KEY = Context.key("vclinic-caller");

    public Caller {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(tokenId, "tokenId");
        scopes = Objects.requireNonNull(scopes, "scopes").map(Set::copyOf);
        if (subject.isBlank() || subject.length() > 256) {
            throw new IllegalArgumentException("subject must be 1 to 256 characters");
        }
    }

    /** The caller of the current gRPC call. */
    public static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this gRPC context: the call bypassed the gate");
        }
        return caller;
    }

    /** The caller of this HTTP request. */
    public static Caller of(ServerRequest request) {
        return request.context().get(Caller.class, Caller.class).orElseThrow(() -> new IllegalStateException(
                "no authenticated caller on this HTTP request: the route bypassed the gate"));
    }
}
