package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PHQ-9 (Kroenke et al. 2001) and GAD-7 (Spitzer et al. 2006) totals, bands and the cut-point of 10.
 * Expected bands are copied from the published definitions (see /work/shared/CLINICAL.md).
 */
class QuestionnairesTest {

    /** {@code n} answers 0-3 that add up to {@code total}, filled with 3s from item 1. */
    private static List<Integer> answers(int n, int total) {
        List<Integer> items = new ArrayList<>(n);
        int left = total;
        for (int i = 0; i < n; i++) {
            int v = Math.min(3, left);
            items.add(v);
            left -= v;
        }
        if (left != 0) {
            throw new IllegalArgumentException("total too high for " + n + " items");
        }
        return items;
    }

    // PHQ-9: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe
    @ParameterizedTest(name = "PHQ-9 total {0} -> {1}")
    @CsvSource({
        "0, MINIMAL",
        "4, MINIMAL",
        "5, MILD",
        "9, MILD",
        "10, MODERATE",
        "14, MODERATE",
        "15, MODERATELY_SEVERE",
        "19, MODERATELY_SEVERE",
        "20, SEVERE",
        "27, SEVERE",
    })
    void phq9Bands(int total, Severity expected) {
        List<Integer> items = answers(9, total);
        QuestionnaireScore s = Questionnaires.phq9(items).orElseThrow();
        assertEquals("PHQ-9", s.instrument());
        assertEquals(total, s.total());
        assertEquals(27, s.maxTotal());
        assertEquals(expected, s.severity());
        assertEquals(items, s.items());
        assertEquals(Questionnaires.PHQ9_SOURCE, s.source());
        assertEquals(expected, Questionnaires.phq9Severity(total));

        // The band depends on the total only, not on which items carry it.
        List<Integer> reversed = new ArrayList<>(items);
        Collections.reverse(reversed);
        assertEquals(expected, Questionnaires.phq9(reversed).orElseThrow().severity());
    }

    // GAD-7: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe
    @ParameterizedTest(name = "GAD-7 total {0} -> {1}")
    @CsvSource({
        "0, MINIMAL",
        "4, MINIMAL",
        "5, MILD",
        "9, MILD",
        "10, MODERATE",
        "14, MODERATE",
        "15, SEVERE",
        "19, SEVERE",
        "20, SEVERE",
        "21, SEVERE",
    })
    void gad7Bands(int total, Severity expected) {
        List<Integer> items = answers(7, total);
        QuestionnaireScore s = Questionnaires.gad7(items).orElseThrow();
        assertEquals("GAD-7", s.instrument());
        assertEquals(total, s.total());
        assertEquals(21, s.maxTotal());
        assertEquals(expected, s.severity());
        assertEquals(Questionnaires.GAD7_SOURCE, s.source());
        assertEquals(expected, Questionnaires.gad7Severity(total));
    }

    @Test
    void totalsAreSumsOfMixedAnswers() {
        assertEquals(1 + 0 + 2 + 3 + 1 + 0 + 2 + 1 + 0,
                Questionnaires.phq9(List.of(1, 0, 2, 3, 1, 0, 2, 1, 0)).orElseThrow().total());
        assertEquals(2 + 2 + 1 + 0 + 3 + 1 + 1,
                Questionnaires.gad7(List.of(2, 2, 1, 0, 3, 1, 1)).orElseThrow().total());
    }

    @Test
    void itemIsNumberedFromOne() {
        QuestionnaireScore s = Questionnaires.phq9(List.of(0, 0, 0, 0, 0, 0, 0, 0, 2)).orElseThrow();
        assertEquals(2, s.item(9));
        assertEquals(0, s.item(1));
    }

    @Test
    void notAskedIsEmpty() {
        assertEquals(Optional.empty(), Questionnaires.phq9(List.of()));
        assertEquals(Optional.empty(), Questionnaires.gad7(List.of()));
    }

    @Test
    void wrongNumberOfAnswersIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.phq9(answers(8, 0)));
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.phq9(answers(10, 0)));
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.gad7(answers(6, 0)));
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.gad7(answers(9, 0)));
    }

    @Test
    void answerOutOfRangeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.phq9(List.of(0, 0, 4, 0, 0, 0, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> Questionnaires.gad7(List.of(0, -1, 0, 0, 0, 0, 0)));
    }

    // ---------------------------------------------------------------- cut-point 10 on both instruments

    @Test
    void phq9FloorAtCutPoint() {
        QuestionnaireScore ten = Questionnaires.phq9(answers(9, 10)).orElseThrow();
        TriageFloor f = Questionnaires.floor(ten).orElseThrow(() -> new AssertionError("PHQ-9 10 sets a floor"));
        assertEquals(TriageLevel.LESS_URGENT, f.level());
        assertEquals("questionnaire:phq-9", f.source());
        assertTrue(f.reason().contains("10"), f.reason());

        QuestionnaireScore nine = Questionnaires.phq9(answers(9, 9)).orElseThrow();
        assertEquals(Optional.empty(), Questionnaires.floor(nine));

        assertTrue(Questionnaires.floor(Questionnaires.phq9(answers(9, 27)).orElseThrow()).isPresent());
        assertEquals(Optional.empty(), Questionnaires.floor(Questionnaires.phq9(answers(9, 0)).orElseThrow()));
    }

    @Test
    void gad7FloorAtCutPoint() {
        QuestionnaireScore ten = Questionnaires.gad7(answers(7, 10)).orElseThrow();
        TriageFloor f = Questionnaires.floor(ten).orElseThrow(() -> new AssertionError("GAD-7 10 sets a floor"));
        assertEquals(TriageLevel.LESS_URGENT, f.level());
        assertEquals("questionnaire:gad-7", f.source());

        QuestionnaireScore nine = Questionnaires.gad7(answers(7, 9)).orElseThrow();
        assertEquals(Optional.empty(), Questionnaires.floor(nine));

        assertTrue(Questionnaires.floor(Questionnaires.gad7(answers(7, 21)).orElseThrow()).isPresent());
    }
}
