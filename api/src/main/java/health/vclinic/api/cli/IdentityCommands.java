package health.vclinic.api.cli;

import health.vclinic.api.record.Database;
import health.vclinic.api.security.ClinicRegistry;
import health.vclinic.api.security.SmartScopes;
import health.vclinic.api.server.ClinicId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic admin clinic create NAME} and {@code vclinic admin client create --clinic NAME --jwks FILE}
 * (and {@code admin client disable ID}): the clinics and the SMART Backend Services clients of
 * {@link ClinicRegistry}. They work on the record's database ({@code --data-dir}, or {@code --database-url}),
 * also while a server runs on it (they join its embedded PostgreSQL). Each prints only the id it made on
 * standard output, for scripts ({@code CLIENT_ID=$(./vclinic admin client create ...)}); scripts outside the
 * repository use these names and flags.
 */
final class IdentityCommands {

    private IdentityCommands() {
    }

    /** A group of subcommands: given none, it prints its usage. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "clinic", mixinStandardHelpOptions = true, description = "The clinics (tenants).",
            subcommands = CreateClinic.class)
    static final class Clinic extends Group {
    }

    @Command(name = "client", mixinStandardHelpOptions = true,
            description = "The SMART Backend Services clients of the clinics.",
            subcommands = {CreateClient.class, DisableClient.class})
    static final class Client extends Group {
    }

    /**
     * A command on the registry of the record's database: prints what {@link #apply} returns; a mistake of the
     * operator's (an existing clinic, a bad JWKS) is printed as one line and exits 2.
     */
    abstract static class RegistryCommand implements Callable<Integer> {
        @Mixin
        RecordOptions record;
        @Spec
        CommandSpec spec;

        abstract String apply(ClinicRegistry registry);

        @Override
        public Integer call() {
            try (Database db = record.openDatabase()) {
                spec.commandLine().getOut().println(apply(new ClinicRegistry(db.dataSource())));
                spec.commandLine().getOut().flush();
                return 0;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("vclinic: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a clinic and print its id: NAME in lower case, every run of other characters than"
                    + " letters and digits made one hyphen ('North Clinic' -> north-clinic).")
    static final class CreateClinic extends RegistryCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The clinic's name, also its display name.")
        String name;

        @Override
        String apply(ClinicRegistry registry) {
            return registry.createClinic(clinicId(name), name).id().value();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Register a clinic backend with its public keys and print its client id (the iss and sub of"
                    + " its client assertions).")
    static final class CreateClient extends RegistryCommand {
        @Option(names = "--clinic", required = true, description = "The clinic id (admin clinic create printed it).")
        String clinic;
        @Option(names = "--jwks", required = true, paramLabel = "FILE", description = "The client's public keys, a"
                + " JSON Web Key Set: RSA of 2048 bits or more, or EC P-384 / P-256, each with a kid.")
        Path jwks;
        @Option(names = "--scopes", split = "[,\\s]+", paramLabel = "SCOPE", description = "The system scopes the"
                + " client may be granted, space- or comma-separated: system/triage.write, system/imaging.write,"
                + " system/monitoring.write, system/record.read (default: all of them).")
        List<String> scopes;
        @Option(names = "--name", description = "A display name (default: the JWKS file's name).")
        String displayName;

        @Override
        String apply(ClinicRegistry registry) {
            String json;
            try {
                json = Files.readString(jwks, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --jwks " + jwks + " (" + e.getClass().getSimpleName()
                        + ")");
            }
            return registry.registerClient(new ClinicId(clinic), displayName != null ? displayName
                    : String.valueOf(jwks.getFileName()), json, scopes != null ? scopes : SmartScopes.SUPPORTED).id();
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable a client: it gets no new token (those it holds expire within 5 minutes).")
    static final class DisableClient extends RegistryCommand {
        @Parameters(index = "0", paramLabel = "CLIENT_ID", description = "The id admin client create printed.")
        String clientId;

        @Override
        String apply(ClinicRegistry registry) {
            if (!registry.disableClient(clientId)) {
                throw new IllegalArgumentException("no active client with this id");
            }
            return "disabled " + clientId;
        }
    }

    /** The clinic id made of a name: lower case, other characters than letters and digits made hyphens. */
    static ClinicId clinicId(String name) {
        String id = name.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (id.isEmpty() || id.length() > 64) {
            throw new IllegalArgumentException("a clinic name needs 1 to 64 letters or digits (the id is made of"
                    + " them)");
        }
        return new ClinicId(id);
    }
}
