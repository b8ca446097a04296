package health.vclinic.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The model card section of the report: what the version card says, and the limits of the model. */
final class ModelCardView {

    /** Known limits, stated in every report; the subgroup table shows the measured ones. */
    static final List<String> LIMITS = List.of(
            "Trained on 688 adult visits (16-95 years) to one Korean local ED and validated on 579 visits to one"
                    + " regional ED (Moon et al., PLoS ONE 2019). Neither children, nor pregnancy, nor a virtual-clinic"
                    + " population were in the data.",
            "The data has no SpO2 and no oxygen column: features that never varied in training (SpO2, air or oxygen,"
                    + " new confusion) were left out, so the model cannot use them. The NEWS2 rule floors still do.",
            "Chief complaints were short English notes typed by Korean triage nurses ('abd pain', 'pain, chest');"
                    + " a patient's own words in a virtual consultation are phrased differently, and words unseen in"
                    + " training contribute nothing.",
            "Arrival mode (ambulance or not) is unknown in a virtual clinic: from version 2 the model does not use it,"
                    + " and the headline is measured without it. Version 1 used it; its rows show both.",
            "Versions 2 and 3 decide by thresholds on the cumulative probabilities chosen on the training site, then"
                    + " the least over-triage; version 1 by minimum expected cost. Version 2 held critical under-triage"
                    + " there to the nurses' with 95% confidence (no miss allowed); version 3 holds its out-of-sample"
                    + " rate, (b + 1) / (n + 1), to 2.5% (1 miss of 86 allowed). None was tuned on the test site; the"
                    + " training site's 86 emergencies cannot show how a site with terser notes and twice the"
                    + " emergencies differs.",
            "Without an oximeter, self-care (level 5) is reachable only for an adult whose respiratory rate was"
                    + " measured and scores 0 and whose complaint names no current breathing or chest finding. Until"
                    + " version 3 the incomplete-data floor kept level 5 out of reach on every visit of this data, which"
                    + " has no SpO2; earlier versions' rows are computed with today's rules.",
            "The model can only raise urgency above the rule floors in the service; it is decision support, not a"
                    + " replacement for a clinician's triage.");

    /** Why each floor stays, with its source: the safety case the floor audit is read against. */
    static final Map<String, String> FLOOR_ARGUMENTS = Map.of(
            "incomplete-data", "Narrowed. Self-care still needs every observation, but SpO2 and oxygen use may be"
                    + " missing for an adult whose respiratory rate was measured and scores 0 and whose complaint names"
                    + " no current breathing or chest finding: CTAS/KTAS apply SpO2 as a modifier for respiratory"
                    + " presentations (Bullard et al., CJEM 2017), and the respiratory rate is the earliest sign of"
                    + " respiratory compromise (RCP 2017). Silent hypoxaemia without a breathing complaint (Tobin et al.,"
                    + " Am J Respir Crit Care Med 2020) is what stays uncovered; it costs at most one level.",
            "pain", "Kept. The pain modifiers of CTAS/KTAS (Bullard et al., CJEM 2008; severe pain 8-10 at least level"
                    + " 3, moderate 4-7 at least level 4); it almost never over-triages here.",
            "news2", "Kept. RCP NEWS2 2017, Chart 4 (the mapping in CLINICAL.md); a single parameter scoring 3 or an"
                    + " aggregate of 5+ asks for an urgent clinical review.",
            "red-flag", "Kept. Each rule names its source in red-flags.json (NICE, Resuscitation Council UK, ESC, JBDS);"
                    + " a missed stroke or coronary syndrome costs more than an unneeded urgent visit.");

    private ModelCardView() {
    }

