package health.vclinic.evaluation;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes metrics.json and report.html (Pebble, autoescaped; the charts are XChart SVG, embedded with
 * the {@code raw} filter). Numbers are formatted here, so the template only lays them out.
 */
final class Report {

    static final String METRICS_FILE = "metrics.json";
    static final String REPORT_FILE = "report.html";
    private static final String TEMPLATE = "health/vclinic/evaluation/report.peb";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    private static final PebbleEngine PEBBLE = new PebbleEngine.Builder()
            .loader(new ClasspathLoader())
            .autoEscaping(true)
            .strictVariables(true)
            .defaultLocale(Locale.ROOT)
            .build();

    /** Headline rows: label, metrics.json key, format. */
    private static final List<String[]> HEADLINE = List.of(
            new String[] {"Critical under-triage (expert 1-2 decided 4-5)", "critical", ""},
            new String[] {"Under-triage rate", "under_triage_rate", "pct"},
            new String[] {"Over-triage rate", "over_triage_rate", "pct"},
            new String[] {"Quadratic weighted kappa", "quadratic_weighted_kappa", "3"},
            new String[] {"High-acuity AUROC (95% CI)", "auroc", ""},
            new String[] {"Accuracy (exact level)", "accuracy", "pct"},
            new String[] {"Macro-F1", "macro_f1", "3"},
            new String[] {"Mean cost per visit (card's cost matrix)", "mean_cost", "3"});

    private Report() {
    }

