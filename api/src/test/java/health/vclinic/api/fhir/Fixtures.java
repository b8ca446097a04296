package health.vclinic.api.fhir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Small FHIR records as JSON, and the Synthea bundles, for the FHIR and CDS Hooks tests. */
final class Fixtures {

    static final String PATIENT_ID = "7d0b6c1e-2f43-4a5e-9a1c-3b2d1e0f9a8b";
    static final String PATIENT = "urn:uuid:" + PATIENT_ID;
    static final String T = "2024-05-01T10:00:00Z";

    private Fixtures() {
    }

    static String patient() {
        return """
                {"resourceType": "Patient", "id": "%s", "gender": "male", "birthDate": "1956-02-11"}"""
                .formatted(PATIENT_ID);
    }

    static String bundle(String... entries) {
        String rest = Arrays.stream(entries).map(e -> ",\n" + e).collect(Collectors.joining());
        return """
                {"resourceType": "Bundle", "type": "collection", "entry": [
                {"fullUrl": "%s", "resource": %s}%s
                ]}""".formatted(PATIENT, patient(), rest);
    }

    /** An Observation of one LOINC code with a UCUM Quantity, for {@code subject} at {@code T}. */
    static String observation(String id, String loinc, String value, String ucum, String subject) {
        return """
                {"resourceType": "Observation", "id": "%s", "status": "final",
                 "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
                 "code": {"coding": [{"system": "http://loinc.org", "code": "%s"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s",
                 "valueQuantity": {"value": %s, "system": "http://unitsofmeasure.org", "code": "%s"}}"""
                .formatted(id, loinc, subject, T, value, ucum);
    }

    static String entry(String id, String loinc, String value, String ucum) {
        return "{\"fullUrl\": \"urn:uuid:" + uuid(id) + "\", \"resource\": "
                + observation(uuid(id), loinc, value, ucum, PATIENT) + "}";
    }

    static String complaint(String words) {
        return """
                {"fullUrl": "urn:uuid:%s", "resource": {"resourceType": "QuestionnaireResponse", "status": "completed",
                 "subject": {"reference": "%s"}, "authored": "%s",
                 "item": [{"linkId": "8661-1", "text": "What brings you here today?", "answer": [{"valueString": "%s"}]}]}}"""
                .formatted(uuid("complaint"), PATIENT, T, words);
    }

    static String uuid(String id) {
        return java.util.UUID.nameUUIDFromBytes(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    static Path syntheaDir() {
        String root = System.getProperty("vclinic.root", ".");
        Path dir = Path.of(root).resolve("../shared/datasets/synthea_fhir_r4/bundles").normalize();
        if (!Files.isDirectory(dir)) {
            dir = Path.of("../../shared/datasets/synthea_fhir_r4/bundles").toAbsolutePath().normalize();
        }
        return dir;
    }

    static List<Path> syntheaBundles() {
        try (Stream<Path> files = Files.list(syntheaDir())) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path synthea(String prefix) {
        return syntheaBundles().stream().filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
