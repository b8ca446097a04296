package health.vclinic.api.review;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One item of a clinician's worklist: an assessment awaiting review, or an open monitoring alert. Items are
 * ordered by {@code level} (most urgent first), then by {@code at} (oldest first).
 *
 * @param type an assessment or an alert
 * @param id the assessment's record id, or the alert id
 * @param kinds why it is on the worklist
 * @param level the assessment's triage level; for an alert, the level its severity stands for (the NEWS2
 *     floors of the triage engine: HIGH 2, MEDIUM 3, LOW 4, INFO 5)
 * @param acuity the level's KTAS name (RESUSCITATION ... NON_URGENT), for text beside any colour
 * @param disposition an assessment's disposition (e.g. EMERGENCY_DEPARTMENT_NOW)
 * @param severity an alert's severity
 * @param at when the assessment was made or the alert raised
 * @param ageSeconds how long it has waited, when the page was read
 * @param patientRef the clinic's pseudonymous patient reference, when the request named one
 * @param chiefComplaint an assessment's chief complaint as the patient gave it
 * @param decidedBy the rule or model that set the level ({@code red-flag:...}, {@code news2},
 *     {@code model:triage-acuity@2}); for an alert, its detector
 * @param summary why a clinician should look: the engine's review reasons, or the alert's reason
 * @param lastAction an alert's latest clinician action (ACKNOWLEDGED, ESCALATED) since it was raised
 */
public record WorklistItem(Type type, String id, List<WorklistKind> kinds, int level, String acuity,
                           Optional<String> disposition, Optional<String> severity, Instant at, long ageSeconds,
                           Optional<String> patientRef, Optional<String> chiefComplaint, String decidedBy,
                           List<String> summary, SortedMap<String, String> modelVersions,
                           Optional<AlertActionKind> lastAction) {

    /** What the item is. */
    public enum Type {
        ASSESSMENT,
        ALERT
    }

    public WorklistItem {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        kinds = List.copyOf(kinds);
        Objects.requireNonNull(acuity, "acuity");
        Objects.requireNonNull(disposition, "disposition");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(patientRef, "patientRef");
        Objects.requireNonNull(chiefComplaint, "chiefComplaint");
        Objects.requireNonNull(decidedBy, "decidedBy");
        summary = List.copyOf(summary);
        modelVersions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(modelVersions));
        Objects.requireNonNull(lastAction, "lastAction");
    }
}
