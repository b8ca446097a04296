package health.vclinic.inference.redflags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Phrases indexed by their first word, so scanning a text tries only the phrases that can start at
 * each token (plus the few that start with a prefix or a number). Immutable once built.
 *
 * @param <T> what each phrase stands for (a concept, a trigger kind)
 */
final class PhraseIndex<T> {

    /** Called for every phrase that matches, with the token span it covers. */
    interface Match<T> {
        void at(int start, int end, T payload);
    }

    private record Entry<T>(Phrase phrase, T payload) {
    }

    private final Map<String, List<Entry<T>>> byFirstWord;
    private final List<Entry<T>> unindexed;

    private PhraseIndex(Map<String, List<Entry<T>>> byFirstWord, List<Entry<T>> unindexed) {
        this.byFirstWord = byFirstWord;
        this.unindexed = unindexed;
    }

    static <T> Builder<T> builder() {
        return new Builder<>();
    }

    static final class Builder<T> {
        private final Map<String, List<Entry<T>>> byFirstWord = new HashMap<>();
        private final List<Entry<T>> unindexed = new ArrayList<>();

        Builder<T> add(Phrase phrase, T payload) {
            Entry<T> e = new Entry<>(phrase, payload);
            phrase.firstWord().ifPresentOrElse(w -> byFirstWord.computeIfAbsent(w, k -> new ArrayList<>()).add(e),
                    () -> unindexed.add(e));
            return this;
        }

        PhraseIndex<T> build() {
            Map<String, List<Entry<T>>> copy = new HashMap<>();
            byFirstWord.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new PhraseIndex<>(Map.copyOf(copy), List.copyOf(unindexed));
        }
    }

    /** Reports every match of every phrase in the text, in token order. */
    void scan(ClinicalText text, Match<T> match) {
        for (int i = 0; i < text.size(); i++) {
            List<Entry<T>> candidates = byFirstWord.get(text.token(i));
            if (candidates != null) {
                report(candidates, text, i, match);
            }
            if (!unindexed.isEmpty()) {
                report(unindexed, text, i, match);
            }
        }
    }

    private static <T> void report(List<Entry<T>> entries, ClinicalText text, int i, Match<T> match) {
        for (Entry<T> e : entries) {
            if (e.phrase().matchesAt(text, i)) {
                match.at(i, i + e.phrase().length(), e.payload());
            }
        }
    }
}
