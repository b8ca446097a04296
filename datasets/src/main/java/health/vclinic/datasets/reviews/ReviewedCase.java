package health.vclinic.datasets.reviews;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One reviewed assessment, de-identified for retraining: no patient reference, record id, encounter id or
 * clinic; the age as a band; the month, not the day; the chief complaint only as the terms and complaint
 * groups the served model's feature extractor reads (a word outside its vocabulary never leaves); red flags
 * by rule id, without the words that fired them; no free text (the clinician's comment stays behind). Vital
 * signs, pain and injury are kept as measured, since the model reads them.
 *
 * @param reviewedMonth the month of the review that stands (the latest)
 * @param serviceLevel the level the service answered
 * @param clinicianLevel the level the clinician holds right: the service's when confirmed, theirs when
 *     overridden in the app; empty for a CDS Hooks override, which names no level
 * @param reason for an override, why
 * @param decidedBy the rule or model that set the service's level
 * @param modelVersions every rule set and model that took part, name to version
 * @param degraded answered on the rules alone because a model was missing
 * @param complaintTerms the complaint's terms within the served model's vocabulary, sorted
 * @param complaintGroups the complaint groups of the lexicon, as read
 * @param redFlags the ids of the red-flag rules that fired
 */
public record ReviewedCase(YearMonth reviewedMonth, ReviewSource source, ReviewAction action, int serviceLevel,
                           OptionalInt clinicianLevel, Optional<ReasonCode> reason, String decidedBy,
                           SortedMap<String, String> modelVersions, boolean degraded, Optional<AgeBand> ageBand,
                           Sex sex, VitalSigns vitals, OptionalInt painScore, Optional<Boolean> injury,
                           List<String> complaintTerms, List<String> complaintGroups, List<String> redFlags) {

    public ReviewedCase {
        Objects.requireNonNull(reviewedMonth, "reviewedMonth");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(clinicianLevel, "clinicianLevel");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(decidedBy, "decidedBy");
        modelVersions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(modelVersions));
        Objects.requireNonNull(ageBand, "ageBand");
        Objects.requireNonNull(sex, "sex");
        Objects.requireNonNull(vitals, "vitals");
        Objects.requireNonNull(painScore, "painScore");
        Objects.requireNonNull(injury, "injury");
        complaintTerms = List.copyOf(complaintTerms);
        complaintGroups = List.copyOf(complaintGroups);
        redFlags = List.copyOf(redFlags);
        level(serviceLevel, "service_level");
        clinicianLevel.ifPresent(l -> level(l, "clinician_level"));
        if ((action == ReviewAction.OVERRIDDEN) != reason.isPresent()) {
            throw new IllegalArgumentException("an override, and only an override, has a reason");
        }
        if (action == ReviewAction.CONFIRMED && clinicianLevel.orElse(serviceLevel) != serviceLevel) {
            throw new IllegalArgumentException("a confirmation holds the service's level");
        }
    }

    private static void level(int level, String field) {
        if (level < 1 || level > 5) {
            throw new IllegalArgumentException(field + " must be a triage level from 1 to 5");
        }
    }

    /** Whether the clinician held the service's level right (CONFIRMED). */
    public boolean agrees() {
        return action == ReviewAction.CONFIRMED;
    }

    /**
     * The case as an encounter a model can read: the band's representative age, no complaint text (the
     * complaint is given as read, from {@link #complaintTerms} and {@link #complaintGroups}), injury as the
     * structured answer.
     */
    public Encounter encounter(String encounterId) {
        Patient patient = new Patient(ageBand.map(b -> OptionalDouble.of(b.representativeAge())).orElse(OptionalDouble.empty()),
                sex, Optional.empty());
        Map<String, String> answers = injury.map(i -> Map.of(Interview.INJURY_ANSWER, i ? "yes" : "no")).orElse(Map.of());
        return new Encounter(encounterId, patient, vitals,
                new Interview("", painScore, OptionalDouble.empty(), List.of(), List.of(), answers));
    }
}
