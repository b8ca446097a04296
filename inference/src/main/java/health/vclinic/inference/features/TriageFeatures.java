package health.vclinic.inference.features;

import health.vclinic.datasets.ArrivalMode;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.news2.News2Parameter;
import health.vclinic.inference.news2.ParameterScore;
import health.vclinic.inference.redflags.RedFlag;
import health.vclinic.inference.redflags.RedFlagRule;
import health.vclinic.inference.redflags.RedFlagRules;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The one feature extractor of the triage model: the training pipeline builds its examples with it
 * and the served model builds its input with it, so the two cannot drift apart. Version
 * {@value #VERSION}; a model card names the version and the features it uses, and a service refuses a
 * model whose features this class cannot build ({@link #indicesOf(List)}).
 *
 * <p>Features, all numbers; a value that was not given contributes 0 and sets its {@code missing:}
 * indicator:
 * <ul>
 *   <li>{@code vital:<name>}: heart rate, respiratory rate, systolic and diastolic pressure,
 *       temperature and SpO2 as (value - normal) / spread, so 0 is a normal adult value (80 /min,
 *       16 /min, 120 and 80 mmHg, 37 °C, 97 %); with {@code missing:<name>}.</li>
 *   <li>{@code news2:<parameter>}: the NEWS2 points of each parameter (RCP 2017, Chart 1), 0-3, which
 *       carry the U-shaped risk a linear term cannot.</li>
 *   <li>{@code age:years} ((age - 50) / 20), {@code age:65-plus}, {@code missing:age};
 *       {@code sex:female}, {@code sex:male}.</li>
 *   <li>{@code pain:score} (0-10 rating / 10), {@code missing:pain}.</li>
 *   <li>{@code consciousness:<ACVPU state>} for every state but alert, {@code missing:consciousness}.</li>
 *   <li>{@code arrival:<mode>} ({@link ArrivalMode}), {@code missing:arrival_mode};
 *       {@code injury:yes}, {@code missing:injury}.</li>
 *   <li>{@code red-flag:<rule id>} for every red-flag rule, 1 when it fired.</li>
 *   <li>{@code complaint:<term>} for every term of the {@link ComplaintVocabulary}, 1 when the chief
 *       complaint has it.</li>
 * </ul>
 *
 * <p>Every feature belongs to one clinical input ({@link #inputOf}), which explanations report as
 * one: a heart rate's value, missing indicator and NEWS2 points are "heart rate 128 /min".
 *
 * <p>Immutable and thread safe.
 */
public final class TriageFeatures {

    /** The name prefix of a complaint term's feature; no other feature's name starts with it. */
    private static final String TERM = "complaint:";
    /** The name prefix of a complaint group's feature; no other feature's name starts with it. */
    private static final String CONCEPT = "concept:";

    /** The version of the feature definitions above; a change to any of them needs a new version. */
    public static final String VERSION = "vclinic-triage-features/2";
    /** The first version: complaint words read without their negation; kept so version 1 models still run. */
    public static final String VERSION_1 = "vclinic-triage-features/1";
    /** Every version this class builds. */
    public static final List<String> VERSIONS = List.of(VERSION_1, VERSION);

    private record Input(Encounter encounter, RuleFindings findings, Set<String> terms, Set<String> concepts) {
    }

    /**
     * A chief complaint as this extractor reads it: its terms (before a vocabulary filters them) and, in
     * version 2, its complaint groups. A complaint kept only as these (a de-identified reviewed case) gives
     * the same complaint features as its text.
     */
    public record ComplaintReading(Set<String> terms, Set<String> concepts) {
        public ComplaintReading {
            // In the order read: explanations list the groups in it.
            terms = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(terms));
            concepts = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(concepts));
        }
    }

    /** One feature, and the clinical input it is computed from. */
    private record Feature(String name, String input, ToDoubleFunction<Input> value) {
    }

    /** The input each NEWS2 parameter's points belong to. */
    private static final Map<News2Parameter, String> NEWS2_INPUT = Map.of(
            News2Parameter.RESPIRATORY_RATE, "respiratory_rate",
            News2Parameter.SPO2, "spo2",
            News2Parameter.AIR_OR_OXYGEN, "supplemental_oxygen",
            News2Parameter.SYSTOLIC_BP, "systolic_bp",
            News2Parameter.PULSE, "heart_rate",
            News2Parameter.CONSCIOUSNESS, "consciousness",
            News2Parameter.TEMPERATURE, "temperature_c");

    private record Vital(String name, Function<VitalSigns, OptionalDouble> value, double normal, double spread,
                         String words, String unit) {
    }

    private static final List<Vital> VITALS = List.of(
            new Vital("heart_rate", VitalSigns::heartRate, 80, 20, "heart rate", " /min"),
            new Vital("respiratory_rate", VitalSigns::respiratoryRate, 16, 4, "respiratory rate", " /min"),
            new Vital("systolic_bp", VitalSigns::systolicBp, 120, 20, "systolic blood pressure", " mmHg"),
            new Vital("diastolic_bp", VitalSigns::diastolicBp, 80, 15, "diastolic blood pressure", " mmHg"),
            new Vital("temperature_c", VitalSigns::temperatureC, 37, 1, "temperature", " °C"),
            new Vital("spo2", VitalSigns::spo2, 97, 3, "SpO2", " %"));

    private final String version;
    private final ComplaintVocabulary vocabulary;
    private final RedFlagRules rules;
    private final List<Feature> features;
    private final List<String> names;
    private final Map<String, Integer> index;
    private final Map<String, Function<Input, String>> inputs;

    private TriageFeatures(String version, ComplaintVocabulary vocabulary, RedFlagRules rules, List<Feature> features,
                           Map<String, Function<Input, String>> inputs) {
        this.version = version;
        this.vocabulary = vocabulary;
        this.rules = rules;
        this.inputs = Map.copyOf(inputs);
        this.features = List.copyOf(features);
        this.names = features.stream().map(Feature::name).toList();
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (byName.put(names.get(i), i) != null) {
                throw new IllegalStateException("feature " + names.get(i) + " is defined twice");
            }
        }
        this.index = Map.copyOf(byName);
    }

    /**
     * The features for a complaint vocabulary and a red-flag rule set.
     *
     * @param rules the rules whose hits become features; the served rules must define every rule a
     *     model was trained with, else {@link #indicesOf(List)} refuses the model
     */
    public static TriageFeatures create(ComplaintVocabulary vocabulary, RedFlagRules rules) {
        return create(VERSION, vocabulary, rules);
    }

    /**
     * The features of one version ({@link #VERSIONS}).
     *
     * @throws InferenceException for a version this class does not build
     */
    public static TriageFeatures create(String version, ComplaintVocabulary vocabulary, RedFlagRules rules) {
        if (!VERSIONS.contains(version)) {
            throw new InferenceException("features " + version + " are not built by this service; it builds " + VERSIONS);
        }
        boolean v2 = version.equals(VERSION);
        ComplaintLexicon lexicon = ComplaintLexicon.standard();
        List<Feature> f = new ArrayList<>();
        Map<String, Function<Input, String>> inputs = new LinkedHashMap<>();
        for (Vital v : VITALS) {
            inputs.put(v.name(), in -> v.value().apply(in.encounter().vitals()).isPresent()
                    ? v.words() + " " + rounded(v.value().apply(in.encounter().vitals()).getAsDouble(),
                    v.name().equals("temperature_c") ? 1 : 0) + v.unit()
                    : v.words() + " not measured");
            f.add(new Feature("vital:" + v.name(), v.name(),
                    in -> scaled(v.value().apply(in.encounter().vitals()), v.normal(), v.spread())));
            f.add(new Feature("missing:" + v.name(), v.name(),
                    in -> v.value().apply(in.encounter().vitals()).isPresent() ? 0 : 1));
        }
        inputs.put("supplemental_oxygen", in -> in.encounter().vitals().supplementalOxygen()
                .map(o -> o ? "on oxygen" : "on room air").orElse("oxygen use not given"));
        inputs.put("consciousness", in -> in.encounter().vitals().consciousness()
                .map(TriageFeatures::consciousnessWords).orElse("consciousness not assessed"));
        for (News2Parameter p : News2Parameter.values()) {
            f.add(new Feature("news2:" + p.id(), NEWS2_INPUT.get(p),
                    in -> in.findings().news2().parameter(p).map(ParameterScore::points).orElse(0)));
        }
        inputs.put("age", in -> in.encounter().patient().ageYears().isPresent()
                ? "age " + (long) Math.floor(in.encounter().patient().ageYears().getAsDouble()) : "age not given");
        f.add(new Feature("age:years", "age", in -> scaled(in.encounter().patient().ageYears(), 50, 20)));
        f.add(new Feature("age:65-plus", "age", in -> in.encounter().patient().ageYears().orElse(0) >= 65 ? 1 : 0));
        f.add(new Feature("missing:age", "age", in -> in.encounter().patient().ageYears().isPresent() ? 0 : 1));
        inputs.put("sex", in -> switch (in.encounter().patient().sex()) {
            case FEMALE -> "female";
            case MALE -> "male";
            case OTHER, UNKNOWN -> "sex not given";
        });
        f.add(new Feature("sex:female", "sex", in -> in.encounter().patient().sex() == Sex.FEMALE ? 1 : 0));
        f.add(new Feature("sex:male", "sex", in -> in.encounter().patient().sex() == Sex.MALE ? 1 : 0));
        inputs.put("pain", in -> in.encounter().interview().painScore().isPresent()
                ? "pain " + in.encounter().interview().painScore().getAsInt() + "/10" : "pain score not given");
        f.add(new Feature("pain:score", "pain", in -> in.encounter().interview().painScore().orElse(0) / 10.0));
        f.add(new Feature("missing:pain", "pain", in -> in.encounter().interview().painScore().isPresent() ? 0 : 1));
        for (Consciousness c : Consciousness.values()) {
            if (c.altered()) {
                f.add(new Feature("consciousness:" + c.name().toLowerCase(Locale.ROOT), "consciousness",
                        in -> in.encounter().vitals().consciousness().filter(c::equals).isPresent() ? 1 : 0));
            }
        }
        f.add(new Feature("missing:consciousness", "consciousness",
                in -> in.encounter().vitals().consciousness().isPresent() ? 0 : 1));
        inputs.put("arrival_mode", in -> in.encounter().interview().arrivalMode()
                .map(m -> "arrived by " + m.words()).orElse("arrival mode not given"));
        for (ArrivalMode m : ArrivalMode.values()) {
            f.add(new Feature("arrival:" + m.answer(), "arrival_mode",
                    in -> in.encounter().interview().arrivalMode().filter(m::equals).isPresent() ? 1 : 0));
        }
        f.add(new Feature("missing:arrival_mode", "arrival_mode",
                in -> in.encounter().interview().arrivalMode().isPresent() ? 0 : 1));
        inputs.put("injury", in -> in.encounter().interview().injury().map(i -> i ? "injury" : "no injury")
                .orElse("injury not asked"));
        f.add(new Feature("injury:yes", "injury", in -> in.encounter().interview().injury().orElse(false) ? 1 : 0));
        f.add(new Feature("missing:injury", "injury", in -> in.encounter().interview().injury().isPresent() ? 0 : 1));
        for (RedFlagRule rule : rules.rules()) {
            String input = "red-flag:" + rule.id();
            inputs.put(input, in -> "red flag: " + rule.description());
            f.add(new Feature(input, input, in -> fired(in.findings(), rule.id()) ? 1 : 0));
        }
        Map<String, Integer> vocabularyOrder = new HashMap<>();
        for (String term : vocabulary.terms()) {
            vocabularyOrder.putIfAbsent(term, vocabularyOrder.size());
        }
        inputs.put("complaint", in -> complaintWords(vocabularyOrder, in));
        inputs.put("news2", in -> "NEWS2 total " + in.findings().news2().total());
        for (String term : vocabulary.terms()) {
            f.add(new Feature(TERM + term, "complaint", in -> in.terms().contains(term) ? 1 : 0));
        }
        if (v2) {
            addVersion2(f, lexicon);
        }
        return new TriageFeatures(version, vocabulary, rules, f, inputs);
    }

    /**
     * Version 2 adds the complaint groups of the {@link ComplaintLexicon}, the NEWS2 aggregate, and two
     * interactions that triage scales apply: the KTAS/CTAS pain modifier, in which the same pain score
     * counts more for central pain (chest, abdomen, head) than for peripheral pain (Bullard et al., CJEM
     * 2008, "Revisions to the Canadian Emergency Department Triage and Acuity Scale implementation
     * guidelines"), and age 65 or over with abnormal vital signs, in whom the same NEWS2 points carry
     * more risk.
     */
    private static void addVersion2(List<Feature> f, ComplaintLexicon lexicon) {
        for (String concept : lexicon.concepts()) {
            f.add(new Feature(CONCEPT + concept, "complaint", in -> in.concepts().contains(concept) ? 1 : 0));
        }
        f.add(new Feature("news2:aggregate", "news2", in -> in.findings().news2().total()));
        f.add(new Feature("pain:central-severe", "pain", in -> central(in, lexicon) && pain(in) >= 8 ? 1 : 0));
        f.add(new Feature("pain:central-moderate", "pain",
                in -> central(in, lexicon) && pain(in) >= 4 && pain(in) < 8 ? 1 : 0));
        f.add(new Feature("pain:peripheral-severe", "pain", in -> !central(in, lexicon) && pain(in) >= 8 ? 1 : 0));
        f.add(new Feature("pain:peripheral-moderate", "pain",
                in -> !central(in, lexicon) && pain(in) >= 4 && pain(in) < 8 ? 1 : 0));
        f.add(new Feature("age:65-plus*news2", "age",
                in -> in.encounter().patient().ageYears().orElse(0) >= 65 ? in.findings().news2().total() : 0));
    }

    /** "complaint words 'chest', 'chest pain' (chest-pain)", or "complaint group administrative" without known words. */
    private static String complaintWords(Map<String, Integer> vocabularyOrder, Input in) {
        // The complaint's terms that are in the vocabulary, in the vocabulary's order.
        List<String> known = new ArrayList<>();
        for (String t : in.terms()) {
            if (vocabularyOrder.containsKey(t)) {
                known.add(t);
            }
        }
        known.sort(java.util.Comparator.comparing(vocabularyOrder::get));
        StringBuilder b = new StringBuilder();
        for (String t : known) {
            b.append(b.isEmpty() ? "'" : ", '").append(t.replace('+', ' ')).append('\'');
        }
        String words = b.toString();
        String groups = String.join(", ", in.concepts());
        if (words.isEmpty()) {
            return groups.isEmpty() ? "complaint words none known" : "complaint group " + groups;
        }
        return "complaint words " + words + (groups.isEmpty() ? "" : " (" + groups + ")");
    }

    private static boolean central(Input in, ComplaintLexicon lexicon) {
        for (String c : lexicon.centralPainConcepts()) {
            if (in.concepts().contains(c)) {
                return true;
            }
        }
        return false;
    }

    private static int pain(Input in) {
        return in.encounter().interview().painScore().orElse(0);
    }

    /** The feature names, in this extractor's order (the order of {@link #extract}). */
    public List<String> names() {
        return names;
    }

    public ComplaintVocabulary vocabulary() {
        return vocabulary;
    }

    /** The feature version this extractor builds. */
    public String version() {
        return version;
    }

    /**
     * The complaint terms this extractor reads, before the vocabulary filters them: in version 2 the
     * words and adjacent pairs of the current (not negated, not historical) words, normalised by the
     * {@link ComplaintLexicon}; in version 1 every word.
     */
    public Set<String> complaintTerms(String complaint) {
        return complaintTerms(version, rules, complaint);
    }

    /** As {@link #complaintTerms(String)} for a version, before a vocabulary exists (to learn one). */
    public static Set<String> complaintTerms(String version, RedFlagRules rules, String complaint) {
        if (version.equals(VERSION_1)) {
            return ComplaintVocabulary.terms(complaint);
        }
        return ComplaintVocabulary.terms(ComplaintLexicon.standard().normalise(rules.currentWords(complaint)));
    }

    /** How this extractor reads a chief complaint. */
    public ComplaintReading read(String complaint) {
        if (version.equals(VERSION_1)) {
            return new ComplaintReading(ComplaintVocabulary.terms(complaint), Set.of());
        }
        ComplaintLexicon.Reading reading = ComplaintLexicon.standard().read(rules.currentWords(complaint));
        return new ComplaintReading(ComplaintVocabulary.terms(reading.normalised()), reading.concepts());
    }

    /**
     * The value of every feature for one encounter.
     *
     * @param findings the rule findings for the same encounter ({@code TriageEngine.findings})
     */
    public double[] extract(Encounter encounter, RuleFindings findings) {
        return extract(encounter, findings, read(encounter.interview().chiefComplaint()));
    }

    /**
     * The value of every feature for one encounter whose chief complaint is given as read ({@link #read}),
     * not as the text in {@code encounter}.
     */
    public double[] extract(Encounter encounter, RuleFindings findings, ComplaintReading complaint) {
        Input in = new Input(encounter, findings, complaint.terms(), complaint.concepts());
        double[] values = new double[features.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = features.get(i).value().applyAsDouble(in);
        }
        return values;
    }

    /**
     * Where each of {@code modelFeatures} lies in {@link #extract}'s output: how a model's input is
     * gathered.
     *
     * @throws InferenceException listing the features this extractor cannot build
     */
    public int[] indicesOf(List<String> modelFeatures) {
        List<String> unknown = modelFeatures.stream().filter(n -> !index.containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            throw new InferenceException("the model needs features that " + VERSION + " with these red-flag rules"
                    + " and complaint vocabulary cannot build: " + unknown.stream().limit(10).toList()
                    + (unknown.size() > 10 ? " and " + (unknown.size() - 10) + " more" : ""));
        }
        return modelFeatures.stream().mapToInt(index::get).toArray();
    }

    /**
     * A model's input row built directly, in the model's feature order ({@link #indicesOf}): the same
     * values as {@link #extract} gathered and narrowed to float, without computing the features the model
     * does not use, and with the complaint's terms and groups set from the reading rather than tested one
     * vocabulary term at a time.
     *
     * @throws InferenceException as {@link #indicesOf}
     */
    public Gatherer gatherer(List<String> modelFeatures) {
        int[] at = indicesOf(modelFeatures);
        List<Integer> general = new ArrayList<>();
        Map<String, int[]> terms = new HashMap<>();
        Map<String, int[]> concepts = new HashMap<>();
        for (int i = 0; i < at.length; i++) {
            String name = names.get(at[i]);
            if (name.startsWith(TERM)) {
                terms.merge(name.substring(TERM.length()), new int[] {i}, TriageFeatures::concat);
            } else if (name.startsWith(CONCEPT)) {
                concepts.merge(name.substring(CONCEPT.length()), new int[] {i}, TriageFeatures::concat);
            } else {
                general.add(i);
            }
        }
        int[] positions = general.stream().mapToInt(Integer::intValue).toArray();
        @SuppressWarnings("unchecked")
        ToDoubleFunction<Input>[] values = new ToDoubleFunction[positions.length];
        for (int k = 0; k < positions.length; k++) {
            values[k] = features.get(at[positions[k]]).value();
        }
        return new Gatherer(at.length, positions, values, Map.copyOf(terms), Map.copyOf(concepts));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Builds one model's input row ({@link #gatherer}); immutable and thread safe. */
    public static final class Gatherer {

        private final int width;
        private final int[] positions;
        private final ToDoubleFunction<Input>[] values;
        private final Map<String, int[]> terms;
        private final Map<String, int[]> concepts;

        private Gatherer(int width, int[] positions, ToDoubleFunction<Input>[] values, Map<String, int[]> terms,
                         Map<String, int[]> concepts) {
            this.width = width;
            this.positions = positions;
            this.values = values;
            this.terms = terms;
            this.concepts = concepts;
        }

        /** The row for one encounter whose chief complaint is given as read. */
        public float[] row(Encounter encounter, RuleFindings findings, ComplaintReading complaint) {
            Input in = new Input(encounter, findings, complaint.terms(), complaint.concepts());
            float[] x = new float[width];
            for (int k = 0; k < positions.length; k++) {
                x[positions[k]] = (float) values[k].applyAsDouble(in);
            }
            set(x, terms, complaint.terms());
            set(x, concepts, complaint.concepts());
            return x;
        }

        private static void set(float[] x, Map<String, int[]> at, Set<String> present) {
            for (String p : present) {
                int[] where = at.get(p);
                if (where != null) {
                    for (int i : where) {
                        x[i] = 1f;
                    }
                }
            }
        }
    }

    /**
     * The clinical input a feature is computed from: a vital sign (its value, missing indicator and
     * NEWS2 points), {@code consciousness}, {@code age}, {@code sex}, {@code pain},
     * {@code arrival_mode}, {@code injury}, one red-flag rule, or {@code complaint} (all its words).
     * Explanations add up the contributions of an input's features, so correlated features of one
     * measurement are reported once, as a clinician reads it.
     */
    public String inputOf(String feature) {
        Integer i = index.get(feature);
        if (i == null) {
            throw new IllegalArgumentException("no feature " + feature);
        }
        return features.get(i).input();
    }

    /** Each input in plain words with this encounter's value, e.g. "heart rate 128 /min". */
    public List<String> words(List<String> inputNames, Encounter encounter, RuleFindings findings) {
        return words(inputNames, encounter, findings, read(encounter.interview().chiefComplaint()));
    }

    /** As {@link #words(List, Encounter, RuleFindings)}, with the chief complaint given as read. */
    public List<String> words(List<String> inputNames, Encounter encounter, RuleFindings findings,
                              ComplaintReading complaint) {
        Input in = new Input(encounter, findings, complaint.terms(), complaint.concepts());
        List<String> words = new ArrayList<>(inputNames.size());
        for (String name : inputNames) {
            Function<Input, String> w = inputs.get(name);
            if (w == null) {
                throw new IllegalArgumentException("no input " + name);
            }
            words.add(w.apply(in));
        }
        return words;
    }


    private static double scaled(OptionalDouble value, double normal, double spread) {
        return value.isPresent() ? (value.getAsDouble() - normal) / spread : 0;
    }

    private static boolean fired(RuleFindings findings, String ruleId) {
        for (RedFlag f : findings.redFlags()) {
            if (f.code().equals(ruleId)) {
                return true;
            }
        }
        return false;
    }

    private static String consciousnessWords(Consciousness c) {
        return switch (c) {
            case NEW_CONFUSION -> "new confusion";
            case VOICE -> "responds to voice only";
            case PAIN -> "responds to pain only";
            case UNRESPONSIVE -> "unresponsive";
            case ALERT -> "alert";
        };
    }

    /** A value as a clinician writes it: temperature to 0.1 °C, other vital signs to whole numbers. */
    private static String rounded(double v, int decimals) {
        // "36.0 °C" keeps its decimal, as a chart does; whole-number values never show one.
        return BigDecimal.valueOf(v).setScale(decimals, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
