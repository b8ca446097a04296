package health.vclinic.datasets.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;

/** Small FHIR R4 records written as JSON, the way a clinic would send them, for the reader tests. */
final class Records {

    static final FhirContext FHIR = FhirContext.forR4();
    static final String PATIENT = "urn:uuid:11111111-1111-4111-8111-111111111111";

    private Records() {
    }

    static IBaseResource parse(String json) {
        return FHIR.newJsonParser().parseResource(json);
    }

    /** A transaction-style bundle: the patient (born {@code birthDate}) first, then {@code entries}. */
    static String bundle(String birthDate, String... entries) {
        String patient = entry(PATIENT, """
                {"resourceType": "Patient", "gender": "female"%s}"""
                .formatted(birthDate.isEmpty() ? "" : ", \"birthDate\": \"" + birthDate + "\""));
        String rest = Arrays.stream(entries).map(e -> ",\n" + e).collect(Collectors.joining());
        return """
                {"resourceType": "Bundle", "type": "collection", "entry": [
                %s%s
                ]}""".formatted(patient, rest);
    }

    static String entry(String fullUrl, String resource) {
        return "{\"fullUrl\": \"" + fullUrl + "\", \"resource\": " + resource + "}";
    }

    /** An Observation {@code id} of one LOINC code with a Quantity value, measured at {@code time}. */
    static String quantity(String id, String loinc, String value, String ucum, String time) {
        return entry("urn:uuid:" + uuid(id), """
                {"resourceType": "Observation", "status": "final",
                 "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                 "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s",
                 "valueQuantity": {"value": %s, "system": "http://unitsofmeasure.org", "code": "%s"}}"""
                .formatted(loinc, PATIENT, time, value, ucum));
    }

    /** A blood-pressure panel (85354-9) with systolic and diastolic components in mm[Hg]. */
    static String bloodPressure(String id, String systolic, String diastolic, String unit, String time) {
        return entry("urn:uuid:" + uuid(id), """
                {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s",
                 "component": [
                  {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                   "valueQuantity": {"value": %s, "system": "http://unitsofmeasure.org", "code": "%s"}},
                  {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                   "valueQuantity": {"value": %s, "system": "http://unitsofmeasure.org", "code": "%s"}}]}"""
                .formatted(PATIENT, time, systolic, unit, diastolic, unit));
    }

    /** A completed QuestionnaireResponse answering the items (LOINC code, answer JSON) given. */
    static String questionnaire(String id, String time, String... linkIdAndAnswer) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < linkIdAndAnswer.length; i += 2) {
            items.append(i == 0 ? "" : ",\n").append("{\"linkId\": \"").append(linkIdAndAnswer[i])
                    .append("\", \"answer\": [").append(linkIdAndAnswer[i + 1]).append("]}");
        }
        return entry("urn:uuid:" + uuid(id), """
                {"resourceType": "QuestionnaireResponse", "status": "completed",
                 "subject": {"reference": "%s"}, "authored": "%s",
                 "item": [%s]}""".formatted(PATIENT, time, items));
    }

    static String integer(int v) {
        return "{\"valueInteger\": " + v + "}";
    }

    static String loincAnswer(String code) {
        return "{\"valueCoding\": {\"system\": \"http://loinc.org\", \"code\": \"" + code + "\"}}";
    }

    /** A stable UUID for a short test id, so fullUrls are valid {@code urn:uuid:}s. */
    static String uuid(String id) {
        return java.util.UUID.nameUUIDFromBytes(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** The Synthea bundles in ../shared/datasets (see its README). */
    static Path syntheaBundles() {
        String root = System.getProperty("vclinic.root", ".");
        Path dir = Path.of(root).resolve("../shared/datasets/synthea_fhir_r4/bundles").normalize();
        if (!Files.isDirectory(dir)) {
            dir = Path.of("../../shared/datasets/synthea_fhir_r4/bundles").toAbsolutePath().normalize();
        }
        return dir;
    }
}
