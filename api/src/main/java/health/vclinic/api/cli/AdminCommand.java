package health.vclinic.api.cli;

import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.security.Role;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code vclinic admin patient export REF} and {@code vclinic admin patient erase REF}: a patient's rights
 * of access and erasure; {@code vclinic admin audit verify}: the audit trail's integrity ({@link AuditCommand}).
 * Both work while a server runs on the same data directory: they join its embedded PostgreSQL, and erasure
 * goes through the running server's HTTP API so that the monitoring engine forgets the patient too, in the
 * scheme the server wrote ({@link ServerAddress}: over TLS, trusting the certificate it serves). Scripts
 * outside the repository use these names.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Administer the clinical record, the"
        + " clinics and their clients, the keys and the audit trail.",
        subcommands = {AdminCommand.Patient.class, AdminCommand.Token.class, IdentityCommands.Clinic.class,
                IdentityCommands.Client.class, AdminUserCommand.class, KeysCommand.class,
                AuditCommand.class, ExportCommand.class})
final class AdminCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("usage: vclinic admin patient (export|erase) REF [--data-dir DIR]");
        System.out.println("       vclinic admin audit verify [--data-dir DIR] [--key-dir DIR]");
        System.out.println("       vclinic admin clinic create NAME | client create --clinic ID --jwks FILE"
                + " | client disable ID | token --clinic ID --role ROLE");
    }

    @Command(name = "patient", mixinStandardHelpOptions = true, description = "A patient's record.",
            subcommands = {Export.class, Erase.class})
    static final class Patient implements Runnable {
        @Override
        public void run() {
            System.out.println("usage: vclinic admin patient (export|erase) REF [--data-dir DIR]");
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Print everything held on a patient as a FHIR R4 Bundle (JSON) on standard output.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "REF", description = "The clinic's pseudonymous patient reference.")
        String ref;
        @picocli.CommandLine.Option(names = "--clinic", defaultValue = "default",
                description = "The patient's clinic (default: ${DEFAULT-VALUE}).")
        String clinic;
        @Mixin
        RecordOptions record;
        @Mixin
        KeyOptions keys;

        @Override
        public Integer call() {
            PatientRef patient = new PatientRef(ref);
            try (ClinicalRecord r = record.open(keys)) {
                String out = asOperator(r, keys, new ClinicId(clinic), () -> r.export(new ClinicId(clinic), patient));
                System.out.println(out);
            }
            return 0;
        }
    }

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Erase every record of a patient (assessments, alerts, images), also from a running"
                    + " server's memory; the erasure itself is recorded without the patient's reference.")
    static final class Erase implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "REF", description = "The clinic's pseudonymous patient reference.")
        String ref;
        @picocli.CommandLine.Option(names = "--clinic", defaultValue = "default",
                description = "The patient's clinic (default: ${DEFAULT-VALUE}).")
        String clinic;
        @Mixin
        RecordOptions record;
        @Mixin
        KeyOptions keys;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PatientRef patient = new PatientRef(ref);
            Optional<ServerAddress> server = ServerAddress.read(record.dataDir());
            Optional<HttpResponse<String>> viaServer = Optional.empty();
            if (server.isPresent() && server.get().mutualTls()) {
                System.err.println("vclinic: the server running on this data directory asks clients for a certificate"
                        + " (--tls-client-ca), which this command has none of: erase through a client that has one"
                        + " (DELETE /v1/record/patients/REF with an admin token), or stop the server and run it again");
                return 1;
            }
            if (server.isPresent()) {
                try {
                    viaServer = Optional.of(server.get().client()
                            .send(HttpRequest.newBuilder(server.get().resolve(
                                    "/v1/record/patients/" + URLEncoder.encode(patient.value(), StandardCharsets.UTF_8)))
                                    .header("authorization", "Bearer " + keys.tokens(System.err::println).issue(
                                            new ClinicId(clinic), Role.ADMIN, "cli:admin-erase", Duration.ofMinutes(1),
                                            java.util.List.of()))
                                    .timeout(Duration.ofSeconds(30)).DELETE().build(), HttpResponse.BodyHandlers.ofString()));
                } catch (java.net.ConnectException stale) {
                    // A server that was killed left its port file: nothing holds the patient in memory.
                } catch (IOException e) {
                    // Reached but not spoken to (a TLS handshake refused, a foreign listener): erase nothing.
                    System.err.println("vclinic: cannot talk to the server running on this data directory at "
                            + server.get().url() + ": " + e.getMessage());
                    return 1;
                }
            }
            if (viaServer.isPresent()) {
                HttpResponse<String> res = viaServer.get();
                if (res.statusCode() != 200) {
                    System.err.println("vclinic: the running server refused the erasure (HTTP " + res.statusCode()
                            + "): " + res.body());
                    return 1;
                }
                System.out.println("erased through the running server: " + res.body());
                return 0;
            }
            try (ClinicalRecord r = record.open(keys)) {
                long rows = asOperator(r, keys, new ClinicId(clinic), () -> r.erase(new ClinicId(clinic), patient));
                System.out.println("erased: {\"rows_erased\":" + rows + "}");
            }
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Print an access token signed by the local issuer key (for development, tests and scripts"
                    + " on this machine; clinic backends get theirs from POST /oauth2/token).")
    static final class Token implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--clinic", required = true, description = "The clinic (tenant) of the token.")
        String clinic;
        @picocli.CommandLine.Option(names = "--role", required = true,
                description = "backend, clinician, data-scientist or admin.")
        String role;
        @picocli.CommandLine.Option(names = "--ttl", defaultValue = "10m",
                description = "Lifetime: a number with s, m or h (default: ${DEFAULT-VALUE}; at most 24h).")
        String ttl;
        @picocli.CommandLine.Option(names = "--subject", description = "Who the token stands for (default: cli:<user>).")
        String subject;
        @Mixin
        RecordOptions record;
        @Mixin
        KeyOptions keys;

        @Override
        public Integer call() {
            String who = subject != null ? subject : "cli:" + System.getProperty("user.name", "unknown");
            System.out.println(keys.tokens(System.err::println).issue(new health.vclinic.api.server.ClinicId(clinic),
                    health.vclinic.api.security.Role.parse(role), who, duration(ttl), java.util.List.of()));
            return 0;
        }

        static Duration duration(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([1-9][0-9]{0,5})([smh])").matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("--ttl must be a number followed by s, m or h (e.g. 10m), not " + text);
            }
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
    }

    /**
     * Runs {@code work} on the record as this machine's operator (an admin of {@code clinic}), audited in the
     * record's audit trail like a call through the server.
     */
    static <T> T asOperator(ClinicalRecord r, KeyOptions keys, ClinicId clinic, java.util.function.Supplier<T> work) {
        r.auditingTo(health.vclinic.api.audit.AuditLog.open(r.database().dataSource(),
                keys.keyFile(health.vclinic.api.audit.AuditLog.KEY_FILE), System.err::println));
        health.vclinic.api.security.Caller operator = new health.vclinic.api.security.Caller(clinic, Role.ADMIN,
                "cli:" + System.getProperty("user.name", "unknown"), "local");
        return ScopedValue.where(health.vclinic.api.audit.Access.CURRENT, new health.vclinic.api.audit.Access(operator,
                java.util.UUID.randomUUID().toString())).call(work::get);
    }
}
