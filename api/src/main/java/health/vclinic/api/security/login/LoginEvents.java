package health.vclinic.api.security.login;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Told of every login, failed login, lockout, logout and session timeout, so that the audit trail records
 * them (HIPAA §164.312(b) audit controls; IHE BALP login/logout events). Called on the request's thread;
 * must not block for long. The clinic and login are as typed (a failed attempt may name no account); never
 * the password, the code or the session id.
 */
@FunctionalInterface
public interface LoginEvents {

    /** Nobody listening. */
    LoginEvents NONE = event -> { };

    /** What happened. */
    enum Outcome {
        /** Password and code right, or the clinic's OpenID Connect provider vouched: a session began. */
        LOGGED_IN,
        /** Refused; {@link Event#failure} says why (the caller was told only that it failed). */
        FAILED,
        /** This failure was one too many: the account is locked for the lockout period. */
        LOCKED_OUT,
        /** The clinician ended the session. */
        LOGGED_OUT,
        /** A request came on a session that had been idle too long or lived too long: it was ended. */
        TIMED_OUT
    }

    /** Why a login failed (for the audit trail only: the answer to the caller is the same for all). */
    enum Failure {
        UNKNOWN_LOGIN,
        WRONG_PASSWORD,
        WRONG_CODE,
        REUSED_CODE,
        ACCOUNT_LOCKED,
        ACCOUNT_DISABLED,
        /**
         * Through an OpenID Connect provider: the answer did not verify (state, code, ID token's signature,
         * issuer, audience, expiry or nonce) or the provider refused.
         */
        OIDC_REJECTED,
        /** Through an OpenID Connect provider: its ID token does not say a second factor was used ({@code amr}). */
        OIDC_NO_MFA
    }

    /**
     * One event.
     *
     * @param session the session's public reference (the {@code Caller}'s token id), when one began or ended
     */
    record Event(Outcome outcome, Optional<Failure> failure, String clinic, String login, Optional<String> session,
                 Instant at) {
        public Event {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(login, "login");
            Objects.requireNonNull(session, "session");
            Objects.requireNonNull(at, "at");
            if ((outcome == Outcome.FAILED || outcome == Outcome.LOCKED_OUT) != failure.isPresent()) {
                throw new IllegalArgumentException("a failure reason goes with FAILED and LOCKED_OUT only");
            }
        }
    }

    void event(Event event);
}
