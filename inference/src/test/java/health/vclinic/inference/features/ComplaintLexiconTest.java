package health.vclinic.inference.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.inference.redflags.RedFlagRules;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ComplaintLexiconTest {

    private static final RedFlagRules RULES = RedFlagRules.standard();
    private static final ComplaintLexicon LEXICON = ComplaintLexicon.standard();

    private static Set<String> concepts(String complaint) {
        return LEXICON.conceptsIn(LEXICON.normalise(RULES.currentWords(complaint)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "abd pain|abdominal-pain", "pain, abdominal|abdominal-pain", "Abdo pains|abdominal-pain",
            "pain, chest|chest-pain", "CP|chest-pain", "chest pains since morning|chest-pain",
            "SOB|dyspnea", "shortness of breath|dyspnea", "dyspnoea on exertion|dyspnea",
            "LOC|altered-consciousness", "mental change|altered-consciousness", "passed out|syncope",
            "N/V|vomiting-diarrhoea", "HA|headache", "slurred speech|neurological-deficit",
            "Lt ankle fx|injury", "suicidal attempt|self-harm-or-poisoning", "dizzy|dizziness"})
    void shorthandSynonymsAndWordOrderReachTheSameGroup(String complaint, String concept) {
        assertTrue(concepts(complaint).contains(concept), complaint + " -> " + concepts(complaint));
    }

    @Test
    void negatedAndHistoricalFindingsReachNoGroup() {
        assertEquals(Set.of(), concepts("denies chest pain, no shortness of breath"));
        assertEquals(Set.of(), concepts("history of seizure"));
        assertFalse(concepts("no fever, crushing chest pain").contains("fever"));
        assertTrue(concepts("no fever, crushing chest pain").contains("chest-pain"), "a negation stops at its clause");
    }

    @Test
    void currentWordsKeepAdjacencyAcrossPunctuationButNotAcrossDroppedWords() {
        assertEquals(List.of(List.of("pain", "chest")), RULES.currentWords("pain, chest"));
        assertEquals(List.of(List.of("wants", "advice", "on", "quitting", "smoking")),
                RULES.currentWords("denies chest pain, no shortness of breath, wants advice on quitting smoking"));
        assertEquals(List.of(), RULES.currentWords(""));
    }

    @Test
    void aComplaintKnownOnlyByItsGroupIsNamedByTheGroup() {
        TriageFeatures features = TriageFeatures.create(ComplaintVocabulary.of(List.of("chest")), RULES);
        var e = new health.vclinic.datasets.Encounter("e", new health.vclinic.datasets.Patient(
                java.util.OptionalDouble.of(40), health.vclinic.datasets.Sex.MALE, java.util.Optional.empty()),
                health.vclinic.datasets.VitalSigns.builder().build(), new health.vclinic.datasets.Interview(
                "wants advice on quitting smoking", java.util.OptionalInt.empty(), java.util.OptionalDouble.empty(),
                List.of(), List.of(), java.util.Map.of()));
        var findings = new health.vclinic.inference.TriageEngine(RULES).findings(e);
        assertEquals(List.of("complaint group administrative"), features.words(List.of("complaint"), e, findings));
    }

    @Test
    void theLexiconIsVersionedAndItsCentralPainGroupsExist() {
        assertFalse(LEXICON.version().isBlank());
        assertTrue(LEXICON.concepts().containsAll(LEXICON.centralPainConcepts()));
        assertEquals("pain", ComplaintLexicon.singular("pains"));
        assertEquals("loss", ComplaintLexicon.singular("loss"));
    }

    /**
     * The matcher against its definition, written the slow, obvious way: a group is found when a window of
     * as many adjacent words as one of its phrases holds exactly that phrase's words. Random runs of the
     * lexicon's own words (and a few others), so that matches and near misses both occur.
     */
    @Test
    void groupsAreFoundExactlyAsTheDefinitionSays() {
        List<String> words = new java.util.ArrayList<>(LEXICON.phrases().stream()
                .flatMap(p -> java.util.Arrays.stream(p.split(" "))).distinct().toList());
        words.addAll(List.of("and", "since", "today", "left", "very"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(14);
        int found = 0;
        for (int trial = 0; trial < 1_000; trial++) {
            List<List<String>> runs = new java.util.ArrayList<>();
            for (int r = 0, n = 1 + random.nextInt(3); r < n; r++) {
                List<String> run = new java.util.ArrayList<>();
                for (int w = 0, m = 1 + random.nextInt(6); w < m; w++) {
                    run.add(words.get(random.nextInt(words.size())));
                }
                runs.add(run);
            }
            Set<String> expected = new java.util.LinkedHashSet<>();
            for (String concept : LEXICON.concepts()) {
                for (String phrase : LEXICON.phrases(concept)) {
                    String[] want = phrase.split(" ");
                    java.util.Arrays.sort(want);
                    for (List<String> run : runs) {
                        for (int i = 0; i + want.length <= run.size(); i++) {
                            String[] window = run.subList(i, i + want.length).toArray(String[]::new);
                            java.util.Arrays.sort(window);
                            if (java.util.Arrays.equals(window, want)) {
                                expected.add(concept);
                            }
                        }
                    }
                }
            }
            assertEquals(List.copyOf(expected), List.copyOf(LEXICON.conceptsIn(runs)), runs.toString());
            found += expected.size();
        }
        assertTrue(found > 300, "matches among the trials: " + found);
    }
}