    static Map<String, Object> of(JsonNode card) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("description", card.path("description").asText());
        v.put("intendedUse", card.path("intended_use").asText());
        v.put("dataSource", card.at("/data/source").asText());
        v.put("label", card.at("/data/label").asText());
        v.put("split", card.at("/data/split").asText());
        v.put("neverRead", card.at("/data/never_read").asText());
        v.put("trainFile", card.at("/data/train/file").asText());
        v.put("trainSha", card.at("/data/train/sha256").asText());
        v.put("trainVisits", card.at("/data/train/visits").asInt());
        v.put("trainRows", card.at("/data/train/rows").asInt());
        v.put("trainExcluded", card.at("/data/train/excluded_rows").size());
        v.put("featureVersion", card.at("/features/version").asText());
        v.put("featureCount", card.at("/features/count").asInt());
        v.put("vocabularySize", card.at("/features/vocabulary").size());
        List<String> constant = new ArrayList<>();
        card.at("/features/constant_on_training_site_excluded").forEach(n -> constant.add(n.asText()));
        v.put("constantFeatures", String.join(", ", constant));
        v.put("candidate", card.at("/model/candidate").asText());
        v.put("family", card.at("/model/family").asText());
        v.put("tribuoClass", card.at("/model/implementation").isMissingNode() ? card.at("/model/tribuo_class").asText()
                : card.at("/model/implementation").asText());
        v.put("selection", card.at("/metrics/selection_criterion").asText());
        List<Map<String, String>> cv = new ArrayList<>();
        card.at("/metrics/cross_validation").properties().forEach(e -> {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("name", e.getKey());
            row.put("family", e.getValue().path("family").asText());
            row.put("cost", Report.format(e.getValue().get("mean_cost"), "3"));
            row.put("kappa", Report.format(e.getValue().get("quadratic_weighted_kappa"), "3"));
            row.put("accuracy", Report.format(e.getValue().get("accuracy"), "pct"));
            row.put("critical", e.getValue().has("critical_under_triage")
                    ? e.getValue().path("critical_under_triage").asText() + " of " + e.getValue().path("high_acuity_visits").asText()
                    : "n/a");
            row.put("over", Report.format(e.getValue().get("over_triage_rate"), "pct"));
            row.put("under", Report.format(e.getValue().get("under_triage_rate"), "pct"));
            List<String> thresholds = new ArrayList<>();
            e.getValue().path("thresholds").forEach(t -> thresholds.add(t.asText()));
            row.put("thresholds", thresholds.isEmpty() ? "-" : String.join(", ", thresholds));
            row.put("note", e.getValue().path("not_eligible_because").asText(""));
            row.put("selected", Boolean.toString(e.getKey().equals(card.at("/model/candidate").asText())));
            cv.add(row);
        });
        v.put("crossValidation", cv);
        v.put("temperature", Report.format(card.at("/calibration/temperature"), "3"));
        List<List<String>> costs = new ArrayList<>();
        card.at("/decision_rule/cost_matrix").forEach(row -> {
            List<String> r = new ArrayList<>();
            row.forEach(c -> r.add(c.asDouble() == Math.rint(c.asDouble()) ? Long.toString(c.asLong()) : c.asText()));
            costs.add(r);
        });
        v.put("costs", costs);
        v.put("costRationale", card.at("/config/cost-matrix/rationale").asText());
        v.put("explanationExact", card.at("/explanation/exact").asBoolean());
        v.put("decisionMethod", card.at("/decision_rule/method").asText());
        List<String> thresholds = new ArrayList<>();
        card.at("/decision_rule/thresholds").forEach(t -> thresholds.add(t.asText()));
        v.put("thresholds", String.join(", ", thresholds));
        JsonNode op = card.at("/metrics/operating_point");
        v.put("operatingPoint", op.isMissingNode() ? "" : "On the training site (out of fold, fused with the floors):"
                + " critical under-triage " + op.path("cv_critical_under_triage").asText() + " of "
                + op.path("high_acuity_visits").asText() + " (Wilson 95% "
                + Report.format(op.at("/cv_critical_under_triage_rate_wilson95/low"), "pct") + "-"
                + Report.format(op.at("/cv_critical_under_triage_rate_wilson95/high"), "pct") + "), nurses "
                + op.path("nurses_critical_under_triage").asText() + " (Wilson 95% "
                + Report.format(op.at("/nurses_critical_under_triage_rate_wilson95/low"), "pct") + "-"
                + Report.format(op.at("/nurses_critical_under_triage_rate_wilson95/high"), "pct") + "); over-triage "
                + Report.format(op.get("cv_over_triage_rate"), "pct") + ", under-triage "
                + Report.format(op.get("cv_under_triage_rate"), "pct") + ", exact "
                + Report.format(op.get("cv_accuracy"), "pct") + ", weighted kappa "
                + Report.format(op.get("cv_quadratic_weighted_kappa"), "3") + ". " + op.path("caveat").asText() + ".");
        List<Map<String, String>> floors = new ArrayList<>();
        card.at("/metrics/floor_audit/floors").properties().forEach(e -> {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("floor", e.getKey());
            row.put("visits", e.getValue().path("visits_with_this_floor").asText());
            row.put("aboveExpert", e.getValue().path("floor_more_urgent_than_expert").asText());
            row.put("caused", e.getValue().path("over_triaged_visits_caused").asText());
            row.put("argument", FLOOR_ARGUMENTS.getOrDefault(e.getKey(), ""));
            floors.add(row);
        });
        v.put("floors", floors);
        v.put("floorOver", card.at("/metrics/floor_audit/over_triaged_visits").asText(""));
        v.put("floorModelOnly", card.at("/metrics/floor_audit/over_triaged_by_the_model_alone").asText(""));
        v.put("commit", card.at("/provenance/git/commit").asText());
        v.put("sourcesModified", card.at("/provenance/git/sources_modified").asBoolean());
        List<String> libraries = new ArrayList<>();
        card.at("/provenance/libraries").properties().forEach(e -> libraries.add(e.getKey() + " " + e.getValue().asText()));
        v.put("libraries", String.join("; ", libraries));
        v.put("seed", card.path("seed").asText());
        v.put("limits", LIMITS);
        return v;
    }
}
