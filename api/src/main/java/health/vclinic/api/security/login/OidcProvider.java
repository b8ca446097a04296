package health.vclinic.api.security.login;

import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.TlsSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * A clinic's external OpenID Connect provider ({@code serve --oidc CLINIC=ISSUER,CLIENT_ID,SECRET_FILE}): its
 * issuer (OpenID Connect Discovery 1.0 §4: the discovery document is {@code ISSUER/.well-known/openid-configuration}),
 * this service's client id there, and the client secret (RFC 6749 §2.3.1), read from a file readable by its
 * owner only and never shown ({@link #toString()} leaves it out).
 *
 * <p>The issuer and every endpoint it names must be {@code https}; plain {@code http} is accepted only for a
 * loopback host (a provider on this machine, as in the tests), since the ID token and the code travel there.
 */
public record OidcProvider(ClinicId clinic, URI issuer, String clientId, String clientSecret) {

    public OidcProvider {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        checkUrl(issuer, "the issuer");
        if (issuer.getQuery() != null || issuer.getFragment() != null) {
            throw new IllegalArgumentException("the issuer URL of clinic " + clinic.value()
                    + " must have no query or fragment (OpenID Connect Discovery 1.0 §2)");
        }
        if (clientId.isBlank() || clientId.length() > 255 || clientId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the client id of clinic " + clinic.value() + " must be 1 to 255 printable"
                    + " characters");
        }
        if (clientSecret.isEmpty()) {
            throw new IllegalArgumentException("the client secret file of clinic " + clinic.value() + " is empty");
        }
    }

    /**
     * The provider {@code spec} describes: {@code CLINIC=ISSUER_URL,CLIENT_ID,SECRET_FILE}; the secret file is
     * read now (its first line; refused when group or others may read it).
     *
     * @throws IllegalArgumentException naming what is wrong, never the secret
     */
    public static OidcProvider parse(String spec) {
        int eq = spec.indexOf('=');
        String[] parts = eq < 0 ? new String[0] : spec.substring(eq + 1).split(",", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("--oidc must be CLINIC=ISSUER_URL,CLIENT_ID,SECRET_FILE, e.g."
                    + " clinic-a=https://login.example/realms/clinic-a,vclinic-app,/run/secrets/oidc-clinic-a");
        }
        ClinicId clinic;
        try {
            clinic = new ClinicId(spec.substring(0, eq).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--oidc: " + e.getMessage());
        }
        URI issuer;
        try {
            issuer = new URI(parts[0].strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--oidc: the issuer of clinic " + clinic.value() + " is not a URL");
        }
        String secret;
        try {
            secret = new String(SecretFiles.read(Path.of(parts[2].strip())), StandardCharsets.UTF_8).lines()
                    .findFirst().orElse("").strip();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--oidc: the client secret file of clinic " + clinic.value() + ": "
                    + e.getMessage());
        }
        return new OidcProvider(clinic, issuer, parts[1].strip(), secret);
    }

    /** Refuses a URL that is not absolute https (or http to a loopback host). */
    static void checkUrl(URI url, String what) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null || url.getUserInfo() != null
                || !(scheme.equals("https") || scheme.equals("http") && TlsSettings.loopback(url.getHost()))) {
            throw new IllegalArgumentException(what + " must be an absolute https URL without user information"
                    + " (plain http only for a loopback host): " + url.getScheme() + "://" + url.getHost());
        }
    }

    /** The discovery document's URL (OpenID Connect Discovery 1.0 §4.1). */
    URI discovery() {
        String base = issuer.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/.well-known/openid-configuration");
    }

    @Override
    public String toString() {
        return "OidcProvider[clinic=" + clinic.value() + ", issuer=" + issuer + ", clientId=" + clientId + "]";
    }
}
