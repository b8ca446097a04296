package health.vclinic.datasets;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Who the patient is, as far as triage needs to know: no identifiers.
 *
 * @param ageYears age in years, fractions allowed (0.5 is six months); 0 to 130
 * @param sex administrative sex
 * @param pregnant whether the patient is pregnant, when asked
 */
public record Patient(OptionalDouble ageYears, Sex sex, Optional<Boolean> pregnant) {

    public static final double MAX_AGE_YEARS = 130;

    /** A patient about whom nothing is known. */
    public static final Patient UNKNOWN = new Patient(OptionalDouble.empty(), Sex.UNKNOWN, Optional.empty());

    public Patient {
        Objects.requireNonNull(ageYears, "ageYears");
        Objects.requireNonNull(sex, "sex");
        Checks.present(pregnant, "pregnant");
        Checks checks = new Checks();
        checks.range("patient.age_years", ageYears, 0, MAX_AGE_YEARS, "years");
        checks.throwIfAny();
    }

    /** True when the age is known and below 16, where NEWS2 does not apply. */
    public boolean child() {
        return ageYears.isPresent() && ageYears.getAsDouble() < 16;
    }

    public boolean knownPregnant() {
        return pregnant.orElse(false);
    }
}
