package health.vclinic.api.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call what, deny by default: every gRPC method and HTTP route that is not listed here admits no
 * role at all (PERMISSION_DENIED / 403 to any authenticated caller, UNAUTHENTICATED / 401 without a
 * token). A few routes carry no patient data and are open: health, {@code /metrics}, discovery
 * ({@code /.well-known/*}, the FHIR CapabilityStatement, CDS Hooks discovery), the token endpoint and the
 * clinicians' login ({@code GET} and {@code POST /app/login}, and through their clinic's OpenID Connect
 * provider {@code GET /app/login/oidc} and its callback) with the web app's static files.
 *
 * <p>Least privilege: backends create assessments and read their clinic's record back; clinicians read and
 * review their clinic's record; data scientists only export de-identified reviews; admins administer
 * (patients' export and erasure, the audit trail) and do not assess.
 *
 * <p>Two refinements of a role. A backend's token limited to SMART scopes ({@link SmartScopes}) reaches a
 * route only when it holds one of the route's scopes (403, RFC 6750 {@code insufficient_scope}); a token
 * without scopes has its role's rights. And a route may admit a role only when the caller breaks the glass
 * ({@link BreakGlass}): a clinician taking a patient's complete record out of the service in an emergency,
 * with a reason, audited as emergency access. The tenant boundary has no such exception.
 *
 * <p>HTTP patterns are paths whose {@code *} segment matches one segment and a trailing {@code **} the rest.
 */
public final class Policy {

    /** Who may call: everyone (no token needed) or the callers with one of these roles. */
    public sealed interface Access {
        /** Answered without a token. */
        record Open() implements Access {
        }

        /**
         * Answered only to a verified caller whose role is in {@code roles} (empty: nobody), or whose role is in
         * {@code breakGlass} and who breaks the glass ({@link BreakGlass}); a token limited to SMART scopes
         * must hold one of {@code scopes} (empty: no scoped token reaches the route).
         */
        record Roles(Set<Role> roles, Set<String> scopes, Set<Role> breakGlass) implements Access {
            public Roles {
                roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
                scopes = Set.copyOf(scopes);
                breakGlass = breakGlass.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(breakGlass));
            }

            public Roles(Set<Role> roles) {
                this(roles, Set.of(), Set.of());
            }

            public boolean admits(Role role) {
                return roles.contains(role);
            }

            /** Whether {@code role}, not admitted as such, is admitted in an emergency, with a reason. */
            public boolean admitsBreakingGlass(Role role) {
                return breakGlass.contains(role);
            }

            /** Whether a token with these scopes reaches the route: one of them is the route's, or none limit it. */
            public boolean covers(Optional<Set<String>> granted) {
                return granted.map(g -> g.stream().anyMatch(scopes::contains)).orElse(true);
            }

            /** The same roles, reached by a scoped token holding one of {@code anyOf}. */
            Roles scoped(String... anyOf) {
                return new Roles(roles, Set.of(anyOf), breakGlass);
            }

            /** The same, and {@code role} too when it breaks the glass. */
            Roles orBreakingGlass(Role role) {
                return new Roles(roles, scopes, Set.of(role));
            }
        }
    }

    /** One gRPC service (all its methods) or one method ({@code service/Method}). */
    public record GrpcRule(String name, Access access) {
        public GrpcRule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(access, "access");
        }
    }

    /** One HTTP method and path pattern. */
    public record HttpRule(String method, String pattern, Access access) {
        public HttpRule {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(access, "access");
            if (!pattern.startsWith("/")) {
                throw new IllegalArgumentException("an HTTP pattern starts with /");
            }
        }

        boolean matches(String requestMethod, String path) {
            return method.equals(requestMethod) && Policy.matches(pattern.split("/", -1), path.split("/", -1));
        }
    }

    private static final Access OPEN = new Access.Open();
    private static final Access NOBODY = new Access.Roles(Set.of());

    private final List<GrpcRule> grpc;
    private final List<HttpRule> http;

    public Policy(List<GrpcRule> grpc, List<HttpRule> http) {
        this.grpc = List.copyOf(grpc);
        this.http = List.copyOf(http);
    }

    private static Access.Roles roles(Role... roles) {
        return new Access.Roles(Set.of(roles));
    }

    /**
     * The service's policy (the roles table of the README). A backend's SMART scopes map onto routes as
     * {@link SmartScopes} lists them: {@code triage.write} assesses (and sends CDS Hooks feedback),
     * {@code imaging.write} analyses images, {@code monitoring.write} streams, {@code record.read} reads the
     * record back, {@code RiskAssessment.read} and {@code Flag.read} only the FHIR reads of their type.
     */
    public static Policy standard() {
        Access assess = roles(Role.BACKEND).scoped(SmartScopes.TRIAGE_WRITE);
        Access readers = roles(Role.BACKEND, Role.CLINICIAN).scoped(SmartScopes.RECORD_READ);
        Access admin = roles(Role.ADMIN);
        Access clinician = roles(Role.CLINICIAN);
        Access reflection = roles(Role.BACKEND, Role.ADMIN).scoped(SmartScopes.SUPPORTED.toArray(String[]::new));
        return new Policy(List.of(
                new GrpcRule("grpc.health.v1.Health", OPEN),
                new GrpcRule("vclinic.triage.v1.TriageService", assess),
                new GrpcRule("vclinic.imaging.v1.ImagingService", roles(Role.BACKEND).scoped(SmartScopes.IMAGING_WRITE)),
                new GrpcRule("vclinic.monitoring.v1.MonitoringService",
                        roles(Role.BACKEND).scoped(SmartScopes.MONITORING_WRITE)),
                new GrpcRule("vclinic.record.v1.RecordService", readers),
                // Reflection describes the API, not patient data, but only to callers of this service.
                new GrpcRule("grpc.reflection.v1.ServerReflection", reflection),
                new GrpcRule("grpc.reflection.v1alpha.ServerReflection", reflection)),
                List.of(
                new HttpRule("GET", "/health/live", OPEN),
                new HttpRule("GET", "/health/ready", OPEN),
                new HttpRule("GET", "/metrics", OPEN),
                new HttpRule("GET", "/.well-known/smart-configuration", OPEN),
                new HttpRule("GET", "/.well-known/jwks.json", OPEN),
                new HttpRule("POST", "/oauth2/token", OPEN),
                new HttpRule("GET", "/fhir/r4/metadata", OPEN),
                new HttpRule("GET", "/cds-services", OPEN),
                new HttpRule("POST", "/v1/triage:assess", assess),
                new HttpRule("POST", "/v1/imaging:analyze", roles(Role.BACKEND).scoped(SmartScopes.IMAGING_WRITE)),
                new HttpRule("POST", "/fhir/r4/$triage", assess),
                new HttpRule("POST", "/cds-services/vclinic-triage", assess),
                new HttpRule("POST", "/cds-services/vclinic-triage/feedback", assess),
                new HttpRule("GET", "/v1/reviews/worklist", clinician),
                new HttpRule("GET", "/v1/reviews", clinician),
                new HttpRule("POST", "/v1/reviews", clinician),
                new HttpRule("GET", "/v1/alerts/*/actions", clinician),
                new HttpRule("POST", "/v1/alerts/*/actions", clinician),
                // A patient's complete record leaving the service: an admin's, or a clinician's in an emergency.
                new HttpRule("GET", "/v1/record/patients/*/export", roles(Role.ADMIN).orBreakingGlass(Role.CLINICIAN)),
                new HttpRule("DELETE", "/v1/record/patients/*", admin),
                new HttpRule("GET", "/v1/record/**", readers),
                new HttpRule("GET", "/fhir/r4/RiskAssessment",
                        roles(Role.BACKEND, Role.CLINICIAN).scoped(SmartScopes.RECORD_READ, SmartScopes.RISK_ASSESSMENT_READ)),
                new HttpRule("GET", "/fhir/r4/RiskAssessment/*",
                        roles(Role.BACKEND, Role.CLINICIAN).scoped(SmartScopes.RECORD_READ, SmartScopes.RISK_ASSESSMENT_READ)),
                new HttpRule("GET", "/fhir/r4/Flag",
                        roles(Role.BACKEND, Role.CLINICIAN).scoped(SmartScopes.RECORD_READ, SmartScopes.FLAG_READ)),
                new HttpRule("GET", "/fhir/r4/AuditEvent", admin),
                // Clinicians' web app (security.login): logging in is open, the rest needs a clinician.
                new HttpRule("POST", "/app/login", OPEN),
                // The login page and the app's stylesheet and script carry no patient data (health.vclinic.api.app).
                new HttpRule("GET", "/app/login", OPEN),
                // Login through a clinic's OpenID Connect provider: leaving for it, and coming back (security.login).
                new HttpRule("GET", "/app/login/oidc", OPEN),
                new HttpRule("GET", "/app/login/oidc/callback", OPEN),
                new HttpRule("GET", "/app/static/*", OPEN),
                new HttpRule("GET", "/app/**", roles(Role.CLINICIAN)),
                new HttpRule("POST", "/app/**", roles(Role.CLINICIAN))));
    }

    /** Who may call the gRPC method {@code service/Method}. */
    public Access grpc(String fullMethodName) {
        String service = fullMethodName.contains("/") ? fullMethodName.substring(0, fullMethodName.indexOf('/'))
                : fullMethodName;
        Optional<GrpcRule> exact = grpc.stream().filter(r -> r.name().equals(fullMethodName)).findFirst();
        return exact.or(() -> grpc.stream().filter(r -> r.name().equals(service)).findFirst())
                .map(GrpcRule::access).orElse(NOBODY);
    }

    /** Who may call {@code method path} (the first matching rule). */
    public Access http(String method, String path) {
        return http.stream().filter(r -> r.matches(method, path)).findFirst().map(HttpRule::access).orElse(NOBODY);
    }

    /** The rules, for the README's table and the table-driven test. */
    public List<HttpRule> httpRules() {
        return http;
    }

    public List<GrpcRule> grpcRules() {
        return grpc;
    }

    private static boolean matches(String[] pattern, String[] path) {
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].equals("**")) {
                return path.length > i;
            }
            if (i >= path.length || !(pattern[i].equals("*") ? !path[i].isEmpty() : pattern[i].equals(path[i]))) {
                return false;
            }
        }
        return pattern.length == path.length;
    }
}
