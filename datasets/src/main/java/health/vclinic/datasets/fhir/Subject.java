package health.vclinic.datasets.fhir;

import java.util.HashSet;
import java.util.Set;
import org.hl7.fhir.r4.model.Reference;

/**
 * The record's one Patient, and every way a reference may name it: the entry's fullUrl
 * ({@code urn:uuid:...} or an absolute URL), {@code Patient/<id>}, or an absolute URL ending in it.
 */
record Subject(Entry patient, Set<String> aliases, String idPart) {

    static Subject of(Entry patient) {
        Set<String> aliases = new HashSet<>();
        if (!patient.fullUrl().isBlank()) {
            aliases.add(patient.fullUrl());
        }
        String value = patient.resource().getIdElement().getValue();
        if (value != null) {
            aliases.add(value);
        }
        patient.reference().ifPresent(aliases::add);
        String idPart = patient.resource().getIdElement().getIdPart();
        if (idPart != null && !idPart.startsWith("urn:")) {
            aliases.add("Patient/" + idPart);
        } else {
            idPart = "";
        }
        return new Subject(patient, Set.copyOf(aliases), idPart);
    }

    /** The reference {@code RiskAssessment.subject} uses. */
    String reference() {
        return patient.reference().orElse("Patient");
    }

    boolean isReferencedBy(Reference reference) {
        String r = reference.getReference();
        if (r == null || r.isBlank()) {
            return false;
        }
        if (aliases.contains(r)) {
            return true;
        }
        // An absolute reference to the same server as a relative alias, or the other way round.
        return !idPart.isEmpty() && (r.endsWith("/Patient/" + idPart)
                || r.startsWith("Patient/") && aliases.stream().anyMatch(a -> a.endsWith("/" + r)));
    }
}
