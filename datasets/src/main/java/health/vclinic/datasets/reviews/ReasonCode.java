package health.vclinic.datasets.reviews;

import health.vclinic.datasets.InvalidInputException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Why a clinician overrode a triage level: a short fixed list, so that overrides can be counted and fed back
 * into training. The same codes are offered to EHRs as CDS Hooks {@code overrideReasons} (system
 * {@link #SYSTEM}); a CDS override with a reason outside the list is kept as {@link #OTHER}.
 */
public enum ReasonCode {
    MORE_URGENT_CLINICAL_JUDGEMENT("More urgent on clinical judgement"),
    LESS_URGENT_CLINICAL_JUDGEMENT("Less urgent on clinical judgement"),
    INFORMATION_MISSING_FROM_INTERVIEW("Information missing from the interview"),
    RED_FLAG_MISSED("Red flag missed"),
    RED_FLAG_FIRED_WRONGLY("Red flag fired wrongly"),
    MEASUREMENT_ARTEFACT("Measurement artefact"),
    OTHER("Other");

    /** The code system of the reasons, as CDS Hooks cards and feedback carry it. */
    public static final String SYSTEM = "https://vclinic.health/fhir/CodeSystem/triage-override-reason";

    private final String display;

    ReasonCode(String display) {
        this.display = display;
    }

    /** Words a clinician reads. */
    public String display() {
        return display;
    }

    /** The reason with this code. */
    public static Optional<ReasonCode> of(String code) {
        return Arrays.stream(values()).filter(r -> r.name().equals(code)).findFirst();
    }

    /**
     * The reason with this code, or a 400 naming {@code field} and the allowed codes.
     */
    public static ReasonCode parse(String code, String field) {
        return of(code).orElseThrow(() -> new InvalidInputException(field, "must be one of "
                + Arrays.toString(values())));
    }
}
