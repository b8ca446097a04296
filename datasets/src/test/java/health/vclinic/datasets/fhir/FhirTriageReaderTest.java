package health.vclinic.datasets.fhir;

import static health.vclinic.datasets.fhir.Records.bloodPressure;
import static health.vclinic.datasets.fhir.Records.bundle;
import static health.vclinic.datasets.fhir.Records.entry;
import static health.vclinic.datasets.fhir.Records.integer;
import static health.vclinic.datasets.fhir.Records.loincAnswer;
import static health.vclinic.datasets.fhir.Records.parse;
import static health.vclinic.datasets.fhir.Records.quantity;
import static health.vclinic.datasets.fhir.Records.questionnaire;
import static health.vclinic.datasets.fhir.Records.uuid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FHIR reader on small hand-written records: units, look-back, missing values, questionnaires, errors. */
class FhirTriageReaderTest {

    private static final FhirTriageReader READER = FhirTriageReader.standard();
    private static final String T = "2024-05-01T10:00:00Z";

    private static FhirTriageInput read(String json) {
        return READER.read(parse(json));
    }

    private static InvalidInputException rejected(String json) {
        return assertThrows(InvalidInputException.class, () -> read(json));
    }

    private static String ref(String id) {
        return "urn:uuid:" + uuid(id);
    }

    // ------------------------------------------------------------------ units

    @Test
    void fahrenheitKilopascalsAndFractionsAreConvertedToTheDomainUnits() {
        FhirTriageInput in = read(bundle("1970-05-01",
                quantity("t", "8310-5", "102.2", "[degF]", T),
                bloodPressure("bp", "16", "10.666", "kPa", T),
                quantity("s", "59408-5", "0.93", "1", T),
                quantity("hr", "8867-4", "88", "{beats}/min", T),
                quantity("rr", "9279-1", "22", "/min", T)));

        VitalSigns v = in.encounter().vitals();
        assertEquals(39.0, v.temperatureC().getAsDouble(), 1e-9, "(102.2 - 32) * 5/9");
        assertEquals(120.01, v.systolicBp().getAsDouble(), 0.01, "16 kPa * 760 / 101.325");
        assertEquals(80.0, v.diastolicBp().getAsDouble(), 0.01);
        assertEquals(93.0, v.spo2().getAsDouble(), 1e-9);
        assertEquals(88.0, v.heartRate().getAsDouble());
        assertEquals(22.0, v.respiratoryRate().getAsDouble());
        assertEquals(List.of(ref("rr"), ref("s"), ref("bp"), ref("hr"), ref("t")), in.basis(), "chart order");
    }

    @Test
    void kelvinAndOxygenFromAUsCorePulseOximetryComponent() {
        String pulseOx = entry(ref("ox"), """
                {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "2708-6"},
                                     {"system": "http://loinc.org", "code": "59408-5"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s",
                 "valueQuantity": {"value": 91, "system": "http://unitsofmeasure.org", "code": "%%"},
                 "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "3151-8"}]},
                   "valueQuantity": {"value": 2, "system": "http://unitsofmeasure.org", "code": "L/min"}}]}"""
                .formatted(Records.PATIENT, T));
        FhirTriageInput in = read(bundle("1970-05-01", pulseOx, quantity("t", "8331-1", "310.15", "K", T)));

        assertEquals(91.0, in.encounter().vitals().spo2().getAsDouble());
        assertEquals(true, in.encounter().vitals().supplementalOxygen().orElseThrow(), "2 L/min is on oxygen");
        assertEquals(37.0, in.encounter().vitals().temperatureC().getAsDouble(), 1e-9);
    }

    @Test
    void roomAirByInhaledOxygenConcentration() {
        FhirTriageInput in = read(bundle("1970-05-01", quantity("f", "3150-0", "21", "%", T)));
        assertEquals(false, in.encounter().vitals().supplementalOxygen().orElseThrow());
    }

    @Test
    void anUnknownUnitIsRejectedNamingTheResourceAndElement() {
        InvalidInputException e = rejected(bundle("1970-05-01",
                bloodPressure("bp", "120", "80", "mmHg", T),
                quantity("t", "8310-5", "37", "degC", T)));

        assertEquals(List.of("Bundle.entry[1].resource.component[0].valueQuantity.code",
                        "Bundle.entry[1].resource.component[1].valueQuantity.code",
                        "Bundle.entry[2].resource.valueQuantity.code"),
                e.violations().stream().map(InvalidInputException.Violation::field).toList());
        assertTrue(e.getMessage().contains("of Observation " + ref("bp")), e.getMessage());
        assertTrue(e.getMessage().contains("mm[Hg], kPa"), "says what is accepted: " + e.getMessage());
        assertTrue(e.getMessage().contains("Cel, [degF], K"), e.getMessage());
    }

