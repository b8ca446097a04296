package health.vclinic.datasets.fhir;

import java.time.Instant;
import java.util.List;

/**
 * One value found in the record for one domain field, with its time and its source.
 *
 * @param field the domain field ("vitals.heart_rate", "interview.phq9", "interview.chief_complaint")
 * @param value a {@code Double} (measurements, in the domain unit; oxygen is 1 or 0), a {@code List<Integer>}
 *     (questionnaire answers in item order) or a {@code String} (chief complaint)
 * @param location FHIRPath of the element the value came from, for messages
 */
record Finding(String field, Object value, Instant time, Entry source, String location) {

    double number() {
        return (Double) value;
    }

    @SuppressWarnings("unchecked")
    List<Integer> answers() {
        return (List<Integer>) value;
    }

    String text() {
        return (String) value;
    }
}
