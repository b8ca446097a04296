package health.vclinic.inference.redflags;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A phrase of the rules file compiled to token matchers. Syntax, token by token: a word matches itself
 * (after the same normalisation as the text); {@code *} matches any one word; {@code radiat*} matches
 * any word that starts with "radiat"; {@code {n>=5}} matches a number of at least 5.
 */
final class Phrase {

    private static final Pattern NUMBER = Pattern.compile("\\{n>=([0-9]+(?:\\.[0-9]+)?)}");

    private sealed interface Matcher1 permits Word, Prefix, Any, AtLeast {
        boolean matches(String token);
    }

    private record Word(String word) implements Matcher1 {
        public boolean matches(String token) {
            return token.equals(word);
        }
    }

    private record Prefix(String prefix) implements Matcher1 {
        public boolean matches(String token) {
            return token.startsWith(prefix);
        }
    }

    private record Any() implements Matcher1 {
        public boolean matches(String token) {
            return true;
        }
    }

    private record AtLeast(double min) implements Matcher1 {
        public boolean matches(String token) {
            if (token.isEmpty() || !Character.isDigit(token.charAt(0))) {
                return false;
            }
            return Double.parseDouble(token) >= min;
        }
    }

    private final String source;
    private final List<Matcher1> matchers;

    private Phrase(String source, List<Matcher1> matchers) {
        this.source = source;
        this.matchers = List.copyOf(matchers);
    }

    static Phrase compile(String phrase) {
        List<Matcher1> matchers = new ArrayList<>();
        for (String raw : phrase.trim().toLowerCase(java.util.Locale.ROOT).split("\\s+")) {
            Matcher number = NUMBER.matcher(raw);
            if (raw.equals("*")) {
                matchers.add(new Any());
            } else if (number.matches()) {
                matchers.add(new AtLeast(Double.parseDouble(number.group(1))));
            } else if (raw.endsWith("*") && raw.length() > 1) {
                matchers.add(new Prefix(raw.substring(0, raw.length() - 1)));
            } else if (raw.isEmpty()) {
                throw new IllegalArgumentException("empty phrase");
            } else {
                ClinicalText.of(raw).tokens().forEach(t -> matchers.add(new Word(t.text())));
            }
        }
        if (matchers.isEmpty() || matchers.getFirst() instanceof Any) {
            throw new IllegalArgumentException("a phrase must start with a word: '" + phrase + "'");
        }
        return new Phrase(phrase, matchers);
    }

    /** The exact first word, when the phrase starts with one (used to index phrases). */
    java.util.Optional<String> firstWord() {
        return matchers.getFirst() instanceof Word w ? java.util.Optional.of(w.word()) : java.util.Optional.empty();
    }

    int length() {
        return matchers.size();
    }

    /** True when the phrase matches the text's tokens starting at {@code at}. */
    boolean matchesAt(ClinicalText text, int at) {
        if (at + matchers.size() > text.size()) {
            return false;
        }
        for (int i = 0; i < matchers.size(); i++) {
            if (!matchers.get(i).matches(text.token(at + i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return source;
    }
}