    @Test
    void aUnitOutsideUcumAndAValueThatIsNotAQuantityAreRejected() {
        String otherSystem = quantity("hr", "8867-4", "80", "/min", T)
                .replace("http://unitsofmeasure.org", "http://example.org/units");
        String text = entry(ref("rr"), """
                {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "9279-1"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s", "valueString": "fast"}"""
                .formatted(Records.PATIENT, T));
        InvalidInputException e = rejected(bundle("1970-05-01", otherSystem, text));

        assertEquals("Bundle.entry[1].resource.valueQuantity.system", e.violations().get(0).field());
        assertEquals("Bundle.entry[2].resource.valueString", e.violations().get(1).field());
        assertFalse(e.getMessage().contains("fast"), "never echoes a value: " + e.getMessage());
    }

    @Test
    void anImpossibleConvertedValueNamesTheObservationItCameFrom() {
        InvalidInputException e = rejected(bundle("1970-05-01", quantity("hr", "8867-4", "900", "/min", T)));

        InvalidInputException.Violation v = e.violations().getFirst();
        assertEquals("Bundle.entry[1].resource.valueQuantity.value", v.field());
        assertTrue(v.allowed().contains("Observation " + ref("hr")), v.allowed());
        assertTrue(v.allowed().contains("vitals.heart_rate") && v.allowed().contains("from 20 to 350"), v.allowed());
    }

    // ------------------------------------------------------------------ look-back and newest value

    @Test
    void theNewestValueInsideTheWindowIsUsedAndOlderOnesAreNot() {
        FhirTriageInput in = read(bundle("1970-05-01",
                quantity("hr-old", "8867-4", "130", "/min", "2024-04-30T09:59:00Z"),   // 24 h 1 min before
                quantity("hr-mid", "8867-4", "110", "/min", "2024-05-01T06:00:00Z"),
                quantity("hr-new", "8867-4", "72", "/min", "2024-05-01T09:00:00Z"),
                quantity("rr-old", "9279-1", "30", "/min", "2024-04-29T10:00:00Z"),
                quantity("t", "8310-5", "36.8", "Cel", T)));

        assertEquals(72.0, in.encounter().vitals().heartRate().getAsDouble());
        assertTrue(in.encounter().vitals().respiratoryRate().isEmpty(), "the only respiratory rate is too old");
        assertEquals(List.of(ref("hr-new"), ref("t")), in.basis());
        assertEquals(Instant.parse(T), in.observedAt().orElseThrow());
        assertTrue(in.notes().getFirst().startsWith("2 resources were older than the look-back window (24 h"),
                in.notes().toString());
    }

    @Test
    void theLookBackIsConfigurableOnTheReaderAndPerCall() {
        String record = bundle("1970-05-01",
                quantity("rr-old", "9279-1", "30", "/min", "2024-04-29T10:00:00Z"),
                quantity("t", "8310-5", "36.8", "Cel", T));
        FhirTriageReader threeDays = FhirTriageReader.builder().lookBack(Duration.ofDays(3)).build();
        assertEquals(30.0, threeDays.read(parse(record)).encounter().vitals().respiratoryRate().getAsDouble());

        String parameters = """
                {"resourceType": "Parameters", "parameter": [
                  {"name": "lookBack", "valueDuration": {"value": 2, "system": "http://unitsofmeasure.org", "code": "d"}},
                  {"name": "bundle", "resource": %s}]}""".formatted(record);
        FhirTriageInput in = read(parameters);
        assertEquals(30.0, in.encounter().vitals().respiratoryRate().getAsDouble());
        assertEquals(Duration.ofDays(2), in.lookBack());

        InvalidInputException e = rejected(parameters.replace("\"code\": \"d\"", "\"code\": \"mo\""));
        assertEquals("Parameters.parameter[0].valueDuration", e.violations().getFirst().field());
        assertThrows(IllegalArgumentException.class, () -> FhirTriageReader.builder().lookBack(Duration.ZERO));
    }

