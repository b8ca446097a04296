package health.vclinic.inference;

import health.vclinic.datasets.Encounter;

/**
 * A model that proposes a triage level. Its opinion is fused with the rule floors by
 * {@link TriageFusion}: it can raise urgency, never lower it below a floor. Implementations are
 * immutable and thread safe (one instance serves every request).
 */
public interface TriageModel {

    /** The model and version, e.g. {@code triage-acuity@3}; reported in {@code model_versions}. */
    String id();

    /**
     * @param findings what the rules found, for models that use them as features
     */
    ModelOpinion predict(Encounter encounter, RuleFindings findings);
}
