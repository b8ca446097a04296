package health.vclinic.inference.redflags;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Why a concept is present: the patient's words (with their token span) or a structured fact
 * ("vitals.temperature_c 38.9"). Overlapping phrases collapse to the longest span, so "crushing chest
 * pain" is quoted once, not also as "chest pain".
 */
record Evidence(String text, int start, int end) {

    private static final int NO_SPAN = -1;

    static Evidence words(ClinicalText text, int start, int end) {
        return new Evidence("'" + text.quote(start, end) + "'", start, end);
    }

    static Evidence fact(String fact) {
        return new Evidence(fact, NO_SPAN, NO_SPAN);
    }

    boolean quoted() {
        return start != NO_SPAN;
    }

    /** Distinct quotes in order of appearance: words first by position, facts after; no span inside another. */
    static List<String> quotes(List<Evidence> evidence) {
        List<Evidence> words = new ArrayList<>(evidence.size());
        for (Evidence e : evidence) {
            if (e.quoted()) {
                words.add(e);
            }
        }
        // A stable sort, as the stream's was: by start, the longer span first.
        words.sort((a, b) -> a.start != b.start ? Integer.compare(a.start, b.start) : Integer.compare(b.end, a.end));
        Set<String> out = new LinkedHashSet<>();
        List<Evidence> kept = new ArrayList<>();
        for (Evidence e : words) {
            boolean inside = false;
            for (Evidence k : kept) {
                if (k.start <= e.start && e.end <= k.end) {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                kept.add(e);
                out.add(e.text);
            }
        }
        for (Evidence e : evidence) {
            if (!e.quoted()) {
                out.add(e.text);
            }
        }
        return List.copyOf(out);
    }
}