    @Test
    void twoValuesAtTheSameTimeThatDisagreeAreAnError() {
        InvalidInputException e = rejected(bundle("1970-05-01",
                quantity("a", "8867-4", "80", "/min", T), quantity("b", "8867-4", "120", "/min", T)));
        assertTrue(e.getMessage().contains("measured at the same time"), e.getMessage());
        // The same value twice (a duplicate feed) is not a disagreement.
        read(bundle("1970-05-01", quantity("a", "8867-4", "80", "/min", T), quantity("b", "8867-4", "80", "/min", T)));
    }

    // ------------------------------------------------------------------ missing inputs

    @Test
    void aPatientAloneIsReadWithEverythingElseAbsent() {
        Clock clock = Clock.fixed(Instant.parse("2024-05-01T00:00:00Z"), ZoneOffset.UTC);
        FhirTriageInput in = FhirTriageReader.builder().clock(clock).build().read(parse(bundle("1984-05-01")));

        Encounter e = in.encounter();
        assertEquals(VitalSigns.NONE, e.vitals());
        assertEquals(Interview.NONE, e.interview());
        assertEquals(40.0, e.patient().ageYears().getAsDouble(), 0.01, "age at the time of reading");
        assertEquals(Sex.FEMALE, e.patient().sex());
        assertTrue(in.basis().isEmpty());
        assertTrue(in.observedAt().isEmpty());
        assertEquals(Records.PATIENT, in.patientReference());
    }

    @Test
    void aDataAbsentReasonIsMissingNotAnErrorAndAnAbsentValueWithoutOneIsAnError() {
        String absent = entry(ref("hr"), """
                {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                 "subject": {"reference": "%s"}, "effectiveDateTime": "%s",
                 "dataAbsentReason": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "not-performed"}]}}"""
                .formatted(Records.PATIENT, T));
        assertTrue(read(bundle("1970-05-01", absent)).encounter().vitals().heartRate().isEmpty());

        String bare = absent.replaceAll(",\\s*\"dataAbsentReason\": \\{.*}]}}", "}");
        InvalidInputException e = rejected(bundle("1970-05-01", bare));
        assertEquals("Bundle.entry[1].resource.value[x]", e.violations().getFirst().field());
    }

    @Test
    void aBirthDateToTheYearGivesAnAdultsLowerBoundAndNoAgeForAPossibleChild() {
        FhirTriageInput adult = read(bundle("1970", quantity("t", "8310-5", "37", "Cel", T)));
        assertEquals(53.0, adult.encounter().patient().ageYears().getAsDouble(), "born in 1970: at least 53 on 2024-05-01");
        FhirTriageInput child = read(bundle("2008", quantity("t", "8310-5", "37", "Cel", T)));
        assertTrue(child.encounter().patient().ageYears().isEmpty(), "15 or 16: not guessed");
        assertTrue(child.notes().stream().anyMatch(n -> n.contains("may be under 16")), child.notes().toString());
    }

    // ------------------------------------------------------------------ questionnaires and complaint

    @Test
    void phq9AndGad7ComeFromLoincItemsInItemOrder() {
        String phq9 = questionnaire("phq", T,
                "/44249-1/44250-9", loincAnswer("LA6571-9"), "44255-8", integer(2), "44259-0", integer(1),
                "44254-1", integer(0), "44251-7", integer(0), "44258-2", integer(0), "44252-5", integer(0),
                "44253-3", integer(0), "44260-8", loincAnswer("LA6569-3"), "44261-6", integer(7));
        String gad7 = questionnaire("gad", T,
                "69725-0", integer(3), "68509-9", integer(3), "69733-4", integer(3), "69734-2", integer(3),
                "69735-9", integer(0), "69689-8", integer(0), "69736-7", integer(1));
        Interview i = read(bundle("1970-05-01", phq9, gad7)).encounter().interview();

        assertEquals(List.of(3, 2, 1, 0, 0, 0, 0, 0, 1), i.phq9());
        assertEquals(List.of(3, 3, 3, 3, 0, 0, 1), i.gad7());
    }

