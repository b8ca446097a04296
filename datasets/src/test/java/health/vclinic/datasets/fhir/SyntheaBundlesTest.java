package health.vclinic.datasets.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Sex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.Test;

/**
 * The reader on real Synthea R4 bundles (../shared/datasets/synthea_fhir_r4): the values it maps are
 * checked against the source Observations, found here by a plain walk over the bundle, and against the
 * numbers printed in the files.
 */
class SyntheaBundlesTest {

    private static final FhirTriageReader READER = FhirTriageReader.standard();

    private static Bundle bundle(String prefix) throws IOException {
        try (var files = Files.list(Records.syntheaBundles())) {
            Path file = files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
            return (Bundle) Records.parse(Files.readString(file));
        }
    }

    /** The newest Observation of a LOINC code, by a plain walk over the entries. */
    private static Optional<Observation> newest(Bundle b, String loinc) {
        return b.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(r -> r instanceof Observation).map(r -> (Observation) r)
                .filter(o -> o.getCode().getCodingFirstRep().getCode().equals(loinc))
                .max(Comparator.comparing(o -> o.getEffectiveDateTimeType().getValue()));
    }

    private static double component(Observation o, String loinc) {
        return o.getComponent().stream().filter(c -> c.getCode().getCodingFirstRep().getCode().equals(loinc))
                .map(c -> ((Quantity) c.getValue()).getValue().doubleValue()).findFirst().orElseThrow();
    }

    @Test
    void albertoAtencioBloodPressurePainAndAgeAreTheNewestObservations() throws IOException {
        Bundle b = bundle("Alberto_Atencio_");
        FhirTriageInput in = READER.read(b);

        Observation bp = newest(b, "55284-4").orElseThrow();
        Observation pain = newest(b, "72514-3").orElseThrow();
        assertEquals(component(bp, "8480-6"), in.encounter().vitals().systolicBp().getAsDouble());
        assertEquals(component(bp, "8462-4"), in.encounter().vitals().diastolicBp().getAsDouble());
        // As printed in the file: 131.53666714260382 / 78.16325647967783 on 2019-03-11; pain 1.877 rounds to 2.
        assertEquals(131.53666714260382, in.encounter().vitals().systolicBp().getAsDouble());
        assertEquals(78.16325647967783, in.encounter().vitals().diastolicBp().getAsDouble());
        assertEquals(Math.round(pain.getValueQuantity().getValue().doubleValue()),
                in.encounter().interview().painScore().getAsInt());
        assertEquals(2, in.encounter().interview().painScore().getAsInt());

        Instant at = bp.getEffectiveDateTimeType().getValue().toInstant();
        assertEquals(Instant.parse("2019-03-11T05:28:45Z"), in.observedAt().orElseThrow());
        double age = ChronoUnit.DAYS.between(LocalDate.of(1993, 6, 7), LocalDate.ofInstant(at, ZoneOffset.UTC)) / 365.2425;
        assertEquals(age, in.encounter().patient().ageYears().getAsDouble(), 1e-9);
        assertEquals(Sex.MALE, in.encounter().patient().sex());
        assertEquals(List.of("urn:uuid:1a21738f-920e-4ae0-987f-fabbbfea33ef", "urn:uuid:d0959016-1a06-4de1-915a-7e3c20ae8143"),
                in.basis(), "the blood-pressure panel, then the pain score");
        assertEquals("urn:uuid:4e8ed886-fd5f-40bb-8feb-f339b04d853a", in.patientReference(), "the Patient entry's fullUrl");
        assertTrue(in.encounter().vitals().heartRate().isEmpty(), "Synthea has no heart rate: missing, not guessed");
    }

    @Test
    void carinKerlukeTemperatureAndReasonInsideTheWindowOlderBloodPressureOutside() throws IOException {
        Bundle b = bundle("Carin_Kerluke_");
        FhirTriageInput in = READER.read(b);

        Observation temperature = newest(b, "8331-1").orElseThrow();
        assertEquals(temperature.getValueQuantity().getValue().doubleValue(),
                in.encounter().vitals().temperatureC().getAsDouble());
        assertEquals(37.11077371271117, in.encounter().vitals().temperatureC().getAsDouble());
        // The newest blood pressure (2019-02-21) is months before the temperature (2019-11-06).
        assertTrue(in.encounter().vitals().systolicBp().isEmpty());
        assertTrue(in.encounter().interview().painScore().isEmpty());
        assertEquals("Acute viral pharyngitis (disorder)", in.encounter().interview().chiefComplaint());
        assertTrue(in.encounterReference().isPresent());
        assertEquals(2, in.basis().size(), in.basis().toString());
        assertTrue(in.notes().getFirst().contains("older than the look-back window"), in.notes().toString());
    }

    @Test
    void endaSchaeferIsAnInfant() throws IOException {
        FhirTriageInput in = READER.read(bundle("Enda_Schaefer_"));
        double age = in.encounter().patient().ageYears().getAsDouble();
        assertTrue(age > 0.9 && age < 1.0, "born 2020-04-09, newest observation 2021-03-18: " + age);
        assertTrue(in.encounter().patient().child());
        assertEquals(118.50735146589886, in.encounter().vitals().systolicBp().getAsDouble());
    }
}
