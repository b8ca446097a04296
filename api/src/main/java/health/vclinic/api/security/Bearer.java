package health.vclinic.api.security;

import java.util.Locale;

/** The access token of an {@code Authorization: Bearer ...} header (RFC 6750 §2.1). */
final class Bearer {

    /** Longest accepted header: our tokens are under 1 KB; a megabyte of header is refused, not parsed. */
    static final int MAX_LENGTH = 8192;

    private Bearer() {
    }

    /**
     * @throws AuthenticationException when the header is absent, too long or not a Bearer token
     */
    static String token(String header) {
        if (header == null || header.isBlank()) {
            throw new AuthenticationException("this call needs 'authorization: Bearer <access token>' (see the README:"
                    + " POST /oauth2/token, or ./vclinic admin token)");
        }
        if (header.length() > MAX_LENGTH) {
            throw new AuthenticationException("the authorization header is longer than " + MAX_LENGTH + " characters");
        }
        if (header.length() < 8 || !header.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            throw new AuthenticationException("the authorization header must be 'Bearer <access token>'");
        }
        return header.substring(7).strip();
    }
}
