package health.vclinic.api.app;

import health.vclinic.datasets.InvalidInputException;
import io.helidon.common.parameters.Parameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The worklist's filters as the page's form sends them ({@code kind}, {@code level}, {@code refresh}, and
 * {@code after} for the next page), checked: a value outside its list is a 400 naming the field.
 *
 * @param kinds why items are on the list (the review API's kinds); empty: all
 * @param levels triage levels 1 to 5; empty: all
 * @param refreshSeconds how often the page asks for new items
 * @param after where the previous page ended (opaque to the page)
 */
record WorklistFilters(Set<String> kinds, Set<Integer> levels, int refreshSeconds, Optional<String> after) {

    /** The kinds, as the review API names them, in words. */
    static final Map<String, String> KINDS = kindWords();
    static final List<Integer> REFRESH = List.of(5, 10, 30, 60);
    static final int DEFAULT_REFRESH = 10;
    /** Faster refreshes are for tests and demonstrations; the form offers {@link #REFRESH}. */
    private static final int MIN_REFRESH = 2;

    /** One checkbox or option of the form. */
    record Choice(String value, String words, boolean checked) {
    }

    WorklistFilters {
        kinds = Set.copyOf(new TreeSet<>(kinds));
        levels = Set.copyOf(new TreeSet<>(levels));
    }

    private static Map<String, String> kindWords() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("NEEDS_REVIEW", "review asked");
        m.put("HIGH_ACUITY", "level 1 or 2");
        m.put("MODEL_RULES_DISAGREE", "model above the rules");
        m.put("DEGRADED", "degraded answer");
        m.put("ALERT", "monitoring alert");
        return java.util.Collections.unmodifiableMap(m);
    }

    static WorklistFilters of(Parameters query) {
        Set<String> kinds = new TreeSet<>();
        for (String k : query.all("kind", List::of)) {
            if (!KINDS.containsKey(k)) {
                throw new InvalidInputException("kind", "must be one of " + KINDS.keySet());
            }
            kinds.add(k);
        }
        Set<Integer> levels = new TreeSet<>();
        for (String l : query.all("level", List::of)) {
            if (!l.matches("[1-5]")) {
                throw new InvalidInputException("level", "must be a triage level from 1 to 5");
            }
            levels.add(Integer.parseInt(l));
        }
        int refresh = DEFAULT_REFRESH;
        Optional<String> r = query.first("refresh").asOptional();
        if (r.isPresent()) {
            if (!r.get().matches("[0-9]{1,3}") || Integer.parseInt(r.get()) < MIN_REFRESH
                    || Integer.parseInt(r.get()) > 300) {
                throw new InvalidInputException("refresh", "must be " + MIN_REFRESH + " to 300 seconds");
            }
            refresh = Integer.parseInt(r.get());
        }
        Optional<String> after = query.first("after").asOptional().filter(a -> !a.isEmpty());
        return new WorklistFilters(kinds, levels, refresh, after);
    }

    List<Choice> kindChoices() {
        List<Choice> out = new ArrayList<>();
        KINDS.forEach((k, words) -> out.add(new Choice(k, words, kinds.contains(k))));
        return out;
    }

    List<Choice> levelChoices() {
        List<Choice> out = new ArrayList<>();
        for (int l = 1; l <= 5; l++) {
            out.add(new Choice(Integer.toString(l), l + " " + Clinical.acuity(l).toLowerCase(java.util.Locale.ROOT),
                    levels.contains(l)));
        }
        return out;
    }

    List<Choice> refreshChoices() {
        List<Choice> out = new ArrayList<>();
        List<Integer> offered = new ArrayList<>(REFRESH);
        if (!offered.contains(refreshSeconds)) {
            offered.addFirst(refreshSeconds);
        }
        for (int s : offered) {
            out.add(new Choice(Integer.toString(s), s + " seconds", s == refreshSeconds));
        }
        return out;
    }

    /** The query of the page after this one (the filters kept, {@code after} set). */
    String next(String afterToken) {
        StringBuilder q = new StringBuilder("/app/?");
        kinds.forEach(k -> q.append("kind=").append(k).append('&'));
        levels.forEach(l -> q.append("level=").append(l).append('&'));
        q.append("refresh=").append(refreshSeconds).append("&after=")
                .append(java.net.URLEncoder.encode(afterToken, java.nio.charset.StandardCharsets.UTF_8));
        return q.toString();
    }
}
