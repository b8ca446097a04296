package health.vclinic.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The two structured answers a triage model reads: arrival mode and injury. */
class InterviewAnswersTest {

    private static Interview interview(Map<String, String> answers) {
        return new Interview("", OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), answers);
    }

    @Test
    void readsArrivalModeAndInjuryIgnoringCaseAndBlanks() {
        Interview i = interview(Map.of("arrival_mode", " Emergency_Ambulance ", "injury", "YES"));

        assertEquals(Optional.of(ArrivalMode.EMERGENCY_AMBULANCE), i.arrivalMode());
        assertEquals(Optional.of(true), i.injury());
        assertEquals(Optional.of(false), interview(Map.of("injury", "no")).injury());
    }

    @Test
    void absentAnswersAreUnknownNotFalse() {
        assertEquals(Optional.empty(), Interview.NONE.arrivalMode());
        assertEquals(Optional.empty(), Interview.NONE.injury());
    }

    @Test
    void anAnswerOutsideTheVocabularyIsRejectedWithTheAllowedValues() {
        var e = assertThrows(InvalidInputException.class,
                () -> interview(Map.of("arrival_mode", "helicopter", "injury", "maybe")));

        assertEquals(2, e.violations().size());
        assertTrue(e.getMessage().contains("interview.answers.arrival_mode must be one of walking, private_vehicle"),
                e.getMessage());
        assertTrue(e.getMessage().contains("interview.answers.injury must be yes or no"), e.getMessage());
        assertTrue(!e.getMessage().contains("helicopter"), "the rejected value is never echoed");
    }
}
