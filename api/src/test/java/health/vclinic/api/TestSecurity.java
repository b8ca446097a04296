package health.vclinic.api;

import health.vclinic.api.security.AccessTokens;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.Caller;
import health.vclinic.api.security.IssuerKey;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.Security;
import health.vclinic.api.server.ClinicId;
import java.time.Duration;
import java.util.List;

/**
 * The security of test servers: the standard policy over one in-memory issuer key, and real tokens from it,
 * so every test exercises the served gate (there is no server without one).
 */
public final class TestSecurity {

    /** The security every test server runs with. */
    public static final Security SECURITY = Security.standard(new AccessTokens(IssuerKey.generate()));

    private TestSecurity() {
    }

    /** A token of {@code clinic} with {@code role}. */
    public static String token(ClinicId clinic, Role role) {
        return SECURITY.tokens().issue(clinic, role, "test-" + role.wireName(), Duration.ofHours(1), List.of());
    }

    /** A backend token of the default clinic, as a gRPC client interceptor. */
    public static BearerToken backend() {
        return new BearerToken(token(ClinicId.DEFAULT, Role.BACKEND));
    }

    /** A token of the default clinic with {@code role}, as a gRPC client interceptor. */
    public static BearerToken as(Role role) {
        return new BearerToken(token(ClinicId.DEFAULT, role));
    }

    /** The {@code authorization} header value of a backend of the default clinic. */
    public static String backendHeader() {
        return backend().header();
    }

    /** The {@code authorization} header value of the default clinic with {@code role}. */
    public static String header(Role role) {
        return as(role).header();
    }

    /** A caller for in-process calls of an endpoint. */
    public static Caller caller(ClinicId clinic, Role role) {
        return new Caller(clinic, role, "test-" + role.wireName(), "test");
    }
}
