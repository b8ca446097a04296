package health.vclinic.api.cli;

import health.vclinic.api.security.AccessTokens;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.IssuerKey;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.Security;
import health.vclinic.api.server.ClinicId;
import java.time.Duration;
import java.util.List;

/**
 * The security of a server a command starts in its own process (bench, replay): the standard policy over
 * a fresh in-memory issuer key, and real tokens from it for the command's own client, so that what is
 * measured includes verifying a token on every call.
 */
record EmbeddedSecurity(Security security) {

    static EmbeddedSecurity create() {
        // No per-clinic request quota: the bench's one clinic is meant to saturate the server.
        return new EmbeddedSecurity(Security.standard(new AccessTokens(IssuerKey.generate()))
                .withQuota(health.vclinic.api.security.RequestQuota.off()));
    }

    /** A backend token of the default clinic for the command's own client. */
    BearerToken backendToken(String subject) {
        return new BearerToken(security.tokens().issue(ClinicId.DEFAULT, Role.BACKEND, subject, Duration.ofHours(1),
                List.of()));
    }
}
