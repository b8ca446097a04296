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
 * clinicians' login ({@code GET} and {@code POST /app/login}) with the web app's static files.
 *
 * <p>Least privilege: backends create assessments and read their clinic's record back; clinicians read and
 * review their clinic's record; data scientists only export de-identified reviews; admins administer
 * (patients' export and erasure, the audit trail) and do not assess.
 *
 * <p>HTTP patterns are paths whose {@code *} segment matches one segment and a trailing {@code **} the rest.
 */
public final class Policy {

    /** Who may call: everyone (no token needed) or the callers with one of these roles. */
    public sealed interface Access {
        /** Answered without a token. */
        record Open() implements Access {
        }

        /** Answered only to a verified caller whose role is in {@code roles} (empty: nobody). */
        record Roles(Set<Role> roles) implements Access {
            public Roles {
                roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
            }

            public boolean admits(Role role) {
                return roles.contains(role);
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

    private static Access roles(Role... roles) {
        return new Access.Roles(Set.of(roles));
    }

    /** The service's policy (the roles table of the README). */
    public static Policy standard() {
        Access backend = roles(Role.BACKEND);
        Access readers = roles(Role.BACKEND, Role.CLINICIAN);
        Access admin = roles(Role.ADMIN);
        Access clinician = roles(Role.CLINICIAN);
        return new Policy(List.of(
                new GrpcRule("grpc.health.v1.Health", OPEN),
                new GrpcRule("vclinic.triage.v1.TriageService", backend),
                new GrpcRule("vclinic.imaging.v1.ImagingService", backend),
                new GrpcRule("vclinic.monitoring.v1.MonitoringService", backend),
                new GrpcRule("vclinic.record.v1.RecordService", readers),
                // Reflection describes the API, not patient data, but only to callers of this service.
                new GrpcRule("grpc.reflection.v1.ServerReflection", roles(Role.BACKEND, Role.ADMIN)),
                new GrpcRule("grpc.reflection.v1alpha.ServerReflection", roles(Role.BACKEND, Role.ADMIN))),
                List.of(
                new HttpRule("GET", "/health/live", OPEN),
                new HttpRule("GET", "/health/ready", OPEN),
                new HttpRule("GET", "/metrics", OPEN),
                new HttpRule("GET", "/.well-known/smart-configuration", OPEN),
                new HttpRule("GET", "/.well-known/jwks.json", OPEN),
                new HttpRule("POST", "/oauth2/token", OPEN),
                new HttpRule("GET", "/fhir/r4/metadata", OPEN),
                new HttpRule("GET", "/cds-services", OPEN),
                new HttpRule("POST", "/v1/triage:assess", backend),
                new HttpRule("POST", "/v1/imaging:analyze", backend),
                new HttpRule("POST", "/fhir/r4/$triage", backend),
                new HttpRule("POST", "/cds-services/vclinic-triage", backend),
                new HttpRule("POST", "/cds-services/vclinic-triage/feedback", backend),
                new HttpRule("GET", "/v1/reviews/worklist", clinician),
                new HttpRule("GET", "/v1/reviews", clinician),
                new HttpRule("POST", "/v1/reviews", clinician),
                new HttpRule("GET", "/v1/alerts/*/actions", clinician),
                new HttpRule("POST", "/v1/alerts/*/actions", clinician),
                new HttpRule("GET", "/v1/record/patients/*/export", admin),
                new HttpRule("DELETE", "/v1/record/patients/*", admin),
                new HttpRule("GET", "/v1/record/**", readers),
                new HttpRule("GET", "/fhir/r4/RiskAssessment", readers),
                new HttpRule("GET", "/fhir/r4/RiskAssessment/*", readers),
                new HttpRule("GET", "/fhir/r4/Flag", readers),
                new HttpRule("GET", "/fhir/r4/AuditEvent", admin),
                // Clinicians' web app (security.login): logging in is open, the rest needs a clinician.
                new HttpRule("POST", "/app/login", OPEN),
                // The login page and the app's stylesheet and script carry no patient data (health.vclinic.api.app).
                new HttpRule("GET", "/app/login", OPEN),
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
