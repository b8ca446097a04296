package health.vclinic.inference.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import health.vclinic.inference.InferenceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chief-complaint normalisation: a small, versioned vocabulary ({@value #RESOURCE}) of emergency
 * shorthand and spelling variants ("abd", "sob", "n/v", "dyspnoea"), multi-word synonyms ("shortness of
 * breath"), and presenting-complaint groups after the CEDIS list that CTAS and KTAS triage from
 * (Grafstein et al., CJEM 2008): "chest-pain", "dyspnea", "altered-consciousness" and so on. A complaint
 * the training site wrote as "pain, chest" and a service user writes as "CP" both reach the
 * {@code chest-pain} group, so a model weighs groups that generalise beyond the words one site used.
 *
 * <p>It works on the current words of a complaint ({@code RedFlagRules.currentWords}): what is negated or
 * history never reaches it. A group's phrase matches when all its words occur together, in any order,
 * within as many adjacent words as it has ("pain, chest" matches "chest pain"). Plurals are reduced
 * by dropping a final "s" from words of more than three letters (not "ss", "us", "is").
 *
 * <p>Immutable and thread safe.
 */
public final class ComplaintLexicon {

    /** The lexicon shipped with the service, beside this class. */
    public static final String RESOURCE = "complaint-lexicon.json";

    private final String version;
    private final Map<String, List<String>> abbreviations;
    private final Map<List<String>, List<String>> phrases;
    private final Map<String, List<List<String>>> concepts;
    private final Set<String> centralPain;
    /** {@link #concepts} with each phrase's words sorted, for matching in any order. */
    private final Map<String, List<String[]>> sortedConcepts;

    private ComplaintLexicon(String version, Map<String, List<String>> abbreviations,
                             Map<List<String>, List<String>> phrases, Map<String, List<List<String>>> concepts,
                             Set<String> centralPain) {
        this.version = version;
        this.abbreviations = Map.copyOf(abbreviations);
        this.phrases = Map.copyOf(phrases);
        this.concepts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(concepts));
        this.centralPain = Set.copyOf(centralPain);
        Map<String, List<String[]>> sorted = new LinkedHashMap<>();
        this.concepts.forEach((name, list) -> sorted.put(name, list.stream().map(p -> {
            String[] words = p.toArray(String[]::new);
            Arrays.sort(words);
            return words;
        }).toList()));
        this.sortedConcepts = java.util.Collections.unmodifiableMap(sorted);
        List<String> names = List.copyOf(sorted.keySet());
        Map<String, java.util.BitSet> byWord = new HashMap<>();
        for (int c = 0; c < names.size(); c++) {
            for (String[] phrase : sorted.get(names.get(c))) {
                if (phrase.length > 0) {
                    byWord.computeIfAbsent(phrase[0], w -> new java.util.BitSet()).set(c);
                }
            }
        }
        this.conceptNames = names;
        this.phraseFirstWords = this.phrases.keySet().stream().map(List::getFirst)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.conceptsByFirstWord = Map.copyOf(byWord);
    }

    /** The first word of every synonym phrase: no phrase is replaced at a word outside it. */
    private final Set<String> phraseFirstWords;
    /** The group names in the lexicon's order, indexed as {@link #conceptsByFirstWord} sets them. */
    private final List<String> conceptNames;
    /**
     * For each word, the groups with a phrase whose first sorted word it is: a group none of whose
     * phrases starts with a word of the complaint cannot occur in it, so only these are tested.
     */
    private final Map<String, java.util.BitSet> conceptsByFirstWord;

    private static final class Holder {
        private static final ComplaintLexicon STANDARD = load();
    }

    /** The lexicon shipped with the service. */
    public static ComplaintLexicon standard() {
        return Holder.STANDARD;
    }

    private static ComplaintLexicon load() {
        try (InputStream in = ComplaintLexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new InferenceException("complaint lexicon " + RESOURCE + " is not on the class path");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, List<String>> abbreviations = new HashMap<>();
            root.path("abbreviations").properties().forEach(e -> abbreviations.put(e.getKey(), words(e.getValue())));
            Map<List<String>, List<String>> phrases = new HashMap<>();
            root.path("phrases").properties().forEach(e -> phrases.put(split(e.getKey()), words(e.getValue())));
            Map<String, List<List<String>>> concepts = new LinkedHashMap<>();
            root.path("concepts").properties().forEach(e -> {
                List<List<String>> list = new ArrayList<>();
                e.getValue().forEach(p -> list.add(split(p.asText())));
                concepts.put(e.getKey(), List.copyOf(list));
            });
            Set<String> central = new LinkedHashSet<>(words(root.path("central_pain_concepts")));
            if (!concepts.keySet().containsAll(central)) {
                throw new InferenceException("complaint lexicon: central_pain_concepts must name concepts");
            }
            String version = root.path("version").asText("");
            if (version.isBlank()) {
                throw new InferenceException("complaint lexicon: \"version\" is required");
            }
            return new ComplaintLexicon(version, abbreviations, phrases, concepts, central);
        } catch (IOException e) {
            throw new InferenceException("cannot read complaint lexicon " + RESOURCE, e);
        }
    }

    private static List<String> words(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static List<String> split(String phrase) {
        return List.of(phrase.strip().split(" +"));
    }

    public String version() {
        return version;
    }

    /** The group names, in the lexicon's order. */
    public List<String> concepts() {
        return List.copyOf(concepts.keySet());
    }

    /** Every phrase of every group, words joined by a space, in the lexicon's order. */
    public List<String> phrases() {
        List<String> out = new ArrayList<>();
        concepts.values().forEach(list -> list.forEach(p -> out.add(String.join(" ", p))));
        return List.copyOf(out);
    }

    /** The phrases of one group, words joined by a space, in the lexicon's order; empty for an unknown group. */
    public List<String> phrases(String concept) {
        return concepts.getOrDefault(concept, List.of()).stream().map(p -> String.join(" ", p)).toList();
    }

    /** The groups whose pain counts as central (chest, abdomen, head) for the KTAS pain modifier. */
    public Set<String> centralPainConcepts() {
        return centralPain;
    }

    /**
     * Current words as this lexicon reads them: normalised ({@link #normalise}) and their groups
     * ({@link #conceptsIn}).
     *
     * @param runs the runs read, as given
     */
    public record Reading(List<List<String>> runs, List<List<String>> normalised, Set<String> concepts) {
    }

    /**
     * The last reading on the calling thread. One Assess reads the same complaint's current words (one
     * list, kept by {@code RedFlagRules}) for the oximetry check and for the model's features; requests run
     * on virtual threads, so the memo goes with the request.
     */
    private final ThreadLocal<Reading> lastReading = new ThreadLocal<>();

    /**
     * {@link #normalise} and {@link #conceptsIn} of {@code runs}, computed once for the same list object in
     * a row on a thread (the memo is keyed by identity).
     *
     * @param runs immutable, as {@code RedFlagRules.currentWords} gives them
     */
    public Reading read(List<List<String>> runs) {
        Reading last = lastReading.get();
        if (last != null && last.runs() == runs) {
            return last;
        }
        List<List<String>> normalised = normalise(runs);
        Reading r = new Reading(runs, normalised, java.util.Collections.unmodifiableSet(conceptsIn(normalised)));
        lastReading.set(r);
        return r;
    }

    /** Runs of words with shorthand expanded, plurals reduced and synonyms replaced. */
    public List<List<String>> normalise(List<List<String>> runs) {
        List<List<String>> out = new ArrayList<>(runs.size());
        for (List<String> run : runs) {
            List<String> expanded = new ArrayList<>();
            for (String w : run) {
                String singular = singular(w);
                List<String> a = abbreviations.get(w);
                if (a == null) {
                    a = abbreviations.getOrDefault(singular, List.of(singular));
                }
                expanded.addAll(a);
            }
            out.add(List.copyOf(replacePhrases(expanded)));
        }
        return List.copyOf(out);
    }

    private List<String> replacePhrases(List<String> words) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < words.size()) {
            boolean replaced = false;
            int longest = phraseFirstWords.contains(words.get(i)) ? Math.min(4, words.size() - i) : 0;
            for (int len = longest; len >= 2 && !replaced; len--) {
                List<String> r = phrases.get(words.subList(i, i + len));
                if (r != null) {
                    out.addAll(r);
                    i += len;
                    replaced = true;
                }
            }
            if (!replaced) {
                out.add(words.get(i++));
            }
        }
        return out;
    }

    /** The groups whose phrases occur in normalised runs, in the lexicon's order. */
    public Set<String> conceptsIn(List<List<String>> normalised) {
        // Every word of the complaint, once: a phrase with a word outside it cannot occur (most cannot).
        Set<String> present = new java.util.HashSet<>();
        normalised.forEach(present::addAll);
        java.util.BitSet candidates = new java.util.BitSet();
        for (String w : present) {
            java.util.BitSet groups = conceptsByFirstWord.get(w);
            if (groups != null) {
                candidates.or(groups);
            }
        }
        Set<String> found = new LinkedHashSet<>();
        for (int g = candidates.nextSetBit(0); g >= 0; g = candidates.nextSetBit(g + 1)) {
            String name = conceptNames.get(g);
            for (String[] phrase : sortedConcepts.get(name)) {
                if (occurs(phrase, present, normalised)) {
                    found.add(name);
                    break;
                }
            }
        }
        return found;
    }

    /**
     * Whether some window of {@code phrase.length} adjacent words of a run holds exactly the phrase's words,
     * in any order.
     *
     * @param phrase the phrase's words, sorted
     * @param present every word of the runs
     */
    private static boolean occurs(String[] phrase, Set<String> present, List<List<String>> runs) {
        for (String w : phrase) {
            if (!present.contains(w)) {
                return false;
            }
        }
        String[] window = new String[phrase.length];
        for (List<String> run : runs) {
            for (int i = 0; i + phrase.length <= run.size(); i++) {
                for (int k = 0; k < phrase.length; k++) {
                    window[k] = run.get(i + k);
                }
                Arrays.sort(window);
                if (Arrays.equals(window, phrase)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String singular(String w) {
        if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}
