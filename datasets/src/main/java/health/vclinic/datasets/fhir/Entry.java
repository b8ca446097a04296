package health.vclinic.datasets.fhir;

import java.util.Optional;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * One resource of the record and where it sits.
 *
 * @param path FHIRPath of the resource from the request root ({@code Bundle.entry[3].resource})
 * @param label how messages name it ({@code Observation/abc}, or its {@code urn:uuid:})
 * @param reference how other resources may point at it, for {@code RiskAssessment.basis}; empty when it
 *     has neither an id nor a fullUrl
 * @param fullUrl the bundle entry's fullUrl, or ""
 */
record Entry(Resource resource, String path, String label, Optional<String> reference, String fullUrl) {

    static Entry of(Resource resource, String fullUrl, String path) {
        String type = resource.fhirType();
        IdType id = resource.getIdElement();
        // HAPI replaces a bundled resource's id by the entry's fullUrl: "urn:uuid:..." or an absolute URL.
        String idPart = id.getIdPart();
        Optional<String> reference;
        if (idPart != null && !idPart.isBlank() && !idPart.startsWith("urn:")) {
            reference = Optional.of(type + "/" + idPart);
        } else if (id.getValue() != null && id.getValue().startsWith("urn:")) {
            reference = Optional.of(id.getValue());
        } else if (fullUrl != null && !fullUrl.isBlank()) {
            reference = Optional.of(fullUrl);
        } else {
            reference = Optional.empty();
        }
        String label = reference.map(r -> r.startsWith("urn:") ? type + " " + r : r).orElse(type);
        return new Entry(resource, path, label, reference, fullUrl == null ? "" : fullUrl);
    }
}
