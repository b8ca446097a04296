package health.vclinic.api.security;

/**
 * A call whose credentials do not establish who is calling: no token, a malformed, expired or forged one,
 * or one for another audience. Answered UNAUTHENTICATED / 401 with {@code WWW-Authenticate}. The message
 * says what is wrong with the token, never what it holds.
 */
public final class AuthenticationException extends RuntimeException {

    public AuthenticationException(String message) {
        super(message, null, false, false);
    }
}
