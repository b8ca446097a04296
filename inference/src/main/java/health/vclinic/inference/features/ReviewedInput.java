package health.vclinic.inference.features;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlag;
import health.vclinic.inference.redflags.RedFlagRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A de-identified reviewed case as the triage model reads it, for training and evaluation: the encounter
 * (banded age, no complaint text), the rule findings of its vital signs with the red flags that fired for
 * the patient (kept by rule id: their words stayed behind), and the complaint as the extractor read it.
 * Every feature the served model uses comes out as it did for the patient, except age, which is the middle
 * of its band.
 */
public record ReviewedInput(Encounter encounter, RuleFindings findings, TriageFeatures.ComplaintReading complaint) {

    public ReviewedInput {
        Objects.requireNonNull(encounter, "encounter");
        Objects.requireNonNull(findings, "findings");
        Objects.requireNonNull(complaint, "complaint");
    }

    /**
     * @param id names the encounter (never shown to anyone: the case has no identifier of its own)
     * @throws InferenceException when the case names a red-flag rule the engine's rules do not define
     */
    public static ReviewedInput of(ReviewedCase c, TriageEngine engine, String id) {
        Encounter encounter = c.encounter(id);
        RuleFindings vitals = engine.findings(encounter);
        List<RedFlag> flags = new ArrayList<>();
        for (String code : c.redFlags()) {
            RedFlagRule rule = engine.rules().rules().stream().filter(r -> r.id().equals(code)).findFirst()
                    .orElseThrow(() -> new InferenceException("a reviewed case names red-flag rule '" + code
                            + "', which rules " + engine.rules().version() + " do not define"));
            flags.add(new RedFlag(rule.id(), rule.description(), List.of(), rule.floor(), rule.disposition(),
                    rule.rationale(), rule.source()));
        }
        return new ReviewedInput(encounter, new RuleFindings(vitals.news2(), vitals.paediatric(), flags,
                vitals.questionnaires()), new TriageFeatures.ComplaintReading(new LinkedHashSet<>(c.complaintTerms()),
                new LinkedHashSet<>(c.complaintGroups())));
    }
}