    @Test
    void aPartialPhq9OrAWrongTotalIsRejected() {
        InvalidInputException partial = rejected(bundle("1970-05-01",
                questionnaire("phq", T, "44250-9", integer(1), "44255-8", integer(1))));
        assertEquals("Bundle.entry[1].resource.item", partial.violations().getFirst().field());
        assertTrue(partial.getMessage().contains("44260-8"), "names the unanswered items: " + partial.getMessage());

        InvalidInputException total = rejected(bundle("1970-05-01", questionnaire("gad", T,
                "69725-0", integer(1), "68509-9", integer(1), "69733-4", integer(1), "69734-2", integer(1),
                "69735-9", integer(1), "69689-8", integer(1), "69736-7", integer(1), "70274-6", integer(9))));
        assertEquals("Bundle.entry[1].resource.item[7]", total.violations().getFirst().field());

        InvalidInputException range = rejected(bundle("1970-05-01", questionnaire("gad", T,
                "69725-0", integer(4), "68509-9", integer(1), "69733-4", integer(1), "69734-2", integer(1),
                "69735-9", integer(1), "69689-8", integer(1), "69736-7", integer(1))));
        assertEquals("Bundle.entry[1].resource.item[0].answer[0].valueInteger", range.violations().getFirst().field());
    }

    @Test
    void theChiefComplaintItemIsPreferredToTheEncounterReason() {
        String encounter = entry(ref("enc"), """
                {"resourceType": "Encounter", "status": "finished",
                 "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "VR"},
                 "subject": {"reference": "%s"}, "period": {"start": "2024-05-01T09:30:00Z"},
                 "reasonCode": [{"coding": [{"system": "http://snomed.info/sct", "code": "29857009", "display": "Chest pain"}]}]}"""
                .formatted(Records.PATIENT));
        FhirTriageInput byReason = read(bundle("1970-05-01", encounter, quantity("t", "8310-5", "37", "Cel", T)));
        assertEquals("Chest pain", byReason.encounter().interview().chiefComplaint());
        assertEquals(ref("enc"), byReason.encounterReference().orElseThrow());

        String words = questionnaire("cc", T, "8661-1", "{\"valueString\": \"crushing chest pain going to my left arm\"}");
        FhirTriageInput byItem = read(bundle("1970-05-01", encounter, words));
        assertEquals("crushing chest pain going to my left arm", byItem.encounter().interview().chiefComplaint());
        assertTrue(byItem.encounterReference().isEmpty());
        assertEquals(List.of(ref("cc")), byItem.basis());
    }

    // ------------------------------------------------------------------ malformed records

    @Test
    void aRecordNeedsExactlyOnePatient() {
        String none = """
                {"resourceType": "Bundle", "type": "collection", "entry": [%s]}"""
                .formatted(quantity("hr", "8867-4", "80", "/min", T));
        assertEquals("Bundle.entry", rejected(none).violations().getFirst().field());
        String two = bundle("1970-05-01", entry("urn:uuid:" + uuid("p2"), "{\"resourceType\": \"Patient\"}"));
        assertTrue(rejected(two).getMessage().contains("exactly one Patient (found 2)"));
    }

    @Test
    void anObservationOfAnotherPatientOrWithoutATimeIsRejected() {
        String other = quantity("hr", "8867-4", "80", "/min", T).replace(Records.PATIENT, "Patient/someone-else");
        String undated = quantity("rr", "9279-1", "18", "/min", T).replace("\"effectiveDateTime\": \"" + T + "\",", "");
        InvalidInputException e = rejected(bundle("1970-05-01", other, undated));

        assertEquals("Bundle.entry[1].resource.subject", e.violations().get(0).field());
        assertEquals("Bundle.entry[2].resource.effective[x]", e.violations().get(1).field());
    }

    @Test
    void onlyBundlesAndParametersAreRead() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> READER.read(parse("{\"resourceType\": \"Patient\"}")));
        assertEquals("Patient", e.violations().getFirst().field());
        InvalidInputException p = rejected("""
                {"resourceType": "Parameters", "parameter": [{"name": "patient", "valueString": "x"}]}""");
        assertEquals("Parameters.parameter[0].name", p.violations().getFirst().field());
    }

    @Test
    void enteredInErrorObservationsAreNotUsed() {
        String voided = quantity("hr", "8867-4", "80", "/min", T).replace("\"final\"", "\"entered-in-error\"");
        FhirTriageInput in = read(bundle("1970-05-01", voided));
        assertTrue(in.encounter().vitals().heartRate().isEmpty());
        assertTrue(in.notes().stream().anyMatch(n -> n.contains("because of its status")), in.notes().toString());
    }
}
