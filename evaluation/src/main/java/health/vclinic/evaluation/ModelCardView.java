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
            "Arrival mode (ambulance or not) is usually unknown in a virtual clinic; it then contributes nothing,"
                    + " which is not the same as 'walked in'.",
            "The level is chosen by minimum expected cost, which trades over-triage for fewer missed emergencies on"
                    + " purpose: exact-level accuracy is not the aim, and a high over-triage rate is the price.",
            "The model can only raise urgency above the rule floors in the service; it is decision support, not a"
                    + " replacement for a clinician's triage.");

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
        v.put("tribuoClass", card.at("/model/tribuo_class").asText());
        v.put("selection", card.at("/metrics/selection_criterion").asText());
        List<Map<String, String>> cv = new ArrayList<>();
        card.at("/metrics/cross_validation").properties().forEach(e -> {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("name", e.getKey());
            row.put("family", e.getValue().path("family").asText());
            row.put("cost", Report.format(e.getValue().get("mean_cost"), "3"));
            row.put("kappa", Report.format(e.getValue().get("quadratic_weighted_kappa"), "3"));
            row.put("accuracy", Report.format(e.getValue().get("accuracy"), "pct"));
            row.put("critical", e.getValue().path("critical_under_triage").asText() + " of "
                    + e.getValue().path("high_acuity_visits").asText());
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
