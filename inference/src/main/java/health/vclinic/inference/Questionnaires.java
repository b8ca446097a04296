package health.vclinic.inference;

import java.util.List;
import java.util.Optional;

/**
 * PHQ-9 (Kroenke, Spitzer, Williams, J Gen Intern Med 2001) and GAD-7 (Spitzer, Kroenke, Williams,
 * Löwe, Arch Intern Med 2006) totals and severity bands.
 *
 * <p>PHQ-9 bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
 * GAD-7 bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe. A total of 10 or more is each
 * instrument's published cut-point for a probable disorder, and is the point from which the triage
 * asks for a routine consultation at least. PHQ-9 item 9 (thoughts of being better off dead or of
 * self-harm) is handled as a red flag by the rules, not here.
 */
public final class Questionnaires {

    public static final String PHQ9_SOURCE = "PHQ-9, Kroenke et al., J Gen Intern Med 2001";
    public static final String GAD7_SOURCE = "GAD-7, Spitzer et al., Arch Intern Med 2006";
    /** The published cut-point for a probable disorder on both instruments. */
    public static final int CUT_POINT = 10;

    private Questionnaires() {
    }

    /** Scores nine answers; empty when the PHQ-9 was not asked. */
    public static Optional<QuestionnaireScore> phq9(List<Integer> items) {
        if (items.isEmpty()) {
            return Optional.empty();
        }
        int total = sum(items, 9);
        return Optional.of(new QuestionnaireScore("PHQ-9", items, total, 27, phq9Severity(total), PHQ9_SOURCE));
    }

    /** Scores seven answers; empty when the GAD-7 was not asked. */
    public static Optional<QuestionnaireScore> gad7(List<Integer> items) {
        if (items.isEmpty()) {
            return Optional.empty();
        }
        int total = sum(items, 7);
        return Optional.of(new QuestionnaireScore("GAD-7", items, total, 21, gad7Severity(total), GAD7_SOURCE));
    }

    static Severity phq9Severity(int total) {
        if (total <= 4) {
            return Severity.MINIMAL;
        }
        if (total <= 9) {
            return Severity.MILD;
        }
        if (total <= 14) {
            return Severity.MODERATE;
        }
        if (total <= 19) {
            return Severity.MODERATELY_SEVERE;
        }
        return Severity.SEVERE;
    }

    static Severity gad7Severity(int total) {
        if (total <= 4) {
            return Severity.MINIMAL;
        }
        if (total <= 9) {
            return Severity.MILD;
        }
        if (total <= 14) {
            return Severity.MODERATE;
        }
        return Severity.SEVERE;
    }

    /** The floor a questionnaire sets: a routine consultation at or above the cut-point. */
    static Optional<TriageFloor> floor(QuestionnaireScore score) {
        if (score.total() < CUT_POINT) {
            return Optional.empty();
        }
        return Optional.of(new TriageFloor("questionnaire:" + score.instrument().toLowerCase(java.util.Locale.ROOT),
                TriageLevel.LESS_URGENT, score.instrument() + " total " + score.total() + " ("
                        + score.severity().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + ") is at or above the cut-point of " + CUT_POINT));
    }

    private static int sum(List<Integer> items, int expected) {
        if (items.size() != expected) {
            throw new IllegalArgumentException("expected " + expected + " answers");
        }
        int total = 0;
        for (int v : items) {
            if (v < 0 || v > 3) {
                throw new IllegalArgumentException("answers are 0 to 3");
            }
            total += v;
        }
        return total;
    }
}
