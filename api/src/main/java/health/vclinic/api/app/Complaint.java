package health.vclinic.api.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A chief complaint cut into pieces, the words that fired a red flag marked: the rules quote the patient's words
 * as evidence ({@code 'crushing chest pain'}), and every place those words stand in the complaint is highlighted.
 * Evidence that is a structured fact ({@code vitals.temperature_c 38.9}) marks nothing.
 */
final class Complaint {

    /** One piece of the complaint, marked when it is evidence. */
    record Segment(String text, boolean marked) {
    }

    private Complaint() {
    }

    /** The complaint's segments with every quoted phrase of {@code evidence} marked (case-insensitive). */
    static List<Segment> highlight(String complaint, List<String> evidence) {
        boolean[] marked = new boolean[complaint.length()];
        String lower = complaint.toLowerCase(Locale.ROOT);
        boolean sameLength = lower.length() == complaint.length();
        for (String e : evidence) {
            if (!sameLength || e.length() < 3 || !e.startsWith("'") || !e.endsWith("'")) {
                continue;
            }
            String phrase = e.substring(1, e.length() - 1).toLowerCase(Locale.ROOT);
            for (int at = lower.indexOf(phrase); at >= 0 && !phrase.isEmpty(); at = lower.indexOf(phrase, at + 1)) {
                for (int i = at; i < at + phrase.length(); i++) {
                    marked[i] = true;
                }
            }
        }
        List<Segment> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= complaint.length(); i++) {
            if (i == complaint.length() || marked[i] != marked[start]) {
                out.add(new Segment(complaint.substring(start, i), marked[start]));
                start = i;
            }
        }
        return out;
    }
}
