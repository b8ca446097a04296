package health.vclinic.datasets.fhir;

import health.vclinic.datasets.Encounter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a FHIR R4 record says for triage: the domain {@link Encounter} the engine assesses (the same
 * record gRPC and HTTP JSON build), and where its values came from, so that the answer can be written
 * back into the record as resources that point at their evidence.
 *
 * @param encounter the domain record; a value the record lacks stays absent, never guessed
 * @param patientReference the Patient as a reference ({@code Patient/123} or the entry's
 *     {@code urn:uuid:}), for {@code RiskAssessment.subject}
 * @param encounterReference the FHIR Encounter whose reason gave the chief complaint, when one did
 * @param basis references to every Observation, QuestionnaireResponse and Encounter a value was taken
 *     from, in chart order and without repeats, for {@code RiskAssessment.basis}
 * @param observedAt the time of the newest dated input, which anchors the look-back window and at which
 *     the age is computed; empty when the record had no dated input (then the reading time was used)
 * @param lookBack the look-back window that applied
 * @param notes what the reader left out and why ("2 vital-sign Observations were older than the look-back
 *     window"), in plain words without patient data
 */
public record FhirTriageInput(
        Encounter encounter,
        String patientReference,
        Optional<String> encounterReference,
        List<String> basis,
        Optional<Instant> observedAt,
        Duration lookBack,
        List<String> notes) {

    public FhirTriageInput {
        Objects.requireNonNull(encounter, "encounter");
        Objects.requireNonNull(patientReference, "patientReference");
        Objects.requireNonNull(encounterReference, "encounterReference");
        basis = List.copyOf(basis);
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(lookBack, "lookBack");
        notes = List.copyOf(notes);
    }
}
