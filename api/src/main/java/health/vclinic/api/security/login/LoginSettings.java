package health.vclinic.api.security.login;

import java.time.Duration;
import java.util.Objects;

/**
 * How long sessions last and how failed logins are answered. Defaults: automatic logoff after 15 minutes
 * without a request (HIPAA §164.312(a)(2)(iii)), at most 12 hours per session (one shift, OWASP Session
 * Management Cheat Sheet's absolute timeout), 5 failed attempts in a row lock the account for 15 minutes.
 *
 * @param idleTimeout a session with no request for this long is ended
 * @param maxSessionAge a session is ended this long after login, however active
 * @param maxFailedAttempts failed logins in a row that lock the account
 * @param lockout how long a locked account refuses every login
 */
public record LoginSettings(Duration idleTimeout, Duration maxSessionAge, int maxFailedAttempts, Duration lockout) {

    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(12);

    public LoginSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(maxSessionAge, "maxSessionAge");
        Objects.requireNonNull(lockout, "lockout");
        if (idleTimeout.compareTo(Duration.ofMinutes(1)) < 0 || idleTimeout.compareTo(maxSessionAge) > 0) {
            throw new IllegalArgumentException("the session idle timeout must be at least 1 minute and at most the"
                    + " session's maximum age");
        }
        if (maxSessionAge.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("a session may last at most 24 hours");
        }
        if (maxFailedAttempts < 1 || lockout.isNegative() || lockout.isZero()) {
            throw new IllegalArgumentException("at least 1 failed attempt before a lockout of more than 0");
        }
    }

    public static LoginSettings defaults() {
        return new LoginSettings(DEFAULT_IDLE, DEFAULT_MAX_AGE, 5, Duration.ofMinutes(15));
    }

    /** The defaults with another idle timeout ({@code --session-idle-minutes}). */
    public LoginSettings withIdleTimeout(Duration idle) {
        return new LoginSettings(idle, maxSessionAge, maxFailedAttempts, lockout);
    }
}
