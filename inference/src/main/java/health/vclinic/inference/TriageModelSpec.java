package health.vclinic.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.inference.features.ComplaintVocabulary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a triage model's version card must say for the service to run it: the ONNX input and output
 * names, which KTAS level each output column is, the features in input order with their version and
 * complaint vocabulary, the calibration temperature, the cost matrix of the decision rule, and whether
 * its explanations are exact. The training pipeline writes these fields with {@link #writeTo} and the
 * service reads them with {@link #fromCard}, so both sides share one definition:
 *
 * <pre>{@code
 * "onnx": {"input": "input", "output": "output"},
 * "labels": [3, 4, 2, 5, 1],
 * "features": {"version": "vclinic-triage-features/1", "names": [...], "vocabulary": [...]},
 * "calibration": {"method": "temperature-scaling", "temperature": 1.07},
 * "decision_rule": {"method": "minimum-expected-cost", "cost_matrix": [[0, 4, 8, 16, 20], ...]},
 * "explanation": {"method": "occlusion", "exact": true}
 * }</pre>
 *
 * @param input the ONNX input name; a float tensor [-1, number of features]
 * @param output the ONNX output name; a float tensor [-1, 5] of probabilities
 * @param outputLevels the KTAS level (1-5) of each output column, each level once
 * @param featureVersion the feature definitions the model was trained with
 * @param featureNames the model's features in input order
 * @param vocabulary the chief-complaint terms learned on the training split
 * @param temperature probabilities are softmax(log p / temperature): temperature scaling (Guo et al.,
 *     "On calibration of modern neural networks", ICML 2017); 1 leaves them as they are
 * @param costs the decision rule's cost matrix
 * @param exactExplanation true when the model is linear in the logit (a softmax of an affine map), so
 *     that occlusion contributions are exact and sum, with the intercept, to the logit
 */
public record TriageModelSpec(String input, String output, List<Integer> outputLevels, String featureVersion,
                              List<String> featureNames, ComplaintVocabulary vocabulary, double temperature,
                              CostMatrix costs, boolean exactExplanation, Optional<CumulativeThresholds> thresholds) {

    public static final String CALIBRATION_METHOD = "temperature-scaling";
    public static final String DECISION_METHOD = "minimum-expected-cost";
    public static final String EXPLANATION_METHOD = "occlusion";
    /**
     * What explanations explain: the urgency score, the mean over k = 1..4 of the log-odds of
     * {@code P(level <= k)}, "at least this urgent". A positive contribution pushed towards more urgent
     * levels, whichever level was decided. Version 1 cards named another target; their explanations are
     * read as approximate.
     */
    public static final String EXPLANATION_TARGET = "urgency: mean over k=1..4 of log-odds P(level <= k), after calibration";

    /** A spec decided by minimum expected cost (version 1 cards). */
    public TriageModelSpec(String input, String output, List<Integer> outputLevels, String featureVersion,
                           List<String> featureNames, ComplaintVocabulary vocabulary, double temperature,
                           CostMatrix costs, boolean exactExplanation) {
        this(input, output, outputLevels, featureVersion, featureNames, vocabulary, temperature, costs,
                exactExplanation, Optional.empty());
    }

    /** The level this spec's decision rule gives calibrated probabilities (level 1 first). */
    public TriageLevel decide(double[] probabilities) {
        return thresholds.map(t -> t.decide(probabilities)).orElseGet(() -> costs.decide(probabilities));
    }

    public TriageModelSpec {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(featureVersion, "featureVersion");
        Objects.requireNonNull(vocabulary, "vocabulary");
        Objects.requireNonNull(costs, "costs");
        Objects.requireNonNull(thresholds, "thresholds");
        outputLevels = List.copyOf(outputLevels);
        featureNames = List.copyOf(featureNames);
        if (outputLevels.size() != TriageLevel.values().length
                || !new HashSet<>(outputLevels).equals(Set.of(1, 2, 3, 4, 5))) {
            throw new InferenceException("\"labels\" must name each KTAS level 1-5 once, in output column order");
        }
        if (featureNames.isEmpty() || new HashSet<>(featureNames).size() != featureNames.size()) {
            throw new InferenceException("\"features.names\" must list at least one feature, each once");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new InferenceException("\"calibration.temperature\" must be a positive number");
        }
    }

    /**
     * Reads the fields from a version card.
     *
     * @throws InferenceException naming the field that is missing or malformed
     */
    public static TriageModelSpec fromCard(JsonNode card) {
        try {
            List<Integer> levels = new ArrayList<>();
            for (JsonNode l : array(card, "/labels")) {
                levels.add(Integer.parseInt(l.asText()));
            }
            List<String> names = texts(array(card, "/features/names"));
            List<String> terms = texts(array(card, "/features/vocabulary"));
            List<List<Double>> matrix = new ArrayList<>();
            for (JsonNode row : array(card, "/decision_rule/cost_matrix")) {
                List<Double> r = new ArrayList<>();
                row.forEach(c -> r.add(requireNumber(c, "decision_rule.cost_matrix")));
                matrix.add(r);
            }
            String method = text(card, "/decision_rule/method");
            Optional<CumulativeThresholds> thresholds = Optional.empty();
            if (method.equals(CumulativeThresholds.METHOD)) {
                List<Double> t = new ArrayList<>();
                array(card, "/decision_rule/thresholds").forEach(x -> t.add(requireNumber(x, "decision_rule.thresholds")));
                thresholds = Optional.of(new CumulativeThresholds(t));
            } else {
                require(card, "/decision_rule/method", DECISION_METHOD);
            }
            require(card, "/calibration/method", CALIBRATION_METHOD);
            boolean exact = card.at("/explanation/exact").asBoolean(false)
                    && EXPLANATION_TARGET.equals(card.at("/explanation/target").asText(""));
            return new TriageModelSpec(text(card, "/onnx/input"), text(card, "/onnx/output"), levels,
                    text(card, "/features/version"), names, ComplaintVocabulary.of(terms),
                    requireNumber(card.at("/calibration/temperature"), "calibration.temperature"),
                    CostMatrix.of(matrix), exact, thresholds);
        } catch (IllegalArgumentException e) {
            throw new InferenceException("the triage model card is invalid: " + e.getMessage(), e);
        }
    }

    /** Writes the fields into a version card under construction. */
    public void writeTo(ObjectNode card) {
        ObjectNode onnx = card.putObject("onnx");
        onnx.put("input", input);
        onnx.put("output", output);
        ArrayNode labels = card.putArray("labels");
        outputLevels.forEach(labels::add);
        ObjectNode features = card.putObject("features");
        features.put("version", featureVersion);
        features.put("count", featureNames.size());
        featureNames.forEach(features.putArray("names")::add);
        vocabulary.terms().forEach(features.putArray("vocabulary")::add);
        ObjectNode calibration = card.putObject("calibration");
        calibration.put("method", CALIBRATION_METHOD);
        calibration.put("temperature", temperature);
        ObjectNode decision = card.putObject("decision_rule");
        if (thresholds.isPresent()) {
            decision.put("method", CumulativeThresholds.METHOD);
            decision.put("rule", "the most urgent level k whose P(level <= k) reaches thresholds[k - 1], else 5");
            ArrayNode t = decision.putArray("thresholds");
            thresholds.get().thresholds().forEach(t::add);
            decision.put("cost_matrix_use", "reporting the mean cost only; it does not decide");
        } else {
            decision.put("method", DECISION_METHOD);
            decision.put("ties", "the more urgent level");
        }
        decision.put("cost_matrix_rows", "true (expert) level 1-5");
        decision.put("cost_matrix_columns", "decided level 1-5");
        ArrayNode matrix = decision.putArray("cost_matrix");
        for (double[] row : costs.toArray()) {
            ArrayNode r = matrix.addArray();
            for (double c : row) {
                r.add(c);
            }
        }
        ObjectNode explanation = card.putObject("explanation");
        explanation.put("method", EXPLANATION_METHOD);
        explanation.put("exact", exactExplanation);
        explanation.put("target", EXPLANATION_TARGET);
    }

    private static JsonNode array(JsonNode card, String pointer) {
        JsonNode node = card.at(pointer);
        if (!node.isArray()) {
            throw new IllegalArgumentException("\"" + field(pointer) + "\" must be an array");
        }
        return node;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("expected strings, found " + n.getNodeType());
            }
            texts.add(n.asText());
        });
        return texts;
    }

    private static String text(JsonNode card, String pointer) {
        JsonNode node = card.at(pointer);
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field(pointer) + "\" must be a non-blank string");
        }
        return node.asText();
    }

    private static void require(JsonNode card, String pointer, String expected) {
        if (!expected.equals(text(card, pointer))) {
            throw new IllegalArgumentException("\"" + field(pointer) + "\" must be " + expected
                    + "; this service knows no other");
        }
    }

    private static double requireNumber(JsonNode node, String field) {
        if (!node.isNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a number");
        }
        return node.asDouble();
    }

    private static String field(String pointer) {
        return pointer.substring(1).replace('/', '.');
    }
}
