package health.vclinic.api.review;

import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.Floor;
import java.util.ArrayList;
import java.util.List;

/**
 * Why an item is on a clinician's worklist. An assessment may be there for several reasons at once; a
 * monitoring alert is there for one.
 *
 * <ul>
 *   <li>{@link #NEEDS_REVIEW}: the engine asked for a clinician ({@code needs_clinician_review}: red flags
 *       that need a look, a child's vital signs, too little to triage on, an image to confirm...);</li>
 *   <li>{@link #HIGH_ACUITY}: level 1 or 2 (KTAS resuscitation or emergent), which a clinician confirms;</li>
 *   <li>{@link #MODEL_RULES_DISAGREE}: the model set the level, more urgent than every rule floor (the
 *       record keeps the fused level and the rule floors, not the model's own level, so a model less
 *       urgent than a floor is not visible here: the floor stood);</li>
 *   <li>{@link #DEGRADED}: answered on the rules alone because a configured model was missing;</li>
 *   <li>{@link #ALERT}: an open remote-monitoring alert.</li>
 * </ul>
 */
public enum WorklistKind {
    NEEDS_REVIEW,
    HIGH_ACUITY,
    MODEL_RULES_DISAGREE,
    DEGRADED,
    ALERT;

    /** The kinds an assessment itself is on the worklist for (never {@link #ALERT}); empty: none. */
    public static List<WorklistKind> of(TriageAssessment a) {
        List<WorklistKind> kinds = new ArrayList<>(4);
        if (a.getNeedsClinicianReview()) {
            kinds.add(NEEDS_REVIEW);
        }
        if (a.getLevel() >= 1 && a.getLevel() <= 2) {
            kinds.add(HIGH_ACUITY);
        }
        if (a.getDecidedBy().startsWith("model:") && a.getLevelProbabilitiesCount() > 0) {
            int rules = a.getFloorsList().stream().mapToInt(Floor::getLevel).min().orElse(6);
            if (a.getLevel() < rules) {
                kinds.add(MODEL_RULES_DISAGREE);
            }
        }
        if (a.getDegraded()) {
            kinds.add(DEGRADED);
        }
        return kinds;
    }

    /** The kinds of assessments (everything but {@link #ALERT}). */
    public static List<WorklistKind> assessmentKinds() {
        return List.of(NEEDS_REVIEW, HIGH_ACUITY, MODEL_RULES_DISAGREE, DEGRADED);
    }
}
