package health.vclinic.api.triage;

import health.vclinic.api.server.ClinicId;

/**
 * Admission of a chest X-ray sent inside a triage request to the imaging endpoint's per-clinic quota, so
 * that images reach the decoder and the model under the same bound whichever call carries them: one
 * clinic cannot take the imaging capacity of others by sending its images through {@code Assess}.
 */
@FunctionalInterface
public interface ImageAdmission {

    /** No imaging quota (a triage endpoint without an imaging model reads no X-ray). */
    ImageAdmission NONE = (clinic, image) -> () -> { };

    /** An admitted image's place in the quota, given back on close. */
    interface Admitted extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a place for {@code image} of {@code clinic}.
     *
     * @throws health.vclinic.api.server.ApiException RESOURCE_EXHAUSTED naming the quota when the clinic is over it
     * @throws health.vclinic.inference.InvalidInputException when the image's header is not a supported image
     */
    Admitted admit(ClinicId clinic, byte[] image);
}
