package health.vclinic.inference.redflags;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Free text split into normalised tokens that remember where they came from, so evidence can quote the
 * patient's own words. Contractions are expanded ("can't" to "cannot", "doesn't" to "does not"), number
 * words become digits, and punctuation that ends a clause is kept as a token.
 */
final class ClinicalText {

    /** One token: its normalised form and the character span it came from. */
    record Token(String text, int start, int end) {
    }

    /** The token grammar, as a regular expression; {@link #tokenEnd} implements it by hand. */
    static final Pattern TOKEN = Pattern.compile(
            "[a-z]/[a-z](?![a-z])|[0-9]+(?:\\.[0-9]+)?|[a-z0-9]+(?:'[a-z]+)?|[.,;:!?]");

    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
            Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
            Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("eleven", "11"), Map.entry("twelve", "12"),
            Map.entry("fifteen", "15"), Map.entry("twenty", "20"), Map.entry("thirty", "30"),
            Map.entry("forty", "40"), Map.entry("sixty", "60"));

    private final String original;
    private final List<Token> tokens;

    private ClinicalText(String original, List<Token> tokens) {
        this.original = original;
        this.tokens = tokens;
    }

    static ClinicalText of(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
        // Lower-casing can change the length of a few exotic characters; quote from the lower-cased
        // text then, so spans always fit.
        String quoted = lower.length() == text.length() ? text : lower;
        List<Token> tokens = new ArrayList<>();
        int n = lower.length();
        int i = 0;
        while (i < n) {
            int end = tokenEnd(lower, i);
            if (end == i) {
                i++;
                continue;
            }
            for (String t : normalise(lower.substring(i, end))) {
                tokens.add(new Token(t, i, end));
            }
            i = end;
        }
        return new ClinicalText(quoted, List.copyOf(tokens));
    }

    /**
     * The end of the token starting at {@code i}, or {@code i} when none starts there. A hand-written
     * scanner for the grammar of {@link #TOKEN}, tried in the same order (this runs on every request):
     * "h/o"-style abbreviations, numbers with an optional decimal part, words with an optional
     * apostrophe suffix, and clause punctuation.
     */
    static int tokenEnd(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (letter(c) && i + 2 < n && s.charAt(i + 1) == '/' && letter(s.charAt(i + 2))
                && (i + 3 == n || !letter(s.charAt(i + 3)))) {
            return i + 3;
        }
        if (digit(c)) {
            int j = i;
            while (j < n && digit(s.charAt(j))) {
                j++;
            }
            if (j + 1 < n && s.charAt(j) == '.' && digit(s.charAt(j + 1))) {
                j++;
                while (j < n && digit(s.charAt(j))) {
                    j++;
                }
            }
            return j;
        }
        if (letter(c)) {
            int j = i;
            while (j < n && (letter(s.charAt(j)) || digit(s.charAt(j)))) {
                j++;
            }
            if (j + 1 < n && s.charAt(j) == '\'' && letter(s.charAt(j + 1))) {
                j++;
                while (j < n && letter(s.charAt(j))) {
                    j++;
                }
            }
            return j;
        }
        return ".,;:!?".indexOf(c) >= 0 ? i + 1 : i;
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Also used on rule phrases, so "can't breathe" in a rule matches "cannot breathe" in text. */
    static List<String> normalise(String token) {
        int apostrophe = token.indexOf('\'');
        if (apostrophe < 0) {
            return List.of(NUMBER_WORDS.getOrDefault(token, token));
        }
        return switch (token) {
            case "can't" -> List.of("cannot");
            case "won't" -> List.of("will", "not");
            case "shan't" -> List.of("shall", "not");
            default -> {
                if (token.endsWith("n't")) {
                    yield List.of(token.substring(0, token.length() - 3), "not");
                }
                // "patient's", "i've", "i'm": keep the word, drop the clitic.
                yield List.of(token.substring(0, apostrophe));
            }
        };
    }

    /** True for a clause punctuation token. */
    static boolean punctuation(String token) {
        return token.length() == 1 && ".,;:!?".indexOf(token.charAt(0)) >= 0;
    }

    List<Token> tokens() {
        return tokens;
    }

    int size() {
        return tokens.size();
    }

    String token(int i) {
        return tokens.get(i).text();
    }

    /** The original words from token {@code from} (inclusive) to {@code to} (exclusive). */
    String quote(int from, int to) {
        return original.substring(tokens.get(from).start(), tokens.get(to - 1).end());
    }
}
