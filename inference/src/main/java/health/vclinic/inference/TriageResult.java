package health.vclinic.inference;

import health.vclinic.inference.news2.News2Score;
import health.vclinic.inference.redflags.RedFlag;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the service says about one encounter: the level and who set it, every score and rule that
 * took part, the reasons in plain words, and what was missing.
 *
 * @param levelProbabilities one per level (index 0 is level 1) once a model is served, else empty
 * @param explanation reasons in plain words, the one that set the level first
 * @param missing request fields that were absent ("vitals.heart_rate")
 * @param versions every rule set and model that took part, name to version, in a stable order
 * @param degraded the models the service is configured to serve but could not load, each with why
 *     (empty when nothing is missing); a degraded answer always asks for a clinician's review
 */
public record TriageResult(
        String encounterId,
        TriageDecision decision,
        List<Double> levelProbabilities,
        News2Score news2,
        PaediatricAssessment paediatric,
        List<RedFlag> redFlags,
        List<QuestionnaireScore> questionnaires,
        List<String> explanation,
        boolean needsClinicianReview,
        List<String> reviewReasons,
        List<String> missing,
        Map<String, String> versions,
        List<MissingModel> degraded) {

    public TriageResult {
        Objects.requireNonNull(encounterId, "encounterId");
        Objects.requireNonNull(decision, "decision");
        levelProbabilities = List.copyOf(levelProbabilities);
        Objects.requireNonNull(news2, "news2");
        Objects.requireNonNull(paediatric, "paediatric");
        redFlags = List.copyOf(redFlags);
        questionnaires = List.copyOf(questionnaires);
        explanation = List.copyOf(explanation);
        reviewReasons = List.copyOf(reviewReasons);
        missing = List.copyOf(missing);
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        degraded = List.copyOf(degraded);
        if (!degraded.isEmpty() && !needsClinicianReview) {
            throw new IllegalArgumentException("a degraded answer must ask for a clinician's review");
        }
    }

    public TriageLevel level() {
        return decision.level();
    }
}
