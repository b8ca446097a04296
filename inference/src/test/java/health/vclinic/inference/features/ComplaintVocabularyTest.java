package health.vclinic.inference.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComplaintVocabularyTest {

    @Test
    void wordsAndUnorderedPairsSoBothWordOrdersMeetInOneTerm() {
        assertEquals(Set.of("pain", "chest", "chest+pain"), ComplaintVocabulary.terms("pain, chest"));
        assertEquals(Set.of("pain", "chest", "chest+pain"), ComplaintVocabulary.terms("Chest PAIN"));
        // One-letter tokens and bare numbers are dropped; they carry no meaning alone.
        assertEquals(Set.of("fever", "days", "days+fever"), ComplaintVocabulary.terms("fever 3 days"));
        assertEquals(Set.of(), ComplaintVocabulary.terms(""));
    }

    @Test
    void learnsTermsOfEnoughComplaintsOnly() {
        ComplaintVocabulary v = ComplaintVocabulary.learn(
                List.of("abd pain", "abd pain", "chest pain", "dizziness", "pain, abd"), 2, 10);

        assertEquals(List.of("abd", "abd+pain", "pain"), v.terms());
    }

    @Test
    void keepsTheMostFrequentTermsWhenCapped() {
        ComplaintVocabulary v = ComplaintVocabulary.learn(List.of("fever", "fever", "fever", "cough", "cough", "rash"), 1, 2);

        assertEquals(List.of("cough", "fever"), v.terms());
    }

    @Test
    void aStoredVocabularyMustBeClean() {
        assertThrows(IllegalArgumentException.class, () -> ComplaintVocabulary.of(List.of("Pain")));
        assertThrows(IllegalArgumentException.class, () -> ComplaintVocabulary.of(List.of("pain", "pain")));
    }
}
