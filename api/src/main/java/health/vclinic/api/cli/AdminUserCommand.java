package health.vclinic.api.cli;

import health.vclinic.api.keys.FieldCipher;
import health.vclinic.api.keys.KeyRing;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.login.Accounts;
import health.vclinic.api.security.login.Enrolment;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.InvalidInputException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vclinic admin user create --clinic NAME --role clinician LOGIN} and {@code vclinic admin user disable}:
 * clinicians' accounts (password and TOTP, see {@code security.login}). Both work on the embedded default
 * while a server runs on it. Scripts outside the repository use these names and flags.
 */
@Command(name = "user", mixinStandardHelpOptions = true, description = "Clinicians' accounts (web app login).",
        subcommands = {AdminUserCommand.Create.class, AdminUserCommand.Disable.class})
final class AdminUserCommand implements Runnable {

    @Override
    public void run() {
        System.out.println("usage: vclinic admin user (create|disable) --clinic NAME LOGIN [--data-dir DIR]");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an account: the password is read from standard input (one line) or --password-file;"
                    + " prints the TOTP enrolment (otpauth:// URI and Base32 secret) once.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--clinic", required = true, description = "The account's clinic.")
        String clinic;
        @Option(names = "--role", defaultValue = "clinician",
                description = "clinician (the default, and for now the only role that logs in to the web app).")
        String role;
        @Option(names = "--password-file", description = "File whose first line is the password (instead of"
                + " standard input; never on the command line, where ps would show it).")
        Path passwordFile;
        @Parameters(index = "0", paramLabel = "LOGIN", description = "The login: lower-case letters, digits, '.',"
                + " '_' or '-'.")
        String login;
        @Mixin
        RecordOptions record;
        @Mixin
        KeyOptions keys;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ClinicId clinicId = clinicId(clinic);
            Role r;
            try {
                r = Role.parse(role);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--role", "must be clinician");
            }
            String password = password();
            Enrolment e;
            try (Database db = record.openDatabase()) {
                // The TOTP secret is sealed with the clinic's data key, under the server's master key.
                FieldCipher cipher = new FieldCipher(KeyRing.open(db.dataSource(),
                        keys.master(spec.commandLine().getErr())));
                e = new Accounts(db.dataSource(), cipher).create(clinicId, login, r, password);
            } catch (IllegalArgumentException duplicate) {
                spec.commandLine().getErr().println("vclinic: " + duplicate.getMessage());
                return 1;
            }
            out.println("created " + e.role().wireName() + " '" + e.login() + "' of clinic '" + e.clinic().value() + "'");
            out.println("Enrol an authenticator app now (this is shown once): scan or open the URI,");
            out.println(e.otpauthUri());
            out.println("or type the secret: " + e.totpSecretBase32());
            out.flush();
            return 0;
        }

        private String password() {
            if (passwordFile != null) {
                try {
                    return firstLine(Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8));
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot read --password-file " + passwordFile, ex);
                }
            }
            Console console = System.console();
            if (console != null && console.isTerminal()) {
                char[] typed = console.readPassword("password for %s: ", login);
                return typed == null ? "" : new String(typed);
            }
            return firstLine(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        }

        private static String firstLine(BufferedReader in) {
            try (in) {
                String line = in.readLine();
                if (line == null || line.isEmpty()) {
                    throw new InvalidInputException("password", "is required: one line on standard input, or"
                            + " --password-file");
                }
                return line;
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read the password", ex);
            }
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an account and end its sessions at once (the account is kept for the audit trail).")
    static final class Disable implements Callable<Integer> {
        @Option(names = "--clinic", required = true, description = "The account's clinic.")
        String clinic;
        @Parameters(index = "0", paramLabel = "LOGIN")
        String login;
        @Mixin
        RecordOptions record;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Database db = record.openDatabase()) {
                if (!Accounts.disable(db.dataSource(), java.time.Clock.systemUTC(), clinicId(clinic), login)) {
                    spec.commandLine().getErr().println("vclinic: clinic '" + clinic + "' has no enabled user '" + login
                            + "'");
                    return 1;
                }
            }
            spec.commandLine().getOut().println("disabled '" + login + "' of clinic '" + clinic
                    + "'; its sessions have ended");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static ClinicId clinicId(String text) {
        try {
            return new ClinicId(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--clinic", "must be 1 to 64 lower-case letters, digits or hyphens");
        }
    }
}
