package health.vclinic.inference.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.ArrivalMode;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlagRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TriageFeaturesTest {

    private static final RedFlagRules RULES = RedFlagRules.standard();
    private static final TriageEngine ENGINE = new TriageEngine(RULES);
    private static final TriageFeatures FEATURES =
            TriageFeatures.create(ComplaintVocabulary.of(List.of("chest", "chest+pain", "pain")), RULES);

    private static Encounter encounter(VitalSigns vitals, String complaint, OptionalInt pain, Map<String, String> answers) {
        return new Encounter("e", new Patient(OptionalDouble.of(71), Sex.FEMALE, Optional.empty()), vitals,
                new Interview(complaint, pain, OptionalDouble.empty(), List.of(), List.of(), answers));
    }

    private static double value(Encounter e, String name) {
        return FEATURES.extract(e, ENGINE.findings(e))[FEATURES.names().indexOf(name)];
    }

    @Test
    void vitalsAreCentredOnNormalAndMissingValuesSetTheirIndicator() {
        Encounter e = encounter(VitalSigns.builder().heartRate(128).temperatureC(38).consciousness(Consciousness.VOICE)
                .build(), "crushing chest pain", OptionalInt.of(7), Map.of("arrival_mode", "emergency_ambulance"));

        assertEquals(2.4, value(e, "vital:heart_rate"), 1e-12);
        assertEquals(0, value(e, "missing:heart_rate"));
        assertEquals(1.0, value(e, "vital:temperature_c"), 1e-12);
        assertEquals(0, value(e, "vital:systolic_bp"), "missing is scored as normal");
        assertEquals(1, value(e, "missing:systolic_bp"));
        assertEquals(2, value(e, "news2:pulse"), "NEWS2 Chart 1: 111-130 scores 2");
        assertEquals(3, value(e, "news2:consciousness"));
        assertEquals(1, value(e, "consciousness:voice"));
        assertEquals(1.05, value(e, "age:years"), 1e-12);
        assertEquals(1, value(e, "age:65-plus"));
        assertEquals(1, value(e, "sex:female"));
        assertEquals(0.7, value(e, "pain:score"), 1e-12);
        assertEquals(1, value(e, "arrival:emergency_ambulance"));
        assertEquals(0, value(e, "arrival:walking"));
        assertEquals(1, value(e, "missing:injury"));
        assertEquals(1, value(e, "red-flag:acute-coronary-syndrome"));
        assertEquals(1, value(e, "complaint:chest+pain"));
        assertEquals(1, value(e, "complaint:pain"));
    }

    @Test
    void groupsFeaturesByClinicalInputAndNamesEachInPlainWordsWithTheEncountersValue() {
        Encounter e = encounter(VitalSigns.builder().heartRate(128).build(), "pain, chest", OptionalInt.empty(),
                Map.of("arrival_mode", "walking", "injury", "yes"));
        var findings = ENGINE.findings(e);

        assertEquals(List.of("heart_rate", "heart_rate", "heart_rate", "complaint", "arrival_mode", "consciousness"),
                List.of(FEATURES.inputOf("vital:heart_rate"), FEATURES.inputOf("missing:heart_rate"),
                        FEATURES.inputOf("news2:pulse"), FEATURES.inputOf("complaint:chest+pain"),
                        FEATURES.inputOf("missing:arrival_mode"), FEATURES.inputOf("news2:consciousness")));
        assertEquals(List.of("heart rate 128 /min", "arrived by walking",
                "complaint words 'chest', 'chest pain', 'pain' (chest-pain)", "pain score not given", "injury", "female"),
                FEATURES.words(List.of("heart_rate", "arrival_mode", "complaint", "pain", "injury", "sex"), e, findings));
        assertEquals(1, value(e, "injury:yes"));
        assertEquals(ArrivalMode.values().length, FEATURES.names().stream().filter(n -> n.startsWith("arrival:")).count());
    }

    @Test
    void featureNamesAreUniqueAndCarryNothingKnownOnlyAfterTheVisit() {
        List<String> names = FEATURES.names();
        assertEquals(names.size(), names.stream().distinct().count());
        for (String n : names) {
            for (String leak : List.of("diagnosis", "disposition", "stay", "ktas", "nurse", "expert", "mistriage")) {
                assertTrue(!n.toLowerCase().contains(leak), n + " looks like a leakage column");
            }
        }
    }

    @Test
    void aModelNeedingAFeatureThisExtractorCannotBuildIsRefused() {
        var e = assertThrows(InferenceException.class,
                () -> FEATURES.indicesOf(List.of("vital:heart_rate", "complaint:wheeze", "red-flag:no-such-rule")));
        assertTrue(e.getMessage().contains("complaint:wheeze"), e.getMessage());
        assertTrue(e.getMessage().contains("red-flag:no-such-rule"), e.getMessage());
        assertEquals(0, FEATURES.indicesOf(List.of("vital:heart_rate"))[0]);
    }
}
