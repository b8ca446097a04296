package health.vclinic.api.cli;

import health.vclinic.api.security.AccessTokens;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.IssuerKey;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.models.ProjectRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/**
 * Where the service's keys live, a picocli mixin: the token issuer's signing key, the audit trail's MAC
 * key and the master key of encryption at rest, each an owner-only file created on first start. Outside
 * the data directory on purpose: a copy of the database (a backup, a dump) must not carry its keys.
 */
public final class KeyOptions {

    @Option(names = "--key-dir", description = "Directory of the service's keys (default: keys/ under the project"
            + " root; created owner-only on first start). Keep it out of the database's backups.")
    Path keyDir;

    /** The key directory. */
    public Path keyDir() {
        return keyDir != null ? keyDir : ProjectRoot.path().resolve("keys");
    }

    /** A key file in the key directory. */
    Path keyFile(String name) {
        return keyDir().resolve(name);
    }

    /** The master key of encryption at rest: {@code VCLINIC_MASTER_KEY} when set, else {@code master.key} here. */
    health.vclinic.api.keys.MasterKeySource master(java.io.PrintWriter out) {
        return health.vclinic.api.keys.MasterKeySource.standard(keyDir(), System.getenv(), out::println);
    }

    /** Whether the master key comes from the key file (not the environment). */
    boolean masterFromKeyFile() {
        String env = System.getenv(health.vclinic.api.keys.MasterKeySource.ENVIRONMENT_VARIABLE);
        return env == null || env.isBlank();
    }

    /** The issuer key of this key directory (created when absent, announced on {@code announce}). */
    IssuerKey issuerKey(Consumer<String> announce) {
        return IssuerKey.load(keyDir(), announce);
    }

    /** Access tokens signed by this key directory's issuer key. */
    AccessTokens tokens(Consumer<String> announce) {
        return new AccessTokens(issuerKey(announce));
    }

    /**
     * A token for one of the service's own clients (bench, replay) calling a server on this key directory:
     * {@code VCLINIC_TOKEN} when set (a server elsewhere), else one minted from the local issuer key.
     */
    BearerToken clientToken(Role role, String subject) {
        String given = System.getenv("VCLINIC_TOKEN");
        if (given != null && !given.isBlank()) {
            return new BearerToken(given.strip());
        }
        return new BearerToken(tokens(System.err::println).issue(ClinicId.DEFAULT, role, subject,
                Duration.ofHours(1), List.of()));
    }
}
