package health.vclinic.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.ConfusionMatrix;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.features.ReviewedInput;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evaluation's section on clinicians' reviews ({@code ./vclinic evaluate triage-acuity --reviews FILE},
 * a file of {@code ./vclinic admin export reviews}):
 *
 * <ul>
 *   <li><b>agreement over time</b>: per month, how often clinicians confirmed the service's level, and how
 *       often they made it more or less urgent;</li>
 *   <li><b>override reasons</b>: how often each coded reason was given;</li>
 *   <li><b>figures on the reviewed cases</b>: the evaluated model alone (its own decision rule, before the
 *       rule floors) and the service as it answered, against the clinician's level, on the cases that have
 *       one (a CDS Hooks override names none).</li>
 * </ul>
 *
 * <p>Reviewed cases are the ones a worklist put in front of a clinician (levels 1-2, disagreements, requests
 * for review), not a sample of all patients, and ages are banded: the figures describe that population. When
 * the evaluated model was trained on the same file (its card records the sha256), the figures are flagged
 * as measured on training data.
 */
final class ReviewEvaluation {

    private ReviewEvaluation() {
    }

    /** Reads the file, refusing one that is missing, of another format or changed since its export. */
    static ReviewExportFile.Export read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new EvaluationException("--reviews " + file + " is not a file; write one with ./vclinic admin export"
                    + " reviews --since DATE --out FILE");
        }
        try {
            return ReviewExportFile.read(file);
        } catch (InvalidInputException e) {
            throw new EvaluationException("--reviews " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The section of metrics.json, {@code reviews}. */
    static ObjectNode metrics(Path file, ReviewExportFile.Export export, OnnxTriageModel model, TriageEngine rules,
                              JsonNode card) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("file", file.getFileName().toString());
        o.put("sha256", export.sha256());
        o.put("exported_by", export.header().exportedBy());
        o.put("since", export.header().since().toString());
        o.put("complaint_vocabulary_of", export.header().vocabularyOf());
        o.put("cases", export.cases().size());
        boolean trainedOn = export.sha256().equals(card.at("/data/reviews/sha256").asText(""));
        o.put("in_this_models_training_data", trainedOn);
        o.put("population", "the cases a worklist put before a clinician (levels 1-2, model and rules disagreeing,"
                + " requests for review, degraded answers), not a sample of all patients; ages in bands");
        o.set("agreement_by_month", agreementByMonth(export.cases()));
        o.set("override_reasons", reasons(export.cases()));
        ConfusionMatrix modelAlone = new ConfusionMatrix();
        ConfusionMatrix service = new ConfusionMatrix();
        for (int i = 0; i < export.cases().size(); i++) {
            ReviewedCase c = export.cases().get(i);
            if (c.clinicianLevel().isEmpty()) {
                continue;
            }
            int clinician = c.clinicianLevel().getAsInt();
            ReviewedInput in;
            try {
                in = ReviewedInput.of(c, rules, "reviewed-" + (i + 1));
            } catch (RuntimeException e) {
                throw new EvaluationException("--reviews " + file.getFileName() + " line " + (i + 2) + ": "
                        + e.getMessage(), e);
            }
            double[] p = model.probabilities(in.encounter(), in.findings(), in.complaint());
            modelAlone.add(clinician, model.spec().decide(p).level());
            service.add(clinician, c.serviceLevel());
        }
        ObjectNode figures = o.putObject("figures_on_reviewed_cases");
        figures.put("reference", "the clinician's level (confirmed: the service's; overridden in the app: theirs)");
        if (trainedOn) {
            figures.put("caveat", "these cases were in this model's training data: its figures here are optimistic");
        }
        figures.set("model", figures(modelAlone, "the evaluated model alone, by its card's decision rule, before the rule"
                + " floors, on the de-identified inputs (age as the middle of its band)"));
        figures.set("service", figures(service, "the level the service answered at the time (its model then, fused with"
                + " the rule floors)"));
        return o;
    }

    private static ObjectNode agreementByMonth(List<ReviewedCase> cases) {
        Map<YearMonth, int[]> byMonth = new TreeMap<>();
        for (ReviewedCase c : cases) {
            int[] n = byMonth.computeIfAbsent(c.reviewedMonth(), m -> new int[4]);
            n[0]++;
            if (c.agrees()) {
                n[1]++;
            } else if (c.clinicianLevel().isPresent() && c.clinicianLevel().getAsInt() < c.serviceLevel()) {
                n[2]++;
            } else if (c.clinicianLevel().isPresent() && c.clinicianLevel().getAsInt() > c.serviceLevel()) {
                n[3]++;
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        byMonth.forEach((month, n) -> {
            ObjectNode m = out.putObject(month.toString());
            m.put("reviews", n[0]);
            m.put("confirmed", n[1]);
            m.put("agreement", round((double) n[1] / n[0]));
            m.put("made_more_urgent", n[2]);
            m.put("made_less_urgent", n[3]);
            m.put("overridden_without_a_level", n[0] - n[1] - n[2] - n[3]);
        });
        return out;
    }

    private static ObjectNode reasons(List<ReviewedCase> cases) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (ReasonCode r : ReasonCode.values()) {
            out.put(r.name(), cases.stream().filter(c -> c.reason().filter(r::equals).isPresent()).count());
        }
        return out;
    }

    private static ObjectNode figures(ConfusionMatrix m, String how) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("how", how);
        o.put("cases", m.total());
        if (m.total() == 0) {
            return o;
        }
        o.put("exact_agreement", round(m.accuracy()));
        o.put("under_triage_rate", round(m.underTriageRate()));
        o.put("over_triage_rate", round(m.overTriageRate()));
        o.put("critical_under_triage", m.criticalUnderTriage());
        o.put("high_acuity_cases", m.highAcuity());
        o.put("quadratic_weighted_kappa", round(m.quadraticWeightedKappa()));
        ArrayNode rows = o.putArray("confusion");
        for (long[] row : m.counts()) {
            ArrayNode r = rows.addArray();
            for (long x : row) {
                r.add(x);
            }
        }
        return o;
    }

    /** The section as the report's template reads it. */
    static Map<String, Object> view(JsonNode reviews) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("file", reviews.get("file").asText());
        v.put("sha256", reviews.get("sha256").asText());
        v.put("cases", reviews.get("cases").asInt());
        v.put("population", reviews.get("population").asText());
        v.put("trainedOn", reviews.get("in_this_models_training_data").asBoolean());
        List<Map<String, String>> months = new ArrayList<>();
        reviews.get("agreement_by_month").properties().forEach(e -> months.add(Map.of("month", e.getKey(),
                "reviews", e.getValue().get("reviews").asText(), "confirmed", e.getValue().get("confirmed").asText(),
                "agreement", Report.format(e.getValue().get("agreement"), "pct"),
                "moreUrgent", e.getValue().get("made_more_urgent").asText(),
                "lessUrgent", e.getValue().get("made_less_urgent").asText(),
                "noLevel", e.getValue().get("overridden_without_a_level").asText())));
        v.put("months", months);
        List<Map<String, String>> reasons = new ArrayList<>();
        reviews.get("override_reasons").properties().forEach(e -> reasons.add(Map.of("reason",
                ReasonCode.valueOf(e.getKey()).display(), "count", e.getValue().asText())));
        v.put("reasons", reasons);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String key : List.of("model", "service")) {
            JsonNode f = reviews.at("/figures_on_reviewed_cases/" + key);
            rows.add(Map.of("who", f.get("how").asText(), "cases", f.get("cases").asText(),
                    "exact", Report.format(f.get("exact_agreement"), "pct"),
                    "under", Report.format(f.get("under_triage_rate"), "pct"),
                    "over", Report.format(f.get("over_triage_rate"), "pct"),
                    "critical", f.path("critical_under_triage").asText("n/a") + " of " + f.path("high_acuity_cases").asText("0"),
                    "kappa", Report.format(f.get("quadratic_weighted_kappa"), "3")));
        }
        v.put("figures", rows);
        v.put("caveat", reviews.at("/figures_on_reviewed_cases/caveat").asText(""));
        return v;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).doubleValue() : v;
    }
}
