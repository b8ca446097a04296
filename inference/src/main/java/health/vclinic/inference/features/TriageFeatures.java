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
 * <p>Immutable and thread safe.
 */
public final class TriageFeatures {

    /** The version of the feature definitions above; a change to any of them needs a new version. */
    public static final String VERSION = "vclinic-triage-features/1";

    private record Input(Encounter encounter, RuleFindings findings, Set<String> terms) {
    }

    private record Feature(String name, ToDoubleFunction<Input> value, Function<Input, String> words) {
    }

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

    private final ComplaintVocabulary vocabulary;
    private final List<Feature> features;
    private final List<String> names;
    private final Map<String, Integer> index;

    private TriageFeatures(ComplaintVocabulary vocabulary, List<Feature> features) {
        this.vocabulary = vocabulary;
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
        List<Feature> f = new ArrayList<>();
        for (Vital v : VITALS) {
            f.add(new Feature("vital:" + v.name(),
                    in -> scaled(v.value().apply(in.encounter().vitals()), v.normal(), v.spread()),
                    in -> v.value().apply(in.encounter().vitals()).isPresent()
                            ? v.words() + " " + number(v.value().apply(in.encounter().vitals()).getAsDouble()) + v.unit()
                            : v.words() + " not measured"));
            f.add(new Feature("missing:" + v.name(),
                    in -> v.value().apply(in.encounter().vitals()).isPresent() ? 0 : 1,
                    in -> v.words() + " not measured"));
        }
        for (News2Parameter p : News2Parameter.values()) {
            f.add(new Feature("news2:" + p.id(),
                    in -> in.findings().news2().parameter(p).map(ParameterScore::points).orElse(0),
                    in -> "NEWS2 " + p.words() + " "
                            + in.findings().news2().parameter(p).map(s -> s.points() + " points").orElse("not scored")));
        }
        f.add(new Feature("age:years", in -> scaled(in.encounter().patient().ageYears(), 50, 20),
                in -> ageWords(in.encounter())));
        f.add(new Feature("age:65-plus",
                in -> in.encounter().patient().ageYears().orElse(0) >= 65 ? 1 : 0, in -> "age 65 or over"));
        f.add(new Feature("missing:age", in -> in.encounter().patient().ageYears().isPresent() ? 0 : 1,
                in -> "age not given"));
        f.add(new Feature("sex:female", in -> in.encounter().patient().sex() == Sex.FEMALE ? 1 : 0, in -> "female"));
        f.add(new Feature("sex:male", in -> in.encounter().patient().sex() == Sex.MALE ? 1 : 0, in -> "male"));
        f.add(new Feature("pain:score", in -> in.encounter().interview().painScore().orElse(0) / 10.0,
                in -> in.encounter().interview().painScore().isPresent()
                        ? "pain " + in.encounter().interview().painScore().getAsInt() + "/10" : "pain score not given"));
        f.add(new Feature("missing:pain", in -> in.encounter().interview().painScore().isPresent() ? 0 : 1,
                in -> "pain score not given"));
        for (Consciousness c : Consciousness.values()) {
            if (c.altered()) {
                f.add(new Feature("consciousness:" + c.name().toLowerCase(Locale.ROOT),
                        in -> in.encounter().vitals().consciousness().filter(c::equals).isPresent() ? 1 : 0,
                        in -> consciousnessWords(c)));
            }
        }
        f.add(new Feature("missing:consciousness", in -> in.encounter().vitals().consciousness().isPresent() ? 0 : 1,
                in -> "consciousness not assessed"));
        for (ArrivalMode m : ArrivalMode.values()) {
            f.add(new Feature("arrival:" + m.answer(),
                    in -> in.encounter().interview().arrivalMode().filter(m::equals).isPresent() ? 1 : 0,
                    in -> "arrived by " + m.words()));
        }
        f.add(new Feature("missing:arrival_mode", in -> in.encounter().interview().arrivalMode().isPresent() ? 0 : 1,
                in -> "arrival mode not given"));
        f.add(new Feature("injury:yes", in -> in.encounter().interview().injury().orElse(false) ? 1 : 0,
                in -> "injury"));
        f.add(new Feature("missing:injury", in -> in.encounter().interview().injury().isPresent() ? 0 : 1,
                in -> "injury not asked"));
        for (RedFlagRule rule : rules.rules()) {
            f.add(new Feature("red-flag:" + rule.id(),
                    in -> fired(in.findings(), rule.id()) ? 1 : 0,
                    in -> "red flag: " + rule.description()));
        }
        for (String term : vocabulary.terms()) {
            f.add(new Feature("complaint:" + term, in -> in.terms().contains(term) ? 1 : 0,
                    in -> "complaint mentions '" + term.replace('+', ' ') + "'"));
        }
        return new TriageFeatures(vocabulary, f);
    }

    /** The feature names, in this extractor's order (the order of {@link #extract}). */
    public List<String> names() {
        return names;
    }

    public ComplaintVocabulary vocabulary() {
        return vocabulary;
    }

    /**
     * The value of every feature for one encounter.
     *
     * @param findings the rule findings for the same encounter ({@code TriageEngine.findings})
     */
    public double[] extract(Encounter encounter, RuleFindings findings) {
        Input in = input(encounter, findings);
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

    /** Each feature in plain words with this encounter's value, e.g. "heart rate 128 /min". */
    public List<String> words(List<String> names, Encounter encounter, RuleFindings findings) {
        Input in = input(encounter, findings);
        List<String> words = new ArrayList<>(names.size());
        for (String name : names) {
            Integer i = index.get(name);
            if (i == null) {
                throw new IllegalArgumentException("no feature " + name);
            }
            words.add(features.get(i).words().apply(in));
        }
        return words;
    }

    private Input input(Encounter encounter, RuleFindings findings) {
        return new Input(encounter, findings, ComplaintVocabulary.terms(encounter.interview().chiefComplaint()));
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

    private static String ageWords(Encounter e) {
        return e.patient().ageYears().isPresent() ? "age " + number(e.patient().ageYears().getAsDouble()) : "age not given";
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

    private static String number(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
