package health.vclinic.inference.redflags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.InferenceException;
import health.vclinic.inference.TriageLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clinical QA of the shipped red-flag rules ({@code red-flags.json}): every rule fires on realistic
 * phrasings typed by a patient or a nurse in a video consultation, quoting the patient's words; does
 * not fire when the finding is negated or in the past; fires from structured data where the rules file
 * allows it. Expected floors are written here from the clinical reference, not read from the file, so a
 * change of floor in the file fails this test.
 */
class RedFlagRulesTest {

    private static final RedFlagRules RULES = RedFlagRules.standard();

    /** The floor each rule must carry (docs: shared/CLINICAL.md, triage levels; sources in the file). */
    private static final Map<String, TriageLevel> EXPECTED_FLOOR = Map.ofEntries(
            Map.entry("unresponsive", TriageLevel.RESUSCITATION),
            Map.entry("anaphylaxis", TriageLevel.RESUSCITATION),
            Map.entry("severe-respiratory-distress", TriageLevel.RESUSCITATION),
            Map.entry("status-epilepticus", TriageLevel.RESUSCITATION),
            Map.entry("acute-coronary-syndrome", TriageLevel.EMERGENT),
            Map.entry("stroke", TriageLevel.EMERGENT),
            Map.entry("sepsis-or-meningitis", TriageLevel.EMERGENT),
            Map.entry("suicidal-ideation-with-plan", TriageLevel.EMERGENT),
            Map.entry("gi-bleeding", TriageLevel.EMERGENT),
            Map.entry("ectopic-pregnancy", TriageLevel.EMERGENT),
            Map.entry("early-pregnancy-pain", TriageLevel.URGENT),
            Map.entry("diabetic-ketoacidosis", TriageLevel.EMERGENT),
            Map.entry("pulmonary-embolism", TriageLevel.EMERGENT),
            Map.entry("aortic-dissection", TriageLevel.EMERGENT),
            Map.entry("thunderclap-headache", TriageLevel.EMERGENT),
            Map.entry("seriously-unwell-child", TriageLevel.EMERGENT),
            Map.entry("suicidal-thoughts", TriageLevel.URGENT));

    private static final OptionalDouble ADULT = OptionalDouble.of(45);
    private static final OptionalDouble TODDLER = OptionalDouble.of(2);

    // ------------------------------------------------------------------------------------------------
    // Builders and assertions
    // ------------------------------------------------------------------------------------------------

    private static Interview interview(String text) {
        return new Interview(text, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of());
    }

