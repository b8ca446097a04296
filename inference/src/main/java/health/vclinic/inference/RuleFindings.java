package health.vclinic.inference;

import health.vclinic.inference.news2.News2Score;
import health.vclinic.inference.redflags.RedFlag;
import java.util.List;
import java.util.Objects;

/**
 * What the rules found for one encounter, computed once and shared: by the floors, by the
 * explanation, and by a triage model that uses them as features (NEWS2 points, red-flag hits).
 */
public record RuleFindings(News2Score news2, PaediatricAssessment paediatric, List<RedFlag> redFlags,
                           List<QuestionnaireScore> questionnaires) {
    public RuleFindings {
        Objects.requireNonNull(news2, "news2");
        Objects.requireNonNull(paediatric, "paediatric");
        redFlags = List.copyOf(redFlags);
        questionnaires = List.copyOf(questionnaires);
    }
}
