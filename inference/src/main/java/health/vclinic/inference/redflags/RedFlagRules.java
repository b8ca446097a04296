package health.vclinic.inference.redflags;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import health.vclinic.datasets.Encounter;
import health.vclinic.inference.Disposition;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.TriageLevel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Red-flag rules, defined as data in a versioned rules file (by default
 * {@code red-flags.json} beside this class): a lexicon of clinical concepts with their phrases and
 * synonyms, the negation and history triggers, and rules that combine concepts. Immutable and safe to
 * share between threads; evaluation reads the complaint once and costs microseconds.
 *
 * <p>Sources of each rule are named in the file (NICE guidelines, Resuscitation Council UK, ESC,
 * JBDS, PHQ-9).
 */
public final class RedFlagRules {

    /** The rules file shipped with the service. */
    public static final String DEFAULT_RESOURCE = "red-flags.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final String version;
    private final List<RedFlagRule> rules;
    private final Map<String, Concept> concepts;
    /** The concepts that answers, vitals, pregnancy or questionnaires can establish, in file order. */
    private final List<Concept> structured;
    private final ContextDetector context;
    private final PhraseIndex<Concept> phrases;

    private RedFlagRules(RulesFile file) {
        this.version = file.version();
        this.context = new ContextDetector(file.context());
        Map<String, Concept> compiled = new LinkedHashMap<>();
        file.concepts().forEach((name, spec) -> compiled.put(name, new Concept(name, spec)));
        this.concepts = Map.copyOf(compiled);
        this.structured = compiled.values().stream().filter(Concept::structured).toList();
        this.rules = file.rules().stream().map(this::rule).toList();
        Set<String> ids = new HashSet<>();
        for (RedFlagRule r : rules) {
            if (!ids.add(r.id())) {
                throw new InferenceException("red-flag rules: duplicate rule id " + r.id());
            }
        }
        PhraseIndex.Builder<Concept> index = PhraseIndex.builder();
        compiled.values().forEach(c -> c.phrases().forEach(p -> index.add(p, c)));
        this.phrases = index.build();
    }

    /** The rules shipped with the service. */
    public static RedFlagRules standard() {
        try (InputStream in = RedFlagRules.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new InferenceException("red-flag rules file " + DEFAULT_RESOURCE + " is not on the class path");
            }
            return parse(in.readAllBytes(), DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new InferenceException("cannot read red-flag rules " + DEFAULT_RESOURCE, e);
        }
    }

