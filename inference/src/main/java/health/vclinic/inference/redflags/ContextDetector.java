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
 * must not reach the chest pain. One exception: a comma inside a list that the clause closes with
 * "or"/"nor" ("no facial droop, arm weakness or slurred speech") does not end the scope, so a negated
 * list is negated whole. "and" always ends a scope, so "denies facial droop and slurred speech" leaves
 * "slurred speech" affirmed, and "had chest pain and sweating last year" leaves "chest pain" current:
 * false alarms this service prefers to letting a negation or a date reach across "and" into a new,
 * current complaint ("crushing chest pain and had a stroke 3 years ago"). Pseudo triggers ("no
 * relief", "previously well") contain a trigger word but negate nothing.
 */
final class ContextDetector {

    enum Status { CURRENT, NEGATED, HISTORICAL }

    private enum Kind { NEGATION_BEFORE, NEGATION_AFTER, HISTORY_BEFORE, HISTORY_AFTER }

    private record Hit(Kind kind, int start, int end) {
    }

    /** Tokens that are part of a trigger or pseudo-trigger phrase; they name no finding. */
    private record Marks(boolean[] trigger) {
    }

    private final PhraseIndex<Kind> triggers;
    private final PhraseIndex<Boolean> pseudo;
    private final Set<String> terminators;

    ContextDetector(RulesFile.ContextSpec spec) {
        PhraseIndex.Builder<Kind> b = PhraseIndex.builder();
        spec.negationBefore().forEach(p -> b.add(Phrase.compile(p), Kind.NEGATION_BEFORE));
        spec.negationAfter().forEach(p -> b.add(Phrase.compile(p), Kind.NEGATION_AFTER));
        spec.historyBefore().forEach(p -> b.add(Phrase.compile(p), Kind.HISTORY_BEFORE));
        spec.historyAfter().forEach(p -> b.add(Phrase.compile(p), Kind.HISTORY_AFTER));
        this.triggers = b.build();
        PhraseIndex.Builder<Boolean> pb = PhraseIndex.builder();
        spec.pseudo().forEach(p -> pb.add(Phrase.compile(p), Boolean.TRUE));
        this.pseudo = pb.build();
        this.terminators = Set.copyOf(spec.scopeTerminators());
    }

    /** The triggers found in one text, ready to classify any number of mentions in it. */
    final class Analysis {
        private final ClinicalText text;
        private final List<Hit> hits;
        private final Marks marks;
        /** Whether token k ends a scope, and whether it is a {@link #listComma}: looked up once per text. */
        private final boolean[] terminator;
        private final boolean[] listComma;

        private Analysis(ClinicalText text, List<Hit> hits, Marks marks) {
            this.text = text;
            this.hits = hits;
            this.marks = marks;
            int n = text.size();
            this.terminator = new boolean[n];
            for (int k = 0; k < n; k++) {
                terminator[k] = terminator(text.token(k));
            }
            // From the right: whether "or"/"nor" comes before the next terminator other than a comma.
            this.listComma = new boolean[n];
            boolean orAhead = false;
            for (int k = n - 1; k >= 0; k--) {
                String t = text.token(k);
                listComma[k] = orAhead && t.equals(",");
                if (t.equals("or") || t.equals("nor")) {
                    orAhead = true;
                } else if (terminator[k] && !t.equals(",")) {
                    orAhead = false;
                }
            }
        }

        /** True when token {@code i} belongs to a negation, history or pseudo trigger ("denies", "no relief"). */
        boolean trigger(int i) {
            return marks.trigger()[i];
        }

        /** A comma followed, before the clause ends, by "or" or "nor": it separates items of one list. */
        private boolean listComma(int i) {
            return listComma[i];
        }

        /** Classifies the mention spanning tokens {@code start} (inclusive) to {@code end} (exclusive). */
        Status status(int start, int end) {
            int scopeStart = start;
            while (scopeStart > 0 && (!terminator[scopeStart - 1] || listComma(scopeStart - 1))) {
                scopeStart--;
            }
            int scopeEnd = end;
            while (scopeEnd < text.size() && !terminator[scopeEnd]) {
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
        pseudo.scan(text, (start, end, ignored) -> java.util.Arrays.fill(masked, start, end, true));
        boolean[] trigger = masked.clone();
        List<Hit> hits = new ArrayList<>();
        triggers.scan(text, (start, end, kind) -> {
            if (!masked[start]) {
                hits.add(new Hit(kind, start, end));
                java.util.Arrays.fill(trigger, start, end, true);
            }
        });
        return new Analysis(text, List.copyOf(hits), new Marks(trigger));
    }

    private boolean terminator(String token) {
        return terminators.contains(token);
    }
}
