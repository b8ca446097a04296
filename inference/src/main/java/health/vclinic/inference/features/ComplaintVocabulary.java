package health.vclinic.inference.features;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The chief-complaint terms a triage model may use: words and unordered word pairs that occur in
 * enough complaints of the training split. It is learned on the training split only and stored in the
 * model card, so a served model sees exactly the terms it was trained on.
 *
 * <p>A complaint becomes terms as follows: lower-case; split on anything but letters and digits;
 * drop one-character tokens and bare numbers; every remaining token is a term, and so is every pair of
 * adjacent tokens, written in alphabetical order joined by {@code +} ("pain, chest" and "chest pain"
 * both give {@code chest+pain}; these data write complaints both ways).
 *
 * <p>Immutable and thread safe.
 */
public final class ComplaintVocabulary {

    private static final Pattern SPLIT = Pattern.compile("[^a-z0-9]+");

    private final List<String> terms;
    private final Set<String> lookup;

    private ComplaintVocabulary(List<String> terms) {
        this.terms = List.copyOf(terms);
        this.lookup = Set.copyOf(terms);
    }

    /** A vocabulary of exactly these terms (as stored in a model card), kept in the given order. */
    public static ComplaintVocabulary of(List<String> terms) {
        for (String t : terms) {
            if (t.isBlank() || !t.equals(t.strip().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("vocabulary terms are non-blank and lower case");
            }
        }
        if (new LinkedHashSet<>(terms).size() != terms.size()) {
            throw new IllegalArgumentException("a vocabulary lists each term once");
        }
        return new ComplaintVocabulary(terms);
    }

    /**
     * Learns the terms that occur in at least {@code minComplaints} of {@code complaints}: the
     * {@code maxTerms} most frequent, ties broken alphabetically, then sorted alphabetically.
     */
    public static ComplaintVocabulary learn(Collection<String> complaints, int minComplaints, int maxTerms) {
        return learnTerms(complaints.stream().map(c -> terms(c)).toList(), minComplaints, maxTerms);
    }

    /** As {@link #learn}, from each complaint's terms as an extractor reads them. */
    public static ComplaintVocabulary learnTerms(Collection<Set<String>> complaints, int minComplaints, int maxTerms) {
        if (minComplaints < 1 || maxTerms < 0) {
            throw new IllegalArgumentException("minComplaints >= 1 and maxTerms >= 0");
        }
        Map<String, Integer> frequency = new HashMap<>();
        for (Set<String> complaint : complaints) {
            for (String term : complaint) {
                frequency.merge(term, 1, Integer::sum);
            }
        }
        List<String> kept = frequency.entrySet().stream()
                .filter(e -> e.getValue() >= minComplaints)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(maxTerms)
                .map(Map.Entry::getKey)
                .sorted(Comparator.naturalOrder())
                .toList();
        return new ComplaintVocabulary(kept);
    }

    /**
     * Every term of a complaint (words and adjacent pairs), each once, in order of appearance, as
     * features version 1 read it: every word, negated or not.
     */
    public static Set<String> terms(String complaint) {
        List<String> tokens = new ArrayList<>();
        for (String t : SPLIT.split(complaint.toLowerCase(Locale.ROOT))) {
            tokens.add(t);
        }
        return terms(List.of(tokens));
    }

    /** Whether {@code t} is all ASCII digits, the pattern {@code [0-9]+} (without a regex). */
    private static boolean number(String t) {
        if (t.isEmpty()) {
            return false;
        }
        for (int k = 0; k < t.length(); k++) {
            char c = t.charAt(k);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Every term of runs of words (words and pairs adjacent within a run), each once, in order of
     * appearance; one-character words and bare numbers are dropped. Features version 2 passes only
     * the current, normalised words of a complaint, so a negated or historical word is never a term.
     */
    public static Set<String> terms(List<List<String>> runs) {
        Set<String> terms = new LinkedHashSet<>();
        for (List<String> run : runs) {
            List<String> tokens = new ArrayList<>();
            for (String t : run) {
                if (t.length() > 1 && !number(t)) {
                    tokens.add(t);
                }
            }
            terms.addAll(tokens);
            for (int i = 1; i < tokens.size(); i++) {
                String a = tokens.get(i - 1);
                String b = tokens.get(i);
                if (!a.equals(b)) {
                    terms.add(a.compareTo(b) < 0 ? a + "+" + b : b + "+" + a);
                }
            }
        }
        return terms;
    }

    public List<String> terms() {
        return terms;
    }

    public boolean contains(String term) {
        return lookup.contains(term);
    }

    public int size() {
        return terms.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComplaintVocabulary other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    @Override
    public String toString() {
        return "ComplaintVocabulary" + terms;
    }
}