    /** Rules from a file, e.g. a clinical team's candidate version under review. */
    public static RedFlagRules load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new InferenceException("cannot read red-flag rules " + file, e);
        }
    }

    private static RedFlagRules parse(byte[] json, String name) {
        try {
            return new RedFlagRules(JSON.readValue(json, RulesFile.class));
        } catch (IOException | RuntimeException e) {
            throw new InferenceException("red-flag rules " + name + " are invalid: " + e.getMessage(), e);
        }
    }

    public String version() {
        return version;
    }

    public List<RedFlagRule> rules() {
        return rules;
    }

    /** The rules that fire for this encounter, most urgent first, with their evidence. */
    public List<RedFlag> evaluate(Encounter encounter) {
        Map<String, List<Evidence>> evidence = evidence(encounter);
        List<RedFlag> fired = new ArrayList<>();
        OptionalDouble age = encounter.patient().ageYears();
        for (RedFlagRule rule : rules) {
            if (!rule.appliesAtAge(age)) {
                continue;
            }
            List<Evidence> because = new ArrayList<>();
            for (List<String> group : rule.when()) {
                if (evidence.keySet().containsAll(group)) {
                    group.forEach(c -> because.addAll(evidence.get(c)));
                }
            }
            if (!because.isEmpty()) {
                fired.add(new RedFlag(rule.id(), rule.description(), Evidence.quotes(because), rule.floor(),
                        rule.disposition(), rule.rationale(), rule.source()));
            }
        }
        fired.sort(Comparator.comparing(f -> f.floor().level()));
        return List.copyOf(fired);
    }

    /**
     * The words of a free text that state a current finding, by the same negation and history scopes
     * the rules use (NegEx, Chapman et al. 2001): words inside a negated or historical scope ("denies
     * chest pain", "had a seizure last year"), the trigger words themselves ("denies", "no relief") and
     * clause punctuation are left out. Words are normalised as the rules read them (lower case,
     * contractions expanded, number words as digits). The result is in runs: consecutive words with no
     * dropped word between them, so a caller can form word pairs that were really adjacent ("pain,
     * chest" is one run: punctuation alone does not break adjacency).
     */
    public List<List<String>> currentWords(String text) {
        Parsed parsed = parse(text);
        if (parsed.current == null) {
            parsed.current = currentWords(parsed.clinical, parsed.analysis);
        }
        return parsed.current;
    }

    /**
     * A complaint as read: its tokens and their negation and history scopes, and its current words once
     * asked for. One Assess reads the same complaint for the red flags, the oximetry check and the model's
     * features: {@link #parse} keeps the last one read on the calling thread (requests run on virtual
     * threads, so it goes with the request; a platform thread holds one complaint at most).
     */
    private static final class Parsed {
        final String text;
        final ClinicalText clinical;
        final ContextDetector.Analysis analysis;
        List<List<String>> current;

        Parsed(String text, ClinicalText clinical, ContextDetector.Analysis analysis) {
            this.text = text;
            this.clinical = clinical;
            this.analysis = analysis;
        }
    }

    private final ThreadLocal<Parsed> lastParsed = new ThreadLocal<>();

    private Parsed parse(String text) {
        Parsed p = lastParsed.get();
        if (p != null && p.text.equals(text)) {
            return p;
        }
        ClinicalText clinical = ClinicalText.of(text);
        p = new Parsed(text, clinical, clinical.size() == 0 ? null : context.analyse(clinical));
        lastParsed.set(p);
        return p;
    }

    private static List<List<String>> currentWords(ClinicalText clinical, ContextDetector.Analysis analysis) {
        List<List<String>> runs = new ArrayList<>();
        if (clinical.size() == 0) {
            return List.of();
        }
        List<String> run = new ArrayList<>();
        for (int i = 0; i < clinical.size(); i++) {
            String token = clinical.token(i);
            boolean punctuation = ClinicalText.punctuation(token);
            if (punctuation) {
                continue;
            }
            if (analysis.trigger(i) || analysis.status(i, i + 1) != ContextDetector.Status.CURRENT) {
                if (!run.isEmpty()) {
                    runs.add(List.copyOf(run));
                    run.clear();
                }
                continue;
            }
            run.add(token);
        }
        if (!run.isEmpty()) {
            runs.add(List.copyOf(run));
        }
        return List.copyOf(runs);
    }

    /** Concept name to its evidence, for every concept present (current, not negated, not history). */
    Map<String, List<Evidence>> evidence(Encounter encounter) {
        Map<String, List<Evidence>> found = new HashMap<>();
        Parsed parsed = parse(encounter.interview().chiefComplaint());
        ClinicalText text = parsed.clinical;
        if (text.size() > 0) {
            ContextDetector.Analysis analysis = parsed.analysis;
            phrases.scan(text, (start, end, concept) -> {
                if (analysis.status(start, end) == ContextDetector.Status.CURRENT) {
                    found.computeIfAbsent(concept.name(), k -> new ArrayList<>()).add(Evidence.words(text, start, end));
                }
            });
        }
        for (Concept c : structured) {
            for (String fact : c.structuredEvidence(encounter)) {
                found.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(Evidence.fact(fact));
            }
        }
        return found;
    }

    private RedFlagRule rule(RulesFile.RuleSpec spec) {
        if (spec.floorLevel() < 1 || spec.floorLevel() > 5) {
            throw new InferenceException("rule " + spec.id() + ": floor_level must be 1 to 5");
        }
        if (spec.when().isEmpty()) {
            throw new InferenceException("rule " + spec.id() + ": needs at least one 'when' group");
        }
        for (List<String> group : spec.when()) {
            if (group.isEmpty()) {
                throw new InferenceException("rule " + spec.id() + ": empty 'when' group");
            }
            for (String c : group) {
                if (!concepts.containsKey(c)) {
                    throw new InferenceException("rule " + spec.id() + ": unknown concept " + c);
                }
            }
        }
        Optional<Disposition> disposition = Optional.ofNullable(spec.disposition()).map(Disposition::valueOf);
        return new RedFlagRule(spec.id(), spec.description(), TriageLevel.of(spec.floorLevel()), disposition,
                spec.rationale(), spec.source(),
                spec.minAgeYears() == null ? OptionalDouble.empty() : OptionalDouble.of(spec.minAgeYears()),
                spec.maxAgeYears() == null ? OptionalDouble.empty() : OptionalDouble.of(spec.maxAgeYears()),
                spec.when());
    }
}
