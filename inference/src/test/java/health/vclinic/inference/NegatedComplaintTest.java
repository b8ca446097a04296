package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.features.ComplaintLexicon;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.inference.redflags.RedFlagRules;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A negated or historical finding must never push a level up. The phrases are generated from the
 * served model itself: every complaint term of its vocabulary and every phrase of every complaint group
 * it weighs, each denied, ruled out, or placed in the past. For each, the served model's input must be
 * the input of an empty complaint, so its probabilities and level are those of no complaint at all.
 */
class NegatedComplaintTest {

    private static final List<String> TEMPLATES = List.of(
            "no %s", "denies %s", "%s ruled out", "history of %s", "had %s last year", "negative for %s",
            "no longer %s");

    private static OnnxTriageModel model;
    private static final TriageEngine RULES_ONLY = new TriageEngine(ServedModelFixture.RULES);

    @BeforeAll
    static void load() {
        model = ServedModelFixture.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** A 36-year-old with entirely normal vital signs, alert, on room air. */
    private static Encounter normal(String complaint) {
        VitalSigns vitals = VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122).diastolicBp(78)
                .temperatureC(36.8).spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        return new Encounter("negation", new Patient(OptionalDouble.of(36), Sex.MALE, Optional.empty()), vitals,
                new Interview(complaint, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of()));
    }

    static Stream<String> findingsTheModelWeighs() {
        TriageModelSpec spec = TriageModelSpec.fromCard(ServedModelFixture.resolved().card().json());
        List<String> phrases = new ArrayList<>();
        spec.vocabulary().terms().forEach(t -> phrases.add(t.replace('+', ' ')));
        if (spec.featureNames().stream().anyMatch(n -> n.startsWith("concept:"))) {
            phrases.addAll(ComplaintLexicon.standard().phrases());
        }
        return phrases.stream().distinct();
    }

    /**
     * The rules file's pseudo-triggers ("no change", "no relief"): phrases that contain a negation word
     * but negate nothing, so "no change tube" is not a denial. A generated phrase that begins with one
     * is not a negation and is skipped.
     */
    private static List<String> pseudoTriggers() {
        try (var in = RedFlagRules.class.getResourceAsStream(RedFlagRules.DEFAULT_RESOURCE)) {
            List<String> out = new ArrayList<>();
            new ObjectMapper().readTree(in).at("/context/pseudo").forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<String> PSEUDO = pseudoTriggers();

    @ParameterizedTest
    @MethodSource("findingsTheModelWeighs")
    void aNegatedOrHistoricalFindingChangesNothing(String finding) {
        Encounter none = normal("");
        float[] reference = model.inputs(none, RULES_ONLY.findings(none));
        double[] p = model.explain(none, RULES_ONLY.findings(none)).probabilities();
        for (String template : TEMPLATES) {
            String text = template.formatted(finding);
            if (PSEUDO.stream().anyMatch(x -> text.startsWith(x + " "))) {
                continue;
            }
            Encounter e = normal(text);
            RuleFindings findings = RULES_ONLY.findings(e);
            assertArrayEquals(reference, model.inputs(e, findings), e.interview().chiefComplaint());
            assertArrayEquals(p, model.explain(e, findings).probabilities(), 0.0, e.interview().chiefComplaint());
        }
    }

    @Test
    void theServedModelUsesTheNegationAwareFeatures() {
        assertEquals(TriageFeatures.VERSION, model.spec().featureVersion());
        assertFalse(model.spec().vocabulary().terms().isEmpty());
    }

    @Test
    void aSmokerAskingForAdviceWhoDeniesChestPainIsNotSentToTheEmergencyDepartmentByTheModel() {
        Encounter e = normal("denies chest pain, no shortness of breath, wants advice on quitting smoking");
        ModelOpinion opinion = model.predict(e, RULES_ONLY.findings(e));
        assertTrue(opinion.level().level() >= TriageLevel.URGENT.level(), opinion.toString());
        TriageResult result = new TriageEngine(ServedModelFixture.RULES, Optional.of(model)).assess(e);
        assertTrue(result.level().level() >= TriageLevel.URGENT.level(), result.explanation().toString());
        assertTrue(opinion.reasons().stream().noneMatch(r -> r.contains("'chest'") || r.contains("'pain'")),
                opinion.reasons().toString());
    }
}