    static void write(Path dir, JsonNode metrics, JsonNode card, TriageEvaluation.Evaluated evaluated) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(METRICS_FILE), WRITER.writeValueAsString(metrics) + "\n", UTF_8);
            Files.writeString(dir.resolve(REPORT_FILE), html(metrics, card, evaluated), UTF_8);
        } catch (IOException e) {
            throw new EvaluationException("cannot write the report into " + dir + ": " + e, e);
        }
    }

    static String html(JsonNode metrics, JsonNode card, TriageEvaluation.Evaluated evaluated) throws IOException {
        JsonNode predictors = metrics.get("predictors");
        List<String> keys = new ArrayList<>();
        predictors.fieldNames().forEachRemaining(keys::add);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", metrics.get("model").asText());
        context.put("candidate", metrics.get("selected_candidate").asText());
        context.put("onnxSha", metrics.get("onnx_sha256").asText());
        context.put("names", keys.stream().map(k -> predictors.get(k).get("name").asText()).toList());
        context.put("hows", keys.stream().map(k -> predictors.get(k).get("name").asText() + ": "
                + predictors.get(k).get("how").asText()).toList());
        context.put("headline", headline(predictors, keys));
        context.put("confusions", confusions(predictors, keys));
        context.put("subgroups", subgroups(metrics.get("subgroups"), keys));
        JsonNode model = predictors.get("model").get("calibration");
        context.put("brier", format(model.get("brier_multiclass"), "3"));
        context.put("ece", format(model.get("ece_high_acuity"), "3"));
        context.put("reliabilityChart", Charts.reliability(model.get("reliability_high_acuity")));
        context.put("rocChart", Charts.roc(evaluated));
        context.put("test", JSON.convertValue(metrics.get("test_data"), Map.class));
        context.put("testLevels", levels(metrics.at("/test_data/expert_levels")));
        context.put("modelDecided", metrics.get("model_decided_over_rules").asInt());
        context.put("visits", metrics.at("/test_data/visits").asInt());
        context.put("examples", evaluated.examples());
        context.put("card", ModelCardView.of(card));
        context.put("goals", goals(metrics.get("goals")));
        context.put("priorShift", priorShift(metrics.get("prior_shift")));
        context.put("hasReviews", metrics.has("reviews"));
        context.put("reviews", metrics.has("reviews") ? ReviewEvaluation.view(metrics.get("reviews")) : Map.of());
        PebbleTemplate template = PEBBLE.getTemplate(TEMPLATE);
        StringWriter out = new StringWriter();
        template.evaluate(out, context);
        return out.toString();
    }

    private static List<Map<String, Object>> headline(JsonNode predictors, List<String> keys) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String[] h : HEADLINE) {
            List<String> cells = new ArrayList<>();
            for (String k : keys) {
                cells.add(cell(predictors.get(k), h[1], h[2]));
            }
            rows.add(Map.of("label", h[0], "cells", cells));
        }
        return rows;
    }

    /** One table cell: a formatted measure, or a composite (critical under-triage, AUROC with CI). */
    private static String cell(JsonNode p, String key, String format) {
        return switch (key) {
            case "critical" -> p.get("critical_under_triage").asInt() + " of " + p.get("high_acuity_visits").asInt()
                    + " (" + format(p.get("critical_under_triage_rate"), "pct") + ")";
            case "auroc" -> format(p.at("/high_acuity_auroc/value"), "3")
                    + (p.at("/high_acuity_auroc/ci_low").isMissingNode() ? ""
                    : " (" + format(p.at("/high_acuity_auroc/ci_low"), "3") + "-"
                    + format(p.at("/high_acuity_auroc/ci_high"), "3") + ")");
            case "under_triage_rate" -> format(p.get(key), format) + " (" + p.get("under_triage").asInt() + ")";
            default -> format(p.get(key), format);
        };
    }

    private static List<Map<String, Object>> confusions(JsonNode predictors, List<String> keys) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String k : keys) {
            List<List<String>> rows = new ArrayList<>();
            JsonNode matrix = predictors.get(k).get("confusion_matrix");
            for (JsonNode row : matrix) {
                List<String> r = new ArrayList<>();
                row.forEach(c -> r.add(c.asText()));
                rows.add(r);
            }
            out.add(Map.of("name", predictors.get(k).get("name").asText(), "rows", rows));
        }
        return out;
    }

    private static List<Map<String, Object>> subgroups(JsonNode subgroups, List<String> keys) {
        List<Map<String, Object>> rows = new ArrayList<>();
        subgroups.properties().forEach(dimension -> dimension.getValue().properties().forEach(group -> {
            JsonNode g = group.getValue();
            List<String> kappa = new ArrayList<>();
            List<String> under = new ArrayList<>();
            List<String> critical = new ArrayList<>();
            List<String> auroc = new ArrayList<>();
            for (String k : keys) {
                JsonNode p = g.at("/predictors/" + k);
                kappa.add(p.isMissingNode() ? "-" : format(p.get("quadratic_weighted_kappa"), "3"));
                under.add(p.isMissingNode() ? "-" : format(p.get("under_triage_rate"), "pct"));
                critical.add(p.isMissingNode() ? "-"
                        : p.get("critical_under_triage").asInt() + "/" + p.get("high_acuity_visits").asInt());
                auroc.add(p.isMissingNode() ? "-" : format(p.at("/high_acuity_auroc/value"), "3"));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("group", dimension.getKey() + ": " + group.getKey());
            row.put("visits", g.get("visits").asInt());
            row.put("high", g.get("high_acuity_visits").asInt());
            row.put("kappa", kappa);
            row.put("under", under);
            row.put("critical", critical);
            row.put("auroc", auroc);
            rows.add(row);
        }));
        return rows;
    }

    private static List<Map<String, String>> goals(JsonNode goals) {
        List<Map<String, String>> rows = new ArrayList<>();
        goals.properties().forEach(e -> {
            JsonNode g = e.getValue();
            boolean count = e.getKey().startsWith("critical");
            boolean pct = e.getKey().contains("percent");
            String f = pct ? "pct" : "3";
            rows.add(Map.of("goal", e.getKey().replace('_', ' '),
                    "value", count ? Long.toString(g.get("value").asLong()) : format(g.get("value"), f),
                    "target", count ? Long.toString(g.get("target").asLong()) : format(g.get("target"), f),
                    "met", g.get("met").asBoolean() ? "met" : "not met"));
        });
        return rows;
    }

    private static Map<String, String> priorShift(JsonNode p) {
        List<String> training = new ArrayList<>();
        List<String> estimated = new ArrayList<>();
        p.get("training_priors").forEach(x -> training.add(format(x, "pct")));
        p.get("estimated_test_priors").forEach(x -> estimated.add(format(x, "pct")));
        return Map.of("method", p.get("method").asText(), "iterations", p.get("iterations").asText(),
                "training", String.join(", ", training), "estimated", String.join(", ", estimated));
    }

    private static List<String> levels(JsonNode counts) {
        List<String> out = new ArrayList<>();
        counts.properties().forEach(e -> out.add("level " + e.getKey() + ": " + e.getValue().asInt()));
        return out;
    }

    /** "pct" as a percentage with one decimal, "3" with three decimals; null (undefined) as "n/a". */
    static String format(JsonNode value, String format) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "n/a";
        }
        double v = value.asDouble();
        return switch (format) {
            case "pct" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            case "3" -> String.format(Locale.ROOT, "%.3f", v);
            default -> value.asText();
        };
    }
}
