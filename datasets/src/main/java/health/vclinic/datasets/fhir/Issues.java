package health.vclinic.datasets.fhir;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.InvalidInputException.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what is wrong with one FHIR record, so a caller learns every fault at once. Each violation
 * names the element as a FHIRPath from the request root ({@code Bundle.entry[3].resource.valueQuantity.code})
 * and the resource ({@code Observation/abc}); none repeats a value, which may be patient data.
 */
final class Issues {

    private final List<Violation> violations = new ArrayList<>();

    void add(Entry entry, String element, String problem) {
        add(entry.path() + (element.isEmpty() ? "" : "." + element), "of " + entry.label() + " " + problem);
    }

    void add(String location, String problem) {
        violations.add(new Violation(location, problem));
    }

    boolean any() {
        return !violations.isEmpty();
    }

    void throwIfAny() {
        if (any()) {
            throw new InvalidInputException(violations);
        }
    }
}
