package health.vclinic.api.security;

import health.vclinic.datasets.InvalidInputException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Emergency access ("break the glass", HIPAA §164.312(a)(2)(ii) emergency access procedure): a caller whose
 * role a route does not admit, but admits in an emergency ({@link Policy.Access.Roles#admitsBreakingGlass}),
 * sends why in the header {@value #HEADER}. The gate then lets this one request through; every access it
 * makes is audited with the reason as emergency access (a {@code BREAK_GLASS} security alert beside the
 * access itself, FHIR {@code purposeOfUse} v3-ActReason {@code BTG}), for the clinic's admins to review.
 *
 * <p>What it unlocks is deliberately narrow: within the caller's own clinic (another clinic's patient stays
 * not found), the one patient-data right a clinician lacks, taking a patient's complete record out of the
 * service ({@code GET /v1/record/patients/{ref}/export}), e.g. for an emergency transfer when no admin is on
 * duty. A request header, not a query parameter: it is not kept in URLs or access logs, and a browser
 * cannot send it from another site, so a session cookie alone never breaks the glass (CSRF).
 *
 * <p>The reason is free text that may describe the patient: it is kept only in the audit trail, never
 * logged and never echoed in an error.
 *
 * @param reason why, 1 to {@value #MAX_REASON} characters without control characters
 */
public record BreakGlass(String reason) {

    /** The request header that carries the reason (printable ASCII; percent-encode anything else as UTF-8). */
    public static final String HEADER = "X-Break-Glass-Reason";
    /** Longest reason taken, in characters. */
    public static final int MAX_REASON = 400;

    public BreakGlass {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank() || reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
            throw refused();
        }
    }

    /**
     * The reason a header value gives: trimmed, percent-encoded UTF-8 decoded.
     *
     * @throws InvalidInputException naming {@value #HEADER} when it is empty, too long, has control characters
     *     or malformed percent-encoding (never quoting it)
     */
    public static BreakGlass fromHeader(String value) {
        String decoded;
        try {
            // '+' stays a plus: this is a header, not a form.
            decoded = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw refused();
        }
        return new BreakGlass(decoded.strip());
    }

    private static InvalidInputException refused() {
        return new InvalidInputException(HEADER, "must say why this emergency access is needed: 1 to " + MAX_REASON
                + " characters, no control characters (percent-encode non-ASCII text as UTF-8); it is audited");
    }
}