    private static Interview answers(String text, Map<String, String> answers) {
        return new Interview(text, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), answers);
    }

    private static Patient patient(OptionalDouble age) {
        return new Patient(age, Sex.FEMALE, Optional.empty());
    }

    private static Encounter encounter(Patient patient, VitalSigns vitals, Interview interview) {
        return new Encounter("t", patient, vitals, interview);
    }

    private static Encounter said(String text, OptionalDouble age) {
        return encounter(patient(age), VitalSigns.NONE, interview(text));
    }

    private static Encounter said(String text) {
        return said(text, ADULT);
    }

    /** The age a rule's example is told at: a child for the child-only rule, an adult otherwise. */
    private static OptionalDouble ageFor(String code) {
        return code.equals("seriously-unwell-child") ? TODDLER : ADULT;
    }

    private static List<RedFlag> evaluate(Encounter e) {
        return RULES.evaluate(e);
    }

    private static Optional<RedFlag> find(List<RedFlag> fired, String code) {
        return fired.stream().filter(f -> f.code().equals(code)).findFirst();
    }

    private static String describe(List<RedFlag> fired) {
        if (fired.isEmpty()) {
            return "no rule";
        }
        return fired.stream().map(f -> f.code() + " " + f.evidence()).collect(Collectors.joining("; "));
    }

    /** Asserts that {@code code} fired with its clinical floor, and returns it. */
    private static RedFlag assertFires(Encounter e, String code) {
        List<RedFlag> fired = evaluate(e);
        RedFlag flag = find(fired, code).orElseGet(() -> fail("expected " + code + " for '"
                + e.interview().chiefComplaint() + "' " + e.interview().answers() + ", got " + describe(fired)));
        assertEquals(EXPECTED_FLOOR.get(code), flag.floor(), code + " floor");
        assertFalse(flag.evidence().isEmpty(), code + " has evidence");
        return flag;
    }

    /** Every quoted piece of evidence must be the patient's own words, verbatim from the complaint. */
    private static void assertQuotesAreVerbatim(RedFlag flag, String complaint) {
        for (String ev : flag.evidence()) {
            if (ev.startsWith("'")) {
                assertTrue(ev.endsWith("'") && ev.length() >= 2, "quote is closed: " + ev);
                String words = ev.substring(1, ev.length() - 1);
                assertTrue(complaint.contains(words),
                        () -> "evidence " + ev + " is not a verbatim quote of '" + complaint + "'");
            }
        }
    }

    private static void assertEvidenceQuotes(RedFlag flag, String complaint, String words) {
        assertQuotesAreVerbatim(flag, complaint);
        assertTrue(flag.evidence().stream().anyMatch(ev -> ev.startsWith("'") && ev.contains(words)),
                () -> flag.code() + ": evidence " + flag.evidence() + " should quote '" + words + "'");
    }

    private static void assertEvidence(RedFlag flag, String fact) {
        assertTrue(flag.evidence().contains(fact),
                () -> flag.code() + ": evidence " + flag.evidence() + " should contain " + fact);
    }

    private static void assertNothingFires(Encounter e) {
        List<RedFlag> fired = evaluate(e);
        assertTrue(fired.isEmpty(), () -> "'" + e.interview().chiefComplaint() + "' (age "
                + e.patient().ageYears() + ") should fire no rule, got " + describe(fired));
    }

    private static void assertDoesNotFire(Encounter e, String code) {
        List<RedFlag> fired = evaluate(e);
        assertTrue(find(fired, code).isEmpty(), () -> "'" + e.interview().chiefComplaint() + "' "
                + e.interview().answers() + " should not fire " + code + ", got " + describe(fired));
    }

    // ------------------------------------------------------------------------------------------------
    // The rules file itself
    // ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("rules file")
    class RulesFileTests {

        @Test
        void versionIsNotBlank() {
            assertTrue(RULES.version() != null && !RULES.version().isBlank(), "version");
        }

        @Test
        void ruleIdsAreUnique() {
            List<String> ids = RULES.rules().stream().map(RedFlagRule::id).toList();
            assertEquals(ids.size(), new HashSet<>(ids).size(), "duplicate ids in " + ids);
        }

        @Test
        void everyRuleHasSourceRationaleAndDescription() {
            for (RedFlagRule r : RULES.rules()) {
                assertTrue(r.source() != null && !r.source().isBlank(), r.id() + " needs a source");
                assertTrue(r.rationale() != null && !r.rationale().isBlank(), r.id() + " needs a rationale");
                assertTrue(r.description() != null && !r.description().isBlank(), r.id() + " needs a description");
                assertFalse(r.when().isEmpty(), r.id() + " needs a 'when'");
            }
        }

        @Test
        void theFileHoldsExactlyTheRulesThisTestCovers() {
            Set<String> ids = RULES.rules().stream().map(RedFlagRule::id).collect(Collectors.toSet());
            assertEquals(EXPECTED_FLOOR.keySet(), ids,
                    "a rule was added or removed: give it realistic, negated and historical cases here");
        }

        @Test
        void everyRuleHasItsClinicalFloor() {
            for (RedFlagRule r : RULES.rules()) {
                assertEquals(EXPECTED_FLOOR.get(r.id()), r.floor(), r.id());
            }
        }

        @Test
        void onlyTheChildRuleIsLimitedByAge() {
            for (RedFlagRule r : RULES.rules()) {
                if (r.id().equals("seriously-unwell-child")) {
                    assertEquals(OptionalDouble.of(16), r.maxAgeYears(), "children are under 16 (NICE NG143 / APLS)");
                } else {
                    assertTrue(r.minAgeYears().isEmpty() && r.maxAgeYears().isEmpty(), r.id() + " applies at every age");
                }
            }
        }

        @Test
        void unknownConceptInWhenFailsNamingTheRule(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("candidate.json");
            Files.writeString(file, """
                    {
                      "version": "test-1",
                      "language": "en",
                      "context": { "negation_before": ["no"], "scope_terminators": [","] },
                      "concepts": {
                        "chest_pain": { "phrases": ["chest pain"] }
                      },
                      "rules": [
                        {
                          "id": "typo-rule",
                          "description": "A rule with a misspelt concept",
                          "floor_level": 2,
                          "rationale": "test",
                          "source": "test",
                          "when": [["chest_pain", "sweatting"]]
                        }
                      ]
                    }
                    """);
            InferenceException e = assertThrows(InferenceException.class, () -> RedFlagRules.load(file));
            assertTrue(e.getMessage().contains("typo-rule"), "message names the rule: " + e.getMessage());
            assertTrue(e.getMessage().contains("sweatting"), "message names the concept: " + e.getMessage());
        }

        @Test
        void aValidCandidateFileLoadsAndEvaluates(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("candidate.json");
            Files.writeString(file, """
                    {
                      "version": "test-2",
                      "context": { "negation_before": ["no"], "scope_terminators": [","] },
                      "concepts": { "chest_pain": { "phrases": ["chest pain"] } },
                      "rules": [ { "id": "any-chest-pain", "description": "d", "floor_level": 3,
                                   "rationale": "r", "source": "s", "when": [["chest_pain"]] } ]
                    }
                    """);
            RedFlagRules candidate = RedFlagRules.load(file);
            assertEquals("test-2", candidate.version());
            assertEquals(1, candidate.evaluate(said("chest pain")).size());
            assertTrue(candidate.evaluate(said("no chest pain")).isEmpty());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The acceptance cases
    // ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("acceptance cases")
    class Acceptance {

        @Test
        void crushingChestPainIsAcuteCoronarySyndrome() {
            RedFlag acs = find(evaluate(said("crushing chest pain")), "acute-coronary-syndrome")
                    .orElseGet(() -> fail("crushing chest pain must fire acute-coronary-syndrome"));
            assertTrue(acs.floor().level() <= TriageLevel.EMERGENT.level(), "EMERGENT (2) or more urgent");
            assertTrue(acs.evidence().stream().anyMatch(ev -> ev.contains("crushing chest pain")), acs.evidence().toString());
        }

        @Test
        void deniedChestPainInASmokingCessationVisitFiresNothing() {
            assertNothingFires(said("denies chest pain, wants advice on quitting smoking"));
        }

        @Test
        void chestPainRuledOutLastYearFiresNothing() {
            assertNothingFires(said("chest pain ruled out last year"));
        }

        @Test
        void negationDoesNotCrossTheComma() {
            RedFlag acs = assertFires(said("no fever, crushing chest pain since an hour"), "acute-coronary-syndrome");
            assertEvidenceQuotes(acs, "no fever, crushing chest pain since an hour", "crushing chest pain");
        }

        @Test
        void childRuleDoesNotFireForAnAdult() {
            assertDoesNotFire(said("floppy and has a non blanching rash", OptionalDouble.of(30)), "seriously-unwell-child");
        }

        @Test
        void childRuleFiresAtTwo() {
            RedFlag f = assertFires(said("floppy and has a non blanching rash", TODDLER), "seriously-unwell-child");
            assertEvidenceQuotes(f, "floppy and has a non blanching rash", "floppy");
        }

        @Test
        void childRuleFiresWhenTheAgeIsUnknown() {
            assertFires(said("floppy and has a non blanching rash", OptionalDouble.empty()), "seriously-unwell-child");
        }

        @Test
        void childRuleBoundaryIsSixteen() {
            assertFires(said("she is floppy", OptionalDouble.of(15.9)), "seriously-unwell-child");
            assertDoesNotFire(said("she is floppy", OptionalDouble.of(16)), "seriously-unwell-child");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // (a) Realistic phrasings fire, with the floor and the patient's words as evidence
    // ------------------------------------------------------------------------------------------------

    private static Arguments fires(String code, String complaint, String quoted) {
        return Arguments.of(code, complaint, quoted);
    }

    static Stream<Arguments> realisticPhrasings() {
        return Stream.of(
                fires("unresponsive", "my husband collapsed and is unresponsive", "unresponsive"),
                fires("unresponsive", "he's not breathing and I can't wake him", "not breathing"),
                fires("unresponsive", "Mum is not responding, she was fine an hour ago", "Mum is not responding"),
                fires("unresponsive", "pt found unconscious on the floor by daughter", "unconscious"),

                fires("anaphylaxis", "allergic to peanuts, ate a biscuit and now my throat is closing up", "throat is closing"),
                fires("anaphylaxis", "my tongue is swelling after a bee sting", "tongue is swelling"),
                fires("anaphylaxis", "hives all over after taking an antibiotic and I'm struggling to breathe", "hives"),
                fires("anaphylaxis", "got stung by a wasp, now wheezing and covered in welts", "wheezing"),
                fires("anaphylaxis", "ate peanuts, lips swelling and short of breath", "short of breath"),

                fires("severe-respiratory-distress", "asthma attack, I can't speak in full sentences", "speak in full sentences"),
                fires("severe-respiratory-distress", "his lips are blue and he is gasping for air", "lips are blue"),
                fires("severe-respiratory-distress", "pt too breathless to talk, only nodding", "too breathless to talk"),

                fires("status-epilepticus", "my son has been fitting for 10 minutes", "for 10 minutes"),
                fires("status-epilepticus", "the seizure has lasted more than 5 minutes", "more than 5 minutes"),
                fires("status-epilepticus", "had 3 seizures one after another and hasn't woken up", "one after another"),
                fires("status-epilepticus", "he hasn't stopped fitting, it started ten minutes ago", "stopped fitting"),

                fires("acute-coronary-syndrome", "Crushing chest pain for the last 30 minutes", "Crushing chest pain"),
                fires("acute-coronary-syndrome", "chest pain going down my left arm and I'm sweating", "chest pain"),
                fires("acute-coronary-syndrome", "pain in my chest radiating to my jaw", "pain in my chest"),
                fires("acute-coronary-syndrome", "heavy pressure in my chest, feel cold and clammy", "clammy"),
                fires("acute-coronary-syndrome", "tight chest and short of breath while walking the dog", "tight chest"),

                fires("stroke", "my face is drooping on one side", "face is drooping"),
                fires("stroke", "dad's speech is slurred and he can't lift his arm", "speech is slurred"),
                fires("stroke", "sudden weakness in my left arm and leg", "sudden weakness"),
                fires("stroke", "the left side of her face has dropped", "side of her face has dropped"),

                fires("sepsis-or-meningitis", "high fever and very confused since this morning", "confused"),
                fires("sepsis-or-meningitis", "temp of 39.5 and a rash that doesn't fade with a glass", "temp of 39.5"),
                fires("sepsis-or-meningitis", "feverish, stiff neck and light hurts my eyes", "stiff neck"),
                fires("sepsis-or-meningitis", "burning up with a fever and her skin looks mottled", "mottled"),

                fires("suicidal-ideation-with-plan", "I want to kill myself and I have a plan", "have a plan"),
                fires("suicidal-ideation-with-plan", "I've been feeling suicidal, I've bought pills to take tonight", "bought pills"),
                fires("suicidal-ideation-with-plan", "pt reports suicidal thoughts with a plan to overdose", "suicidal"),

                fires("gi-bleeding", "I have been vomiting blood since last night", "vomiting blood"),
                fires("gi-bleeding", "black tarry stools for two days, feel dizzy", "black tarry stools"),
                fires("gi-bleeding", "threw up blood twice this morning", "threw up blood"),
                fires("gi-bleeding", "my poo is black and sticky", "poo is black"),

                fires("ectopic-pregnancy", "missed my period, sharp pain on one side of my tummy and feel faint", "missed my period"),
                fires("ectopic-pregnancy", "6 weeks pregnant, left sided pelvic pain, fainted earlier", "fainted"),
                fires("ectopic-pregnancy", "I'm pregnant and have pain in my right side and shoulder tip pain", "shoulder tip pain"),

                fires("early-pregnancy-pain", "missed period and right lower abdominal pain", "right lower abdominal pain"),
                fires("early-pregnancy-pain", "I'm 7 weeks pregnant with pain in my left side", "pregnant"),

                fires("diabetic-ketoacidosis", "type 1 diabetic, vomiting and breathing fast and deep", "breathing fast and deep"),
                fires("diabetic-ketoacidosis", "diabetic, blood ketones 4.2 and keep being sick", "ketones 4.2"),
                fires("diabetic-ketoacidosis", "I'm diabetic and my breath smells of pear drops", "pear drops"),

                fires("pulmonary-embolism", "sudden shortness of breath and sharp pain when I breathe in", "sudden shortness of breath"),
                fires("pulmonary-embolism", "suddenly breathless after a long haul flight", "long haul flight"),
                fires("pulmonary-embolism", "sudden breathlessness, my calf is swollen", "calf is swollen"),

                fires("aortic-dissection", "tearing chest pain going through to my back", "tearing chest pain"),
                fires("aortic-dissection", "sudden ripping pain between my shoulder blades", "ripping pain"),
                fires("aortic-dissection", "chest pain that goes through to my back", "chest pain"),

                fires("thunderclap-headache", "worst headache of my life, came on in seconds", "worst headache of my life"),
                fires("thunderclap-headache", "sudden severe headache like being hit with a bat", "sudden severe headache"),
                fires("thunderclap-headache", "the worst headache I've ever had", "worst headache I've ever"),
                fires("thunderclap-headache", "I've never had a headache like this, it came on all of a sudden",
                        "never had a headache like this"),

                fires("seriously-unwell-child", "baby is floppy and has a high pitched cry", "floppy"),
                fires("seriously-unwell-child", "purple spots that don't fade when I press a glass on them", "spots that don't fade"),
                fires("seriously-unwell-child", "she went limp in my arms", "went limp"),
                fires("seriously-unwell-child", "bulging fontanelle and a weak cry", "bulging fontanelle"),

                fires("suicidal-thoughts", "I feel like I'd be better off dead", "better off dead"),
                fires("suicidal-thoughts", "I've been having thoughts of self harm", "self harm"),
                fires("suicidal-thoughts", "sometimes I wish I was dead", "wish I was dead"),
                fires("suicidal-thoughts", "I don't want to be here anymore", "want to be here"));
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\"")
    @MethodSource("realisticPhrasings")
    void realisticPhrasingFires(String code, String complaint, String quoted) {
        RedFlag flag = assertFires(said(complaint, ageFor(code)), code);
        assertEvidenceQuotes(flag, complaint, quoted);
        assertEquals(flag.floor(), RULES.rules().stream().filter(r -> r.id().equals(code)).findFirst()
                .orElseThrow().floor());
    }

    @Test
    void everyRuleHasAtLeastTwoRealisticPhrasings() {
        assertAtLeast(realisticPhrasings(), 2, "realistic phrasings");
    }

    private static void assertAtLeast(Stream<Arguments> cases, int min, String what) {
        Map<String, Integer> count = new TreeMap<>();
        EXPECTED_FLOOR.keySet().forEach(k -> count.put(k, 0));
        cases.forEach(a -> count.merge((String) a.get()[0], 1, Integer::sum));
        List<String> missing = count.entrySet().stream().filter(e -> e.getValue() < min)
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
        assertTrue(missing.isEmpty(), "rules with fewer than " + min + " " + what + ": " + missing);
        assertEquals(EXPECTED_FLOOR.keySet(), count.keySet(), "cases name a rule that is not in the file");
    }

    // ------------------------------------------------------------------------------------------------
    // (b) Negated and historical mentions do not fire
    // ------------------------------------------------------------------------------------------------

    /**
     * A case written with its context in brackets: "[denies ]vomiting blood". With the brackets' words
     * the sentence is negated or historical and must fire no rule; without them ("vomiting blood") it is
     * current and must fire {@code code} — which proves the phrase is recognised, so the negative
     * assertion is not vacuous.
     */
    private static Arguments context(String code, String template) {
        return Arguments.of(code, template);
    }

    private static String withContext(String template) {
        return template.replace("[", "").replace("]", "");
    }

    private static String withoutContext(String template) {
        return template.replaceAll("\\[[^]]*]", "").replaceAll("\\s+", " ").trim();
    }

    static Stream<Arguments> negatedMentions() {
        return Stream.of(
                context("unresponsive", "[denies being ]unconscious at any point"),
                context("unresponsive", "fainted briefly, [was never ]unconscious"),
                context("unresponsive", "tripped on the stairs [without ]becoming unresponsive"),

                context("anaphylaxis", "[denies ]tongue swelling or hives"),
                context("anaphylaxis", "[no ]throat swelling, just a runny nose"),
                context("anaphylaxis", "itchy rash [without ]difficulty breathing"),
                context("anaphylaxis", "angioedema[ ruled out] by the GP"),
                context("anaphylaxis", "[negative for ]stridor"),

                context("severe-respiratory-distress", "mild wheeze, [no ]blue lips"),
                context("severe-respiratory-distress", "[denies ]gasping for breath"),
                context("severe-respiratory-distress", "chesty cough [without ]cyanosis"),
                context("severe-respiratory-distress", "[negative for ]cyanosis"),

                context("status-epilepticus", "[no ]seizures lasting more than 5 minutes"),
                context("status-epilepticus", "[denies ]fitting for more than 5 minutes"),
                context("status-epilepticus", "[without ]repeated seizures"),

                context("acute-coronary-syndrome", "[denies ]crushing chest pain"),
                context("acute-coronary-syndrome", "[no ]chest pain with sweating"),
                context("acute-coronary-syndrome", "[denies ]chest pain or shortness of breath"),
                context("acute-coronary-syndrome", "[without ]crushing chest pain"),
                context("acute-coronary-syndrome", "[negative for ]chest pain with radiation to the jaw"),
                context("acute-coronary-syndrome", "crushing chest pain[ ruled out] in A&E"),

                context("stroke", "[no ]facial droop"),
                context("stroke", "[denies ]slurred speech"),
                context("stroke", "[without ]arm weakness"),
                context("stroke", "[negative for ]facial droop"),
                context("stroke", "hemiparesis[ ruled out]"),

                context("sepsis-or-meningitis", "[no ]fever or confusion"),
                context("sepsis-or-meningitis", "[denies ]fever with neck stiffness"),
                context("sepsis-or-meningitis", "[without ]fever or a stiff neck"),
                context("sepsis-or-meningitis", "[negative for ]fever with confusion"),
                context("sepsis-or-meningitis", "fever with a blotchy rash, meningitis[ ruled out]"),

                context("suicidal-ideation-with-plan", "[denies ]suicidal ideation with plan or intent"),
                context("suicidal-ideation-with-plan", "[no ]suicidal thoughts with a plan"),
                context("suicidal-ideation-with-plan", "[negative for ]suicidal ideation with intent"),

                context("gi-bleeding", "[denies ]vomiting blood"),
                context("gi-bleeding", "[no ]black stools"),
                context("gi-bleeding", "[without ]haematemesis or melaena"),
                context("gi-bleeding", "[negative for ]melaena"),
                context("gi-bleeding", "haematemesis[ ruled out] at endoscopy"),

                context("ectopic-pregnancy", "[not ]pregnant, pain on one side, feeling dizzy"),
                context("ectopic-pregnancy", "ectopic pregnancy[ ruled out] on scan, left sided pelvic pain, fainted"),
                context("ectopic-pregnancy", "[no ]missed period, pain on one side, feeling faint"),

                context("early-pregnancy-pain", "[not ]pregnant, lower abdominal pain"),
                context("early-pregnancy-pain", "[denies ]missed period, lower tummy pain"),
                context("early-pregnancy-pain", "pelvic pain, [negative for ]early pregnancy"),

                context("diabetic-ketoacidosis", "type 1 diabetic, vomiting bug, [no ]deep fast breathing"),
                context("diabetic-ketoacidosis", "diabetic, DKA[ ruled out]"),
                context("diabetic-ketoacidosis", "diabetic, [negative for ]ketoacidosis"),
                context("diabetic-ketoacidosis", "insulin dependent, [denies ]fruity breath"),

                context("pulmonary-embolism", "[no ]sudden shortness of breath, calf pain"),
                context("pulmonary-embolism", "[denies ]sudden breathlessness or calf swelling"),
                context("pulmonary-embolism", "long flight yesterday, [without ]sudden breathlessness"),
                context("pulmonary-embolism", "[negative for ]sudden dyspnoea with pleuritic pain"),

                context("aortic-dissection", "[no ]tearing pain"),
                context("aortic-dissection", "[denies ]tearing chest pain"),
                context("aortic-dissection", "[negative for ]ripping pain"),
                context("aortic-dissection", "tearing back pain[ ruled out]"),

                context("thunderclap-headache", "[no ]sudden severe headache"),
                context("thunderclap-headache", "[denies ]worst headache of life"),
                context("thunderclap-headache", "headache [without ]thunderclap onset"),
                context("thunderclap-headache", "thunderclap headache[ ruled out]"),

                context("seriously-unwell-child", "[no ]non blanching rash"),
                context("seriously-unwell-child", "cough and cold, [not ]floppy"),
                context("seriously-unwell-child", "[without ]a bulging fontanelle"),
                context("seriously-unwell-child", "[negative for ]petechiae"),

                context("suicidal-thoughts", "[denies ]suicidal ideation"),
                context("suicidal-thoughts", "[no ]thoughts of self harm"),
                context("suicidal-thoughts", "low mood but [not ]suicidal"),
                context("suicidal-thoughts", "[negative for ]suicidal ideation"),
                context("suicidal-thoughts", "I [do not ]want to die"));
    }

    static Stream<Arguments> historicalMentions() {
        return Stream.of(
                context("unresponsive", "was unconscious for a minute[ 3 years ago]"),
                context("unresponsive", "[history of ]being unresponsive after a head injury"),
                context("unresponsive", "unconscious after a rugby tackle[ last year]"),
                context("gi-bleeding", "[no longer ]vomiting blood since the tablets"),

                context("anaphylaxis", "swollen tongue after a bee sting[ last year]"),
                context("anaphylaxis", "[history of ]throat swelling with shellfish"),
                context("anaphylaxis", "throat closing after penicillin[ 3 years ago]"),

                context("severe-respiratory-distress", "blue lips during an asthma attack[ 3 years ago]"),
                context("severe-respiratory-distress", "[history of ]cyanotic episodes"),
                context("severe-respiratory-distress", "too breathless to speak with covid[ last year]"),

                context("status-epilepticus", "seizure lasting 10 minutes[ 3 years ago]"),
                context("status-epilepticus", "[history of ]repeated seizures"),
                context("status-epilepticus", "back to back seizures[ last year]"),

                context("acute-coronary-syndrome", "crushing chest pain[ last year]"),
                context("acute-coronary-syndrome", "[history of ]angina with sweating"),
                context("acute-coronary-syndrome", "crushing chest pain[ 3 years ago], stented"),
                context("acute-coronary-syndrome", "[previous ]chest pain with breathlessness"),

                context("stroke", "stroke with slurred speech[ 3 years ago]"),
                context("stroke", "[history of ]facial palsy"),
                context("stroke", "arm weakness[ last year] from a trapped nerve"),

                context("sepsis-or-meningitis", "fever with confusion[ last year] from a UTI"),
                context("sepsis-or-meningitis", "[history of ]fever with neck stiffness"),
                context("sepsis-or-meningitis", "fever with a non blanching rash[ 3 years ago]"),

                context("suicidal-ideation-with-plan", "took an overdose when suicidal[ 3 years ago]"),
                context("suicidal-ideation-with-plan", "[history of ]suicide attempt with overdose"),
                context("suicidal-ideation-with-plan", "suicidal with a plan[ last year]"),

                context("gi-bleeding", "vomited blood with an ulcer[ last year]"),
                context("gi-bleeding", "[history of ]black tarry stools"),
                context("gi-bleeding", "melaena from a stomach ulcer[ 3 years ago]"),

                context("ectopic-pregnancy", "[history of ]ectopic pregnancy with one sided pelvic pain with fainting"),
                context("ectopic-pregnancy", "pregnant with one sided pelvic pain with dizziness[ 3 years ago]"),
                context("ectopic-pregnancy", "[previous ]ectopic pregnancy with pelvic pain with fainting"),

                context("early-pregnancy-pain", "[had ]a missed period with pelvic pain[ last year]"),
                context("early-pregnancy-pain", "pregnant with pelvic pain[ 3 years ago]"),

                context("diabetic-ketoacidosis", "type 1 diabetic, DKA[ last year]"),
                context("diabetic-ketoacidosis", "diabetic, [history of ]ketoacidosis"),
                context("diabetic-ketoacidosis", "diabetic, ketoacidosis[ 3 years ago]"),

                context("pulmonary-embolism", "sudden breathlessness after a long flight[ 3 years ago]"),
                context("pulmonary-embolism", "[history of ]DVT with sudden breathlessness"),
                context("pulmonary-embolism", "sudden shortness of breath with pleuritic pain[ last year]"),

                context("aortic-dissection", "ripping chest pain[ last year]"),
                context("aortic-dissection", "[history of ]tearing chest pain"),
                context("aortic-dissection", "tearing back pain from a dissection[ 3 years ago]"),

                context("thunderclap-headache", "a thunderclap headache[ 3 years ago]"),
                context("thunderclap-headache", "[history of ]thunderclap headache"),
                context("thunderclap-headache", "the worst headache of my life[ last year]"),

                context("seriously-unwell-child", "floppy with bronchiolitis[ last year]"),
                context("seriously-unwell-child", "[history of ]purpura"),
                context("seriously-unwell-child", "non blanching rash[ 3 years ago]"),

                context("suicidal-thoughts", "[history of ]self harm"),
                context("suicidal-thoughts", "thoughts of self harm[ 3 years ago]"),
                context("suicidal-thoughts", "suicidal[ last year] after my divorce"));
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\"")
    @MethodSource("negatedMentions")
    void negatedMentionDoesNotFire(String code, String template) {
        assertContextSuppresses(code, template);
    }

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\"")
    @MethodSource("historicalMentions")
    void historicalMentionDoesNotFire(String code, String template) {
        assertContextSuppresses(code, template);
    }

    private static void assertContextSuppresses(String code, String template) {
        String current = withoutContext(template);
        String contextual = withContext(template);
        assertFires(said(current, ageFor(code)), code);
        assertNothingFires(said(contextual, ageFor(code)));
    }

    @Test
    void everyRuleHasNegatedAndHistoricalCases() {
        assertAtLeast(negatedMentions(), 2, "negated cases");
        assertAtLeast(historicalMentions(), 2, "historical cases");
    }

    @Test
    void everyNegationAndHistoryFormIsExercised() {
        String negated = negatedMentions().map(a -> (String) a.get()[1]).collect(Collectors.joining("\n"));
        for (String form : List.of("[denies ", "[no ", "[without ", "[negative for ", " ruled out]")) {
            assertTrue(negated.contains(form), "negation form " + form);
        }
        String history = historicalMentions().map(a -> (String) a.get()[1]).collect(Collectors.joining("\n"));
        for (String form : List.of("[history of ", " last year]", " 3 years ago]")) {
            assertTrue(history.contains(form), "history form " + form);
        }
    }

    @Test
    void aHistoryOfTheSameComplaintDoesNotHideTheCurrentOne() {
        String text = "had chest pain last year, now crushing chest pain";
        assertEvidenceQuotes(assertFires(said(text), "acute-coronary-syndrome"), text, "crushing chest pain");
        String seizure = "history of epilepsy, now fitting for 10 minutes";
        assertEvidenceQuotes(assertFires(said(seizure), "status-epilepticus"), seizure, "fitting");
    }

    @Test
    void passiveThoughtsWithoutAPlanAreSameDayNotEmergency() {
        String text = "passive thoughts of being better off dead, no plan or intent";
        List<RedFlag> fired = evaluate(said(text));
        assertTrue(find(fired, "suicidal-ideation-with-plan").isEmpty(), describe(fired));
        assertEvidenceQuotes(assertFires(said(text), "suicidal-thoughts"), text, "better off dead");
    }

    @Test
    void negatedPregnancyTestIsNotAPregnancy() {
        assertNothingFires(said("negative pregnancy test, left sided pelvic pain, feel faint"));
        assertNothingFires(said("pregnancy test was negative, left sided pelvic pain, feel faint"));
    }

    // ------------------------------------------------------------------------------------------------
    // Pseudo-negations: "not" inside a finding must not negate it or its neighbour
    // ------------------------------------------------------------------------------------------------

    @Test
    void notStoppingIsNotANegation() {
        assertFires(said("he has not stopped fitting for 10 minutes"), "status-epilepticus");
        assertFires(said("she won't stop seizing, it's been 6 minutes"), "status-epilepticus");
        assertFires(said("I have not stopped vomiting blood since this morning"), "gi-bleeding");
    }

    @Test
    void aRashThatDoesNotFadeDoesNotNegateTheFever() {
        String text = "a rash that doesn't fade with a glass with a high fever";
        RedFlag f = assertFires(said(text), "sepsis-or-meningitis");
        assertEvidenceQuotes(f, text, "fever");
    }

    // ------------------------------------------------------------------------------------------------
    // (c) Structured data fires the rules too
    // ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("structured data")
    class Structured {

        private Encounter withAnswers(String text, Map<String, String> answers) {
            return encounter(patient(ADULT), VitalSigns.NONE, answers(text, answers));
        }

        @Test
        void seizureDurationAnswerFiresStatusEpilepticus() {
            RedFlag f = assertFires(withAnswers("", Map.of("seizure_duration_minutes", "7")), "status-epilepticus");
            assertEvidence(f, "answers.seizure_duration_minutes = 7");
            assertEvidenceQuotes(assertFires(withAnswers("my son is having a seizure",
                    Map.of("seizure_duration_minutes", "7")), "status-epilepticus"), "my son is having a seizure", "seizure");
        }

        @Test
        void shortSeizureAnswerDoesNotFire() {
            assertDoesNotFire(withAnswers("my son had a seizure", Map.of("seizure_duration_minutes", "3")),
                    "status-epilepticus");
            assertDoesNotFire(withAnswers("", Map.of("seizure_duration_minutes", "0")), "status-epilepticus");
        }

        @Test
        void repeatedSeizuresAnswerFires() {
            RedFlag f = assertFires(withAnswers("", Map.of("seizure_count_24h", "2")), "status-epilepticus");
            assertEvidence(f, "answers.seizure_count_24h = 2");
            assertDoesNotFire(withAnswers("", Map.of("seizure_count_24h", "1")), "status-epilepticus");
        }

        @Test
        void diabetesWithHighKetonesFiresDka() {
            RedFlag f = assertFires(withAnswers("", Map.of("diabetes", "yes", "blood_ketones_mmol_l", "4")),
                    "diabetic-ketoacidosis");
            assertEvidence(f, "answers.diabetes = yes");
            assertEvidence(f, "answers.blood_ketones_mmol_l = 4");
        }

        @Test
        void answerKeysAndValuesAreMatchedLeniently() {
            RedFlag f = assertFires(withAnswers("", Map.of("Diabetes ", "Type 1", "blood_ketones_mmol_l", " 3.0 ")),
                    "diabetic-ketoacidosis");
            assertEvidence(f, "answers.blood_ketones_mmol_l = 3.0");
        }

        @Test
        void ketonesBelowThreeOrNoDiabetesDoNotFire() {
            assertDoesNotFire(withAnswers("", Map.of("diabetes", "yes", "blood_ketones_mmol_l", "1.2")),
                    "diabetic-ketoacidosis");
            assertDoesNotFire(withAnswers("", Map.of("diabetes", "no", "blood_ketones_mmol_l", "4")),
                    "diabetic-ketoacidosis");
            assertDoesNotFire(withAnswers("", Map.of("blood_ketones_mmol_l", "4")), "diabetic-ketoacidosis");
        }

        @Test
        void diabetesAnswerWithSymptomsInTheComplaint() {
            String text = "vomiting and breathing fast and deep";
            RedFlag f = assertFires(withAnswers(text, Map.of("diabetes", "yes")), "diabetic-ketoacidosis");
            assertEvidenceQuotes(f, text, "breathing fast and deep");
            assertEvidence(f, "answers.diabetes = yes");
        }

        @Test
        void feverAndNewConfusionInVitalsFireSepsis() {
            VitalSigns v = VitalSigns.builder().temperatureC(38.6).consciousness(Consciousness.NEW_CONFUSION).build();
            RedFlag f = assertFires(encounter(patient(ADULT), v, Interview.NONE), "sepsis-or-meningitis");
            assertEvidence(f, "vitals.temperature_c 38.6");
            assertEvidence(f, "vitals.consciousness NEW_CONFUSION");
        }

        @Test
        void measuredFeverWithAStiffNeckInWordsFiresSepsis() {
            VitalSigns v = VitalSigns.builder().temperatureC(39.2).build();
            RedFlag f = assertFires(encounter(patient(ADULT), v, interview("my neck is stiff")), "sepsis-or-meningitis");
            assertEvidence(f, "vitals.temperature_c 39.2");
            assertEvidenceQuotes(f, "my neck is stiff", "neck is stiff");
        }

        @Test
        void noFeverOrAlertPatientDoesNotFireSepsis() {
            VitalSigns normal = VitalSigns.builder().temperatureC(37.2).consciousness(Consciousness.NEW_CONFUSION).build();
            assertDoesNotFire(encounter(patient(ADULT), normal, Interview.NONE), "sepsis-or-meningitis");
            VitalSigns alert = VitalSigns.builder().temperatureC(38.6).consciousness(Consciousness.ALERT).build();
            assertDoesNotFire(encounter(patient(ADULT), alert, Interview.NONE), "sepsis-or-meningitis");
        }

        @Test
        void unresponsiveOnAcvpuFiresResuscitation() {
            VitalSigns v = VitalSigns.builder().consciousness(Consciousness.UNRESPONSIVE).build();
            RedFlag f = assertFires(encounter(patient(ADULT), v, Interview.NONE), "unresponsive");
            assertEvidence(f, "vitals.consciousness UNRESPONSIVE");
            assertEquals(TriageLevel.RESUSCITATION, f.floor());
        }

        @Test
        void alertPatientIsNotUnresponsive() {
            VitalSigns v = VitalSigns.builder().consciousness(Consciousness.ALERT).build();
            assertNothingFires(encounter(patient(ADULT), v, Interview.NONE));
        }

        @Test
        void knownPregnancyWithOneSidedPainAndFaintnessFiresEctopic() {
            String text = "sharp pain on one side of my tummy and I feel faint";
            Patient pregnant = new Patient(OptionalDouble.of(28), Sex.FEMALE, Optional.of(true));
            RedFlag f = assertFires(encounter(pregnant, VitalSigns.NONE, interview(text)), "ectopic-pregnancy");
            assertEvidence(f, "patient.pregnant");
            assertEvidenceQuotes(f, text, "pain on one side");
            assertFires(encounter(pregnant, VitalSigns.NONE, interview("left sided pelvic pain")), "early-pregnancy-pain");
        }

        @Test
        void notPregnantOrUnaskedDoesNotFireEctopic() {
            String text = "sharp pain on one side of my tummy and I feel faint";
            Patient notPregnant = new Patient(OptionalDouble.of(28), Sex.FEMALE, Optional.of(false));
            assertNothingFires(encounter(notPregnant, VitalSigns.NONE, interview(text)));
            Patient unasked = new Patient(OptionalDouble.of(28), Sex.FEMALE, Optional.empty());
            assertNothingFires(encounter(unasked, VitalSigns.NONE, interview(text)));
        }

        private Encounter phq9(int item9, Map<String, String> answers) {
            List<Integer> items = List.of(1, 1, 1, 1, 1, 1, 1, 1, item9);
            return encounter(patient(ADULT), VitalSigns.NONE,
                    new Interview("", OptionalInt.empty(), OptionalDouble.empty(), items, List.of(), answers));
        }

        @Test
        void phq9ItemNineAboveZeroFiresSuicidalThoughts() {
            RedFlag f = assertFires(phq9(1, Map.of()), "suicidal-thoughts");
            assertEvidence(f, "PHQ-9 item 9 = 1");
            assertEquals(TriageLevel.URGENT, f.floor());
            assertDoesNotFire(phq9(1, Map.of()), "suicidal-ideation-with-plan");
        }

        @Test
        void phq9ItemNineZeroFiresNothing() {
            assertNothingFires(phq9(0, Map.of()));
        }

        @Test
        void phq9ItemNineWithAStatedPlanIsAnEmergency() {
            RedFlag f = assertFires(phq9(2, Map.of("suicide_plan", "yes")), "suicidal-ideation-with-plan");
            assertEvidence(f, "PHQ-9 item 9 = 2");
            assertEvidence(f, "answers.suicide_plan = yes");
            assertDoesNotFire(phq9(0, Map.of("suicide_plan", "no")), "suicidal-ideation-with-plan");
        }

        @Test
        void suicidalThoughtsAnswerWithIntentInWords() {
            String text = "says she has saved up her pills";
            RedFlag f = assertFires(withAnswers(text, Map.of("suicidal_thoughts", "yes")), "suicidal-ideation-with-plan");
            assertEvidence(f, "answers.suicidal_thoughts = yes");
            assertEvidenceQuotes(f, text, "saved up her pills");
        }

        @Test
        void immobilityOrLegSwellingAnswersWithSuddenBreathlessnessFirePe() {
            RedFlag f = assertFires(withAnswers("sudden shortness of breath", Map.of("recent_immobility", "yes")),
                    "pulmonary-embolism");
            assertEvidence(f, "answers.recent_immobility = yes");
            RedFlag g = assertFires(withAnswers("suddenly breathless", Map.of("leg_swelling", "true")),
                    "pulmonary-embolism");
            assertEvidence(g, "answers.leg_swelling = true");
            assertDoesNotFire(withAnswers("sudden shortness of breath", Map.of("recent_immobility", "no")),
                    "pulmonary-embolism");
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Common benign complaints must not fire any red flag (regression for phrases removed from the file)
    // ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "want advice on quitting smoking",
            "hoarse voice for 3 days after a cold",
            "sore throat and difficulty swallowing for 2 days",
            "tonsillitis, can't swallow properly",
            "toothache with a swollen face on the left",
            "allergic to penicillin, chest infection and short of breath",
            "allergic asthma, a bit wheezy today",
            "tension headache, feels like a vice around my head",
            "red eye with pain and tearing since this morning",
            "fit and well 30 year old, palpitations for 10 minutes",
            "coughing fits for 10 minutes at night",
            "known epileptic, well controlled, headache for 20 minutes",
            "type 2 diabetic, pain on deep breathing since a fall",
            "chest pain since yesterday, I want to go back to work",
            "passing blood in my urine",
            "pain on one side of my face, toothache",
            "shingles rash on one side of my face",
            "headache not responding to paracetamol",
            "cough not responding to antibiotics",
            "rash faded when I did the glass test, mild fever",
            "I plan to see my GP next week about my back",
            "lower back pain after lifting",
            "headache for 3 days, no fever",
            "wants a repeat prescription for insulin"})
    void commonBenignComplaintFiresNothing(String complaint) {
        assertNothingFires(said(complaint));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "my child has a limp after falling off the trampoline",
            "rash faded when I did the glass test, has a cold",
            "runny nose and a cough for 3 days, eating and drinking"})
    void commonBenignChildComplaintFiresNothing(String complaint) {
        assertNothingFires(said(complaint, OptionalDouble.of(5)));
    }

    @Test
    void plansThatAreNotSuicidePlansDoNotEscalate() {
        String text = "thoughts of self harm, I plan to see my GP about my low mood";
        assertDoesNotFire(said(text), "suicidal-ideation-with-plan");
        assertFires(said(text), "suicidal-thoughts");
    }

    // ------------------------------------------------------------------------------------------------
    // Scopes: lists negated whole; "and" ends a scope on purpose (a false alarm beats a missed emergency)
    // ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {
            "no facial droop, arm weakness or slurred speech",
            "denies vomiting blood, black stools or abdominal pain",
            "no fever, neck stiffness or non blanching rash",
            "negative for facial droop, arm weakness, or slurred speech"})
    void negationCoversAWholeListClosedByOr(String complaint) {
        assertNothingFires(said(complaint));
    }

    @Test
    void aCommaWithoutAnOrListStillEndsTheNegation() {
        assertFires(said("no fever, crushing chest pain since an hour"), "acute-coronary-syndrome");
        assertFires(said("denies fever, face drooping on the left, started an hour ago"), "stroke");
    }

    /**
     * "and" ends every scope, so a negation or a date reaches only the nearer of two findings joined by
     * it. These over-fire (safe direction); letting scopes cross "and" would hide the current chest pain
     * in "crushing chest pain and had a stroke 3 years ago".
     */
    @ParameterizedTest(name = "[{index}] \"{0}\" fires {1}")
    @CsvSource({
            "'denies facial droop and slurred speech', stroke",
            "'history of vomiting blood and black stools', gi-bleeding",
            "'crushing chest pain and had a stroke 3 years ago', acute-coronary-syndrome"})
    void andEndsAScopeOnPurpose(String complaint, String code) {
        assertFires(said(complaint), code);
    }

    @Test
    void allergyWithSwallowingOrVoiceChangeIsAnaphylaxis() {
        assertFires(said("hives all over after a wasp sting and now difficulty swallowing"), "anaphylaxis");
        assertDoesNotFire(said("sore throat with difficulty swallowing for two days"), "anaphylaxis");
    }

    @Test
    void amberFeaturesOfNg143DoNotFireTheRedChildRule() {
        assertDoesNotFire(said("not feeding well and unusually sleepy", OptionalDouble.of(1)), "seriously-unwell-child");
        assertFires(said("baby is floppy and will not stay awake", OptionalDouble.of(1)), "seriously-unwell-child");
    }
}
