package health.vclinic.api.security.login;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a clinician's password must be, after NIST SP 800-63B §5.1.1.2 (memorised secrets): at least
 * {@value #MIN_LENGTH} characters (at most {@value #MAX_LENGTH}), any characters, no composition rules,
 * but not a commonly used or predictable one: a password from a list of common ones, one made of fewer
 * than {@value #MIN_DISTINCT} different characters (repetition, {@code 121212121212}), or one containing
 * the login.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 256;
    static final int MIN_DISTINCT = 5;

    /** Common passwords of 12 characters or more (from published breach corpora' top lists), lower case. */
    private static final Set<String> COMMON = Set.of("password1234", "password12345", "password123456",
            "123456789012", "1234567890123", "12345678901234", "qwertyuiop12", "qwertyuiop123", "qwertyuiopasdf",
            "qwerty123456", "qwerty1234567", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "iloveyou1234",
            "abcdefghijkl", "abcd1234abcd", "letmein12345", "welcome12345", "welcome123456", "administrator",
            "administrator1", "changeme1234", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234", "trustno12345",
            "football1234", "baseball1234", "superman1234", "sunshine1234", "princess1234", "monkey123456",
            "dragon123456", "asdfghjkl123", "hospital1234", "clinician123", "clinician1234",
            "doctor123456", "nurse1234567", "vclinic12345", "vclinic123456", "correcthorsebatterystaple");

    private PasswordPolicy() {
    }

    /** What is wrong with {@code password} for {@code login}, or empty when it may be used. */
    public static Optional<String> weakness(String password, String login) {
        String p = Normalizer.normalize(password, Normalizer.Form.NFKC);
        int length = p.codePointCount(0, p.length());
        if (length < MIN_LENGTH) {
            return Optional.of("the password must be at least " + MIN_LENGTH + " characters long");
        }
        if (length > MAX_LENGTH) {
            return Optional.of("the password must be at most " + MAX_LENGTH + " characters long");
        }
        String lower = p.toLowerCase(Locale.ROOT);
        if (COMMON.contains(lower)) {
            return Optional.of("the password is a commonly used one; choose another (a few unrelated words work well)");
        }
        if (lower.codePoints().distinct().count() < MIN_DISTINCT) {
            return Optional.of("the password must use at least " + MIN_DISTINCT + " different characters");
        }
        if (login.length() >= 3 && lower.contains(login.toLowerCase(Locale.ROOT))) {
            return Optional.of("the password must not contain the login");
        }
        return Optional.empty();
    }
}
