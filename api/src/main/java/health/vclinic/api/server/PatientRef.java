package health.vclinic.api.server;

import health.vclinic.datasets.InvalidInputException;

/**
 * The clinic's pseudonymous reference for a patient, the key of the patient's timeline in the clinical
 * record: 1 to {@value #MAX_LENGTH} printable ASCII characters without spaces, the same rule as the
 * monitoring stream's {@code patient_ref}. A pseudonym is not anonymous (GDPR recital 26): it is still
 * personal data, so it is never logged and is erased with the rest of the patient's record.
 *
 * @param value the reference as the clinic wrote it
 */
public record PatientRef(String value) {

    /** Longest accepted reference. */
    public static final int MAX_LENGTH = 128;

    public PatientRef {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH
                || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidInputException("patient_ref", "must be 1 to " + MAX_LENGTH
                    + " printable ASCII characters without spaces (a pseudonymous reference)");
        }
    }

    @Override
    public String toString() {
        // Never the reference itself: records end up in exception messages and logs.
        return "PatientRef[" + value.length() + " chars]";
    }
}
