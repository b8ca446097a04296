package health.vclinic.training;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.inference.CostMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The configuration of the triage-acuity pipeline, a JSON file with dash-case keys. The default,
 * {@value #DEFAULT_RESOURCE} beside this class, documents every key; a file given with
 * {@code --config} may leave any key out to take its default. Unknown keys are an error, so a
 * misspelt option never silently falls back to its default. The effective configuration (defaults
 * filled in) is written into the model card.
 *
 * @param pipeline must be {@code triage-acuity}
 * @param seed seeds the folds and every trainer, so a run is a pure function of data, config and seed
 * @param folds cross-validation folds on the training site, stratified by the expert level; 2 to 20
 * @param data where the KTAS files are, relative to the project root
 * @param vocabulary how chief-complaint terms are learned on the training split
 * @param excluded features the model must not use, though the extractor builds them
 * @param costs the asymmetric cost matrix of the decision rule and of model selection
 * @param costRationale why the costs are what they are, in words (copied to the card)
 * @param candidates the model families and settings compared by cross-validation
 * @param reviews how clinicians' reviewed cases ({@code train --reviews FILE}) enter training
 * @param critical the most critical under-triage the operating point may be expected to have
 * @param unmeasured whether training visits without a heart rate, respiratory rate or systolic pressure
 *     are fitted
 */
public record TrainingConfig(String pipeline, long seed, int folds, Data data, Vocabulary vocabulary,
                             ExcludedFeatures excluded, CostMatrix costs, String costRationale,
                             List<Candidate> candidates, Reviews reviews, CriticalUnderTriage critical,
                             UnmeasuredVisits unmeasured) {

    /** The default configuration, a resource beside this class. */
    public static final String DEFAULT_RESOURCE = "triage-acuity.json";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * @param directory the KTAS data directory, relative to the project root (or absolute)
     * @param trainFile the training site's file: all visits of the local ED
     * @param testFile the test site's file: recorded by its sha256 for the evaluation, never read here
     */
    public record Data(String directory, String trainFile, String testFile) {
        public Data {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(trainFile, "trainFile");
            Objects.requireNonNull(testFile, "testFile");
        }

        public Path directory(Path projectRoot) {
            return projectRoot.resolve(directory).normalize();
        }
    }

    /**
     * @param minComplaints a term is kept when at least this many training complaints have it
     * @param maxTerms at most this many terms, the most frequent first
     */
    public record Vocabulary(int minComplaints, int maxTerms) {
        public Vocabulary {
            if (minComplaints < 1 || maxTerms < 0) {
                throw new TrainingException("vocabulary: min-complaints must be >= 1 and max-terms >= 0");
            }
        }
    }

    /**
     * Features left out of the model on purpose.
     *
     * @param names exact feature names, or prefixes ending in {@code *} ({@code missing:*})
     * @param rationale why, in words (copied to the card)
     */
    public record ExcludedFeatures(List<String> names, String rationale) {
        public ExcludedFeatures {
            names = List.copyOf(names);
            Objects.requireNonNull(rationale, "rationale");
        }

        public boolean excludes(String feature) {
            for (String n : names) {
                if (n.endsWith("*") ? feature.startsWith(n.substring(0, n.length() - 1)) : feature.equals(n)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Reviewed cases ({@code ./vclinic admin export reviews}) added to the training data.
     *
     * @param weight how much one reviewed case counts against one KTAS visit, 0 (not at all) to 10
     * @param rationale why, in words (copied to the card)
     */
    public record Reviews(double weight, String rationale) {
        public Reviews {
            Objects.requireNonNull(rationale, "rationale");
            if (!(weight >= 0 && weight <= 10)) {
                throw new TrainingException("reviews.weight must be 0 to 10");
            }
        }
    }

    /**
     * The safety constraint of the operating point: its expected out-of-sample rate of critical
     * under-triage (expert level 1-2 decided 4-5) may be at most the lower of {@code targetRate} and the
     * nurses' own rate on the training site's visits.
     *
     * @param targetRate a rate in (0, 1)
     * @param rationale why, in words (copied to the card)
     */
    public record CriticalUnderTriage(double targetRate, String rationale) {
        public CriticalUnderTriage {
            Objects.requireNonNull(rationale, "rationale");
            if (!(targetRate > 0 && targetRate < 1)) {
                throw new TrainingException("critical-under-triage.target-rate must lie between 0 and 1");
            }
        }
    }

    /**
     * Training visits without a heart rate, respiratory rate or systolic pressure. They are always
     * scored (out of fold, and in the floor audit); {@code fitted} says whether models are also fitted
     * on them.
     *
     * @param rationale why, in words (copied to the card)
     */
    public record UnmeasuredVisits(boolean fitted, String rationale) {
        public UnmeasuredVisits {
            Objects.requireNonNull(rationale, "rationale");
        }
    }

    /** The exportable model families a candidate may use, each with its settings and their defaults. */
    public enum Family {
        /**
         * Multinomial logistic regression by SGD (Tribuo LinearSGDTrainer, LogMulticlass, AdaGrad).
         * Regularised by the number of epochs (early stopping), chosen by cross-validation: Tribuo
         * 4.3.2's AdaGradRDA applies no L1/L2 penalty to a weight matrix (its matrix update never
         * advances the iteration count the penalty is scaled by), so a penalty setting would be a
         * setting that does nothing.
         */
        LOGISTIC_REGRESSION_SGD("logistic-regression-sgd", defaults(
                "epochs", 10, "learning-rate", 0.1, "minibatch", 1)),
        /** Factorization machine, softmax loss (Rendle, ICDM 2010; Tribuo FMClassificationTrainer, AdaGrad). */
        FACTORIZATION_MACHINE("factorization-machine", defaults(
                "epochs", 10, "learning-rate", 0.1, "minibatch", 1, "factors", 4, "variance", 0.05)),
        /** L2-regularised logistic regression by LibLinear (Fan et al., JMLR 2008), one-vs-rest. */
        LIBLINEAR("liblinear", defaults("cost", 1.0, "epsilon", 0.01, "max-iterations", 1000)),
        /**
         * Cumulative-logit (proportional-odds) model for the ordered levels (McCullagh 1980), L2 penalty
         * {@code l2} on the weights, fitted by L-BFGS ({@link OrdinalLogit}); exported to ONNX by hand.
         */
        ORDINAL_LOGIT("ordinal-logit", defaults("l2", 1.0, "max-iterations", 500)),
        /**
         * Four binary logistic regressions, one per "at least this urgent" cut-point (Frank and Hall,
         * ECML 2001), L2 penalty {@code l2}, fitted by L-BFGS ({@link OrdinalChain}).
         */
        ORDINAL_CHAIN("ordinal-chain", defaults("l2", 1.0, "max-iterations", 500)),
        /**
         * One hidden layer of {@code hidden} tanh units and a softmax, L2 penalty {@code l2} on the weights,
         * fitted by L-BFGS from a start drawn with the run's seed ({@link SmallNetwork}); exported to ONNX by hand.
         */
        SMALL_NETWORK("small-network", defaults("hidden", 8, "l2", 1.0, "max-iterations", 300)),
        /** The average of the probabilities of other candidates (Tribuo WeightedEnsembleModel). */
        ENSEMBLE("ensemble", defaults());

        private final String key;
        private final SortedMap<String, Double> defaults;

        Family(String key, SortedMap<String, Double> defaults) {
            this.key = key;
            this.defaults = defaults;
        }

        public String key() {
            return key;
        }

        static Family of(String key) {
            for (Family f : values()) {
                if (f.key.equals(key)) {
                    return f;
                }
            }
            List<String> keys = new ArrayList<>();
            for (Family f : values()) {
                keys.add(f.key);
            }
            throw new TrainingException("unknown model family '" + key + "'; use one of " + keys);
        }

        private static SortedMap<String, Double> defaults(Object... pairs) {
            SortedMap<String, Double> map = new TreeMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                map.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
            }
            return map;
        }
    }

    /**
     * One model to compare.
     *
     * @param name unique, used in the card and the progress display
     * @param settings every setting of the family, defaults filled in
     * @param members for an ensemble, the names of earlier non-ensemble candidates it averages
     */
    public record Candidate(String name, Family family, SortedMap<String, Double> settings, List<String> members) {
        public Candidate {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(family, "family");
            settings = new TreeMap<>(settings);
            members = List.copyOf(members);
        }

        public double setting(String key) {
            Double v = settings.get(key);
            if (v == null) {
                throw new IllegalArgumentException(family.key() + " has no setting " + key);
            }
            return v;
        }

        public int intSetting(String key) {
            return (int) setting(key);
        }
    }

    public TrainingConfig {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(excluded, "excluded");
        Objects.requireNonNull(costs, "costs");
        Objects.requireNonNull(costRationale, "costRationale");
        candidates = List.copyOf(candidates);
        Objects.requireNonNull(reviews, "reviews");
        Objects.requireNonNull(critical, "critical");
        Objects.requireNonNull(unmeasured, "unmeasured");
        if (!pipeline.equals("triage-acuity")) {
            throw new TrainingException("this configuration is for pipeline '" + pipeline + "', not triage-acuity");
        }
        if (folds < 2 || folds > 20) {
            throw new TrainingException("folds must be 2 to 20");
        }
        if (candidates.isEmpty()) {
            throw new TrainingException("candidates must list at least one model");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Candidate c : candidates) {
            for (String m : c.members()) {
                Candidate member = candidates.stream().filter(x -> x.name().equals(m)).findFirst().orElse(null);
                if (member == null || !seen.contains(m) || member.family() == Family.ENSEMBLE) {
                    throw new TrainingException("ensemble '" + c.name() + "': member '" + m
                            + "' must be a non-ensemble candidate listed before it");
                }
            }
            if (!seen.add(c.name())) {
                throw new TrainingException("candidate '" + c.name() + "' is listed twice");
            }
        }
    }

    /** The configuration shipped with the pipeline. */
    public static TrainingConfig defaults() {
        try (InputStream in = TrainingConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new TrainingException(DEFAULT_RESOURCE + " is not on the class path");
            }
            return parse(in.readAllBytes(), DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new TrainingException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    /** A configuration file; keys it leaves out take the defaults. */
    public static TrainingConfig load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new TrainingException("cannot read configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param source names the configuration in error messages
     * @throws TrainingException naming the key that is unknown, missing or malformed
     */
    public static TrainingConfig parse(byte[] json, String source) {
        try {
            JsonNode root = JSON.readTree(json);
            JsonNode base = source.equals(DEFAULT_RESOURCE) ? root : defaultTree();
            return fromTree(merge(base, root));
        } catch (IOException e) {
            throw new TrainingException("configuration " + source + " is not valid JSON: " + e.getMessage(), e);
        } catch (TrainingException | IllegalArgumentException e) {
            throw new TrainingException("configuration " + source + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode defaultTree() throws IOException {
        try (InputStream in = TrainingConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return JSON.readTree(Objects.requireNonNull(in, DEFAULT_RESOURCE));
        }
    }

    /** Objects merge key by key; anything else in {@code override} replaces the default whole. */
    private static JsonNode merge(JsonNode base, JsonNode override) {
        if (!base.isObject() || !override.isObject()) {
            return override;
        }
        ObjectNode merged = base.deepCopy();
        for (Map.Entry<String, JsonNode> f : override.properties()) {
            merged.set(f.getKey(), base.has(f.getKey()) ? merge(base.get(f.getKey()), f.getValue()) : f.getValue());
        }
        return merged;
    }

    private static TrainingConfig fromTree(JsonNode root) {
        keys(root, "", "pipeline", "seed", "folds", "data", "vocabulary", "exclude-features", "cost-matrix",
                "candidates", "reviews", "critical-under-triage", "unmeasured-visits");
        JsonNode unmeasured = object(root, "unmeasured-visits");
        keys(unmeasured, "unmeasured-visits.", "fitted", "rationale");
        if (unmeasured.get("fitted") == null || !unmeasured.get("fitted").isBoolean()) {
            throw new TrainingException("'unmeasured-visits.fitted' must be true or false");
        }
        JsonNode critical = object(root, "critical-under-triage");
        keys(critical, "critical-under-triage.", "target-rate", "rationale");
        if (critical.get("target-rate") == null || !critical.get("target-rate").isNumber()) {
            throw new TrainingException("'critical-under-triage.target-rate' must be a number");
        }
        JsonNode reviews = object(root, "reviews");
        keys(reviews, "reviews.", "weight", "rationale");
        if (reviews.get("weight") == null || !reviews.get("weight").isNumber()) {
            throw new TrainingException("'weight' must be a number");
        }
        JsonNode data = object(root, "data");
        keys(data, "data.", "directory", "train-file", "test-file");
        JsonNode vocabulary = object(root, "vocabulary");
        keys(vocabulary, "vocabulary.", "min-complaints", "max-terms");
        JsonNode exclude = object(root, "exclude-features");
        keys(exclude, "exclude-features.", "names", "rationale");
        List<String> excludedNames = new ArrayList<>();
        for (JsonNode n : array(exclude, "names")) {
            if (!n.isTextual() || n.asText().isBlank()) {
                throw new TrainingException("exclude-features.names must hold feature names");
            }
            excludedNames.add(n.asText());
        }
        JsonNode costs = object(root, "cost-matrix");
        keys(costs, "cost-matrix.", "rationale", "values");
        List<List<Double>> matrix = new ArrayList<>();
        for (JsonNode row : array(costs, "values")) {
            List<Double> r = new ArrayList<>();
            for (JsonNode c : row) {
                if (!c.isNumber()) {
                    throw new TrainingException("cost-matrix.values must hold numbers");
                }
                r.add(c.asDouble());
            }
            matrix.add(r);
        }
        List<Candidate> candidates = new ArrayList<>();
        for (JsonNode c : array(root, "candidates")) {
            candidates.add(candidate(c));
        }
        return new TrainingConfig(text(root, "pipeline"), integer(root, "seed"), (int) integer(root, "folds"),
                new Data(text(data, "directory"), text(data, "train-file"), text(data, "test-file")),
                new Vocabulary((int) integer(vocabulary, "min-complaints"), (int) integer(vocabulary, "max-terms")),
                new ExcludedFeatures(excludedNames, text(exclude, "rationale")), CostMatrix.of(matrix), text(costs, "rationale"), candidates,
                new Reviews(reviews.get("weight").asDouble(), text(reviews, "rationale")),
                new CriticalUnderTriage(critical.get("target-rate").asDouble(), text(critical, "rationale")),
                new UnmeasuredVisits(unmeasured.get("fitted").asBoolean(), text(unmeasured, "rationale")));
    }

    private static Candidate candidate(JsonNode c) {
        String name = text(c, "name");
        Family family = Family.of(text(c, "family"));
        SortedMap<String, Double> settings = new TreeMap<>(family.defaults);
        List<String> members = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : c.properties()) {
            String key = f.getKey();
            if (key.equals("name") || key.equals("family")) {
                continue;
            }
            if (key.equals("members") && family == Family.ENSEMBLE) {
                f.getValue().forEach(m -> members.add(m.asText()));
            } else if (family.defaults.containsKey(key) && f.getValue().isNumber()) {
                settings.put(key, f.getValue().asDouble());
            } else {
                throw new TrainingException("candidate '" + name + "': unknown or non-numeric setting '" + key
                        + "' for family " + family.key() + " (settings: "
                        + (family == Family.ENSEMBLE ? "[members]" : family.defaults.keySet()) + ")");
            }
        }
        if (family == Family.ENSEMBLE && members.size() < 2) {
            throw new TrainingException("ensemble '" + name + "' needs at least two members");
        }
        return new Candidate(name, family, settings, members);
    }

    /** The effective configuration, as written into the model card. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("pipeline", pipeline);
        root.put("seed", seed);
        root.put("folds", folds);
        ObjectNode d = root.putObject("data");
        d.put("directory", data.directory());
        d.put("train-file", data.trainFile());
        d.put("test-file", data.testFile());
        ObjectNode v = root.putObject("vocabulary");
        v.put("min-complaints", vocabulary.minComplaints());
        v.put("max-terms", vocabulary.maxTerms());
        ObjectNode e = root.putObject("exclude-features");
        excluded.names().forEach(e.putArray("names")::add);
        e.put("rationale", excluded.rationale());
        ObjectNode c = root.putObject("cost-matrix");
        c.put("rationale", costRationale);
        ArrayNode values = c.putArray("values");
        for (double[] row : costs.toArray()) {
            ArrayNode r = values.addArray();
            for (double x : row) {
                r.add(x);
            }
        }
        ObjectNode r = root.putObject("reviews");
        put(r, "weight", reviews.weight());
        r.put("rationale", reviews.rationale());
        ObjectNode safety = root.putObject("critical-under-triage");
        put(safety, "target-rate", critical.targetRate());
        safety.put("rationale", critical.rationale());
        ObjectNode u = root.putObject("unmeasured-visits");
        u.put("fitted", unmeasured.fitted());
        u.put("rationale", unmeasured.rationale());
        ArrayNode list = root.putArray("candidates");
        for (Candidate k : candidates) {
            ObjectNode o = list.addObject();
            o.put("name", k.name());
            o.put("family", k.family().key());
            k.settings().forEach((key, value) -> put(o, key, value));
            if (!k.members().isEmpty()) {
                k.members().forEach(o.putArray("members")::add);
            }
        }
        return root;
    }

    /** Whole numbers (epochs, factors) as integers, so the card reads as the configuration was written. */
    static void put(ObjectNode o, String key, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            o.put(key, (long) value);
        } else {
            o.put(key, value);
        }
    }

    private static void keys(JsonNode node, String prefix, String... allowed) {
        Set<String> known = Set.of(allowed);
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                unknown.add(prefix + k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new TrainingException("unknown keys " + unknown + "; allowed here: "
                    + List.of(allowed).stream().map(a -> prefix + a).toList());
        }
    }

    private static JsonNode object(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isObject()) {
            throw new TrainingException("'" + key + "' must be an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isArray()) {
            throw new TrainingException("'" + key + "' must be an array");
        }
        return v;
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new TrainingException("'" + key + "' must be a non-blank string");
        }
        return v.asText();
    }

    private static long integer(JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new TrainingException("'" + key + "' must be a whole number");
        }
        return v.asLong();
    }
}
