package health.vclinic.datasets;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What the patient said in the consultation.
 *
 * @param chiefComplaint free text, possibly empty; at most 4,000 characters
 * @param painScore numeric rating 0 to 10
 * @param symptomOnsetHours hours since the symptoms began, 0 to 87,600 (ten years)
 * @param phq9 the nine PHQ-9 answers 0 to 3 in item order, or empty when not asked
 * @param gad7 the seven GAD-7 answers 0 to 3 in item order, or empty when not asked
 * @param answers structured answers, question id to answer; at most 200, ids up to 64 characters,
 *     answers up to 1,000. Two ids have a fixed vocabulary, checked here because a triage model reads
 *     them: {@value #ARRIVAL_MODE_ANSWER} (an {@link ArrivalMode#answer()}) and {@value #INJURY_ANSWER}
 *     ({@code yes} or {@code no})
 */
public record Interview(
        String chiefComplaint,
        OptionalInt painScore,
        OptionalDouble symptomOnsetHours,
        List<Integer> phq9,
        List<Integer> gad7,
        Map<String, String> answers) {

    public static final int PHQ9_ITEMS = 9;
    public static final int GAD7_ITEMS = 7;
    public static final int MAX_COMPLAINT_CHARS = 4_000;
    public static final int MAX_ANSWERS = 200;
    /** The answer id for how the patient arrived; see {@link ArrivalMode}. */
    public static final String ARRIVAL_MODE_ANSWER = "arrival_mode";
    /** The answer id for whether the complaint follows an injury: {@code yes} or {@code no}. */
    public static final String INJURY_ANSWER = "injury";

    /** An interview in which nothing was asked. */
    public static final Interview NONE =
            new Interview("", OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of());

    public Interview {
        Objects.requireNonNull(chiefComplaint, "chiefComplaint");
        Objects.requireNonNull(painScore, "painScore");
        Objects.requireNonNull(symptomOnsetHours, "symptomOnsetHours");
        phq9 = List.copyOf(phq9);
        gad7 = List.copyOf(gad7);
        answers = Map.copyOf(answers);
        Checks checks = new Checks();
        checks.maxLength("interview.chief_complaint", chiefComplaint, MAX_COMPLAINT_CHARS);
        checks.range("interview.pain_score", painScore, 0, 10, "");
        checks.range("interview.symptom_onset_hours", symptomOnsetHours, 0, 87_600, "hours");
        questionnaire(checks, "interview.phq9", phq9, PHQ9_ITEMS);
        questionnaire(checks, "interview.gad7", gad7, GAD7_ITEMS);
        if (answers.size() > MAX_ANSWERS) {
            checks.fail("interview.answers", "must have at most " + MAX_ANSWERS + " entries");
        }
        answers.forEach((id, answer) -> {
            if (id.isBlank() || id.length() > 64) {
                checks.fail("interview.answers", "question ids must be 1 to 64 characters");
            }
            if (answer.length() > 1_000) {
                checks.fail("interview.answers", "answers must be at most 1000 characters");
            }
        });
        String arrival = answers.get(ARRIVAL_MODE_ANSWER);
        if (arrival != null && ArrivalMode.fromAnswer(arrival).isEmpty()) {
            checks.fail("interview.answers." + ARRIVAL_MODE_ANSWER, "must be one of " + ArrivalMode.allowed());
        }
        String injury = answers.get(INJURY_ANSWER);
        if (injury != null && yesNo(injury).isEmpty()) {
            checks.fail("interview.answers." + INJURY_ANSWER, "must be yes or no");
        }
        checks.throwIfAny();
    }

    /** How the patient arrived, when the answers say ({@value #ARRIVAL_MODE_ANSWER}). */
    public Optional<ArrivalMode> arrivalMode() {
        String arrival = answers.get(ARRIVAL_MODE_ANSWER);
        return arrival == null ? Optional.empty() : ArrivalMode.fromAnswer(arrival);
    }

    /** Whether the complaint follows an injury, when the answers say ({@value #INJURY_ANSWER}). */
    public Optional<Boolean> injury() {
        String injury = answers.get(INJURY_ANSWER);
        return injury == null ? Optional.empty() : yesNo(injury);
    }

    private static Optional<Boolean> yesNo(String answer) {
        return switch (answer.strip().toLowerCase(Locale.ROOT)) {
            case "yes" -> Optional.of(true);
            case "no" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    private static void questionnaire(Checks checks, String field, List<Integer> items, int expected) {
        if (items.isEmpty()) {
            return;
        }
        if (items.size() != expected) {
            checks.fail(field, "must have exactly " + expected + " answers (each 0 to 3), or none");
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            int v = items.get(i);
            if (v < 0 || v > 3) {
                checks.fail(field + "[" + i + "]", "must be a whole number from 0 to 3");
            }
        }
    }
}
