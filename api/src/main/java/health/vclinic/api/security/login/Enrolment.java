package health.vclinic.api.security.login;

import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import java.util.Objects;

/**
 * A new account, as its clinician enrols an authenticator app: the TOTP secret in Base32 (RFC 4648, to type
 * in) and as an {@code otpauth://totp/} URI (to scan as a QR code). Shown once; the service keeps the
 * secret but never shows it again.
 */
public record Enrolment(ClinicId clinic, String login, Role role, String totpSecretBase32, String otpauthUri) {

    public Enrolment {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(totpSecretBase32, "totpSecretBase32");
        Objects.requireNonNull(otpauthUri, "otpauthUri");
    }
}
