package health.vclinic.inference.redflags;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a mention in free text is current, negated ("denies chest pain") or history ("had
 * chest pain last year"), in the manner of NegEx (Chapman et al., J Biomed Inform 2001): trigger
 * phrases before or after the mention, within its scope.
 *
 * <p>A scope ends at clause punctuation and at conjunctions that start a new thought ("but", "and",
 * "now"). The terminators are deliberately generous: in "no fever, crushing chest pain" the negation
 * must not reach the chest pain. The price is an occasional false alarm ("denies chest pain and
 * sweating" leaves "sweating" affirmed), which this service prefers to a missed emergency. Pseudo
 * triggers ("no relief", "previously well") contain a trigger word but negate nothing.
 */
final class ContextDetector {

    enum Status { CURRENT, NEGATED, HISTORICAL }

    private enum Kind { NEGATION_BEFORE, NEGATION_AFTER, HISTORY_BEFORE, HISTORY_AFTER }

    private record Trigger(Kind kind, Phrase phrase) {
    }

    private record Hit(Kind kind, int start, int end) {
    }

    private final List<Trigger> triggers;
    private final List<Phrase> pseudo;
    private final Set<String> terminators;

    ContextDetector(RulesFile.ContextSpec spec) {
        List<Trigger> list = new ArrayList<>();
        spec.negationBefore().forEach(p -> list.add(new Trigger(Kind.NEGATION_BEFORE, Phrase.compile(p))));
        spec.negationAfter().forEach(p -> list.add(new Trigger(Kind.NEGATION_AFTER, Phrase.compile(p))));
        spec.historyBefore().forEach(p -> list.add(new Trigger(Kind.HISTORY_BEFORE, Phrase.compile(p))));
        spec.historyAfter().forEach(p -> list.add(new Trigger(Kind.HISTORY_AFTER, Phrase.compile(p))));
        this.triggers = List.copyOf(list);
        this.pseudo = spec.pseudo().stream().map(Phrase::compile).toList();
        this.terminators = Set.copyOf(spec.scopeTerminators());
    }

    /** The triggers found in one text, ready to classify any number of mentions in it. */
    final class Analysis {
        private final ClinicalText text;
        private final List<Hit> hits;

        private Analysis(ClinicalText text, List<Hit> hits) {
            this.text = text;
            this.hits = hits;
        }

        /** Classifies the mention spanning tokens {@code start} (inclusive) to {@code end} (exclusive). */
        Status status(int start, int end) {
            int scopeStart = start;
            while (scopeStart > 0 && !terminator(text.token(scopeStart - 1))) {
                scopeStart--;
            }
            int scopeEnd = end;
            while (scopeEnd < text.size() && !terminator(text.token(scopeEnd))) {
                scopeEnd++;
            }
            boolean history = false;
            for (Hit h : hits) {
                boolean before = h.start() >= scopeStart && h.end() <= start;
                boolean after = h.start() >= end && h.end() <= scopeEnd;
                switch (h.kind()) {
                    case NEGATION_BEFORE -> {
                        if (before) {
                            return Status.NEGATED;
                        }
                    }
                    case NEGATION_AFTER -> {
                        if (after) {
                            return Status.NEGATED;
                        }
                    }
                    case HISTORY_BEFORE -> history |= before;
                    case HISTORY_AFTER -> history |= after;
                }
            }
            return history ? Status.HISTORICAL : Status.CURRENT;
        }
    }

    Analysis analyse(ClinicalText text) {
        boolean[] masked = new boolean[text.size()];
        for (int i = 0; i < text.size(); i++) {
            for (Phrase p : pseudo) {
                if (p.matchesAt(text, i)) {
                    for (int k = i; k < i + p.length(); k++) {
                        masked[k] = true;
                    }
                }
            }
        }
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            if (masked[i]) {
                continue;
            }
            for (Trigger t : triggers) {
                if (t.phrase().matchesAt(text, i)) {
                    hits.add(new Hit(t.kind(), i, i + t.phrase().length()));
                }
            }
        }
        return new Analysis(text, List.copyOf(hits));
    }

    private boolean terminator(String token) {
        return terminators.contains(token);
    }
}
