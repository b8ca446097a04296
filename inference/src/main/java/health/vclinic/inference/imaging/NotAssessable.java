package health.vclinic.inference.imaging;

import java.util.Objects;

/**
 * Why an image was not read: the chest X-ray model was not made for it, so any probability it gave
 * would be meaningless (an all-black image scored "pneumonia" at 0.9999998 before this gate existed).
 * A not-assessable image never sets a triage floor and asks for a clinician's own look instead.
 *
 * @param reason the kind of image it is
 * @param explanation plain words for the caller and the triage explanation; never the pixels
 * @param score the out-of-distribution score (Mahalanobis distance of the image statistics from the
 *     training films'; 0 when the image was refused before it was scored)
 * @param threshold the score above which an image is refused
 */
public record NotAssessable(Reason reason, String explanation, double score, double threshold) {

    /** The kinds of image the gate refuses. */
    public enum Reason {
        /** Blank or nearly uniform: no structure to read (an all-black or all-white image). */
        UNIFORM,
        /** A chest film with its grey levels inverted (a negative): its negative would pass. */
        INVERTED,
        /** Its image statistics lie outside those of the frontal chest films the model learnt from. */
        NOT_A_CHEST_FILM
    }

    public NotAssessable {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(explanation, "explanation");
        if (!Double.isFinite(score) || score < 0 || !(threshold > 0)) {
            throw new IllegalArgumentException("a score is finite and non-negative, a threshold positive");
        }
    }
}
