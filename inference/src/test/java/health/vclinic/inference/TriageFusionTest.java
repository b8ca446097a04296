package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TriageFusionTest {

    private static ModelOpinion model(TriageLevel level) {
        return new ModelOpinion("model:test@1", level, List.of(), List.of());
    }

    @Test
    void aModelNeverLowersAFloorForAnyPairOfLevels() {
        for (TriageLevel floor : TriageLevel.values()) {
            for (TriageLevel said : TriageLevel.values()) {
                TriageDecision d = TriageFusion.fuse(List.of(new TriageFloor("rule", floor, "r")),
                        Optional.of(model(said)), List.of());
                assertEquals(TriageLevel.mostUrgent(floor, said), d.level(), floor + " vs model " + said);
                assertTrue(d.level().level() <= floor.level(), "fusion lowered the floor " + floor);
                String expected = said.moreUrgentThan(floor) ? "model:test@1" : "rule";
                assertEquals(expected, d.decidedBy(), "who decided " + floor + " vs " + said);
            }
        }
    }

    @Test
    void theMostUrgentOfManyFloorsWinsWhateverTheirOrder() {
        Random random = new Random(42);
        for (int trial = 0; trial < 1_000; trial++) {
            List<TriageFloor> floors = new ArrayList<>();
            int n = 1 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                floors.add(new TriageFloor("f" + i, TriageLevel.of(1 + random.nextInt(5)), "r"));
            }
            Optional<ModelOpinion> opinion = random.nextBoolean()
                    ? Optional.of(model(TriageLevel.of(1 + random.nextInt(5)))) : Optional.empty();
            TriageDecision d = TriageFusion.fuse(floors, opinion, List.of());
            for (TriageFloor f : floors) {
                assertTrue(d.level().level() <= f.level().level(), "below floor " + f);
            }
            int expected = floors.stream().mapToInt(f -> f.level().level()).min().orElseThrow();
            if (opinion.isPresent()) {
                expected = Math.min(expected, opinion.get().level().level());
            }
            assertEquals(expected, d.level().level());
            assertEquals(d.level(), d.floors().isEmpty() ? d.level() : TriageLevel.mostUrgent(d.level(), d.floors().getFirst().level()));
        }
    }

    @Test
    void tiesGoToTheFirstFloorGivenSoRedFlagsNameTheDecision() {
        TriageDecision d = TriageFusion.fuse(List.of(
                new TriageFloor("red-flag:stroke", TriageLevel.EMERGENT, "a"),
                new TriageFloor("news2", TriageLevel.EMERGENT, "b")), Optional.of(model(TriageLevel.EMERGENT)), List.of());
        assertEquals("red-flag:stroke", d.decidedBy());
    }

    @Test
    void nothingAtAllIsNonUrgentByDefault() {
        TriageDecision d = TriageFusion.fuse(List.of(), Optional.empty(), List.of());
        assertEquals(TriageLevel.NON_URGENT, d.level());
        assertEquals(TriageFusion.DEFAULT_SOURCE, d.decidedBy());
        assertEquals(Disposition.SELF_CARE, d.disposition());
    }

    @Test
    void aRuleMayAskForAMoreUrgentDispositionButNeverALessUrgentOne() {
        TriageFloor stroke = new TriageFloor("red-flag:stroke", TriageLevel.EMERGENT, "FAST");
        assertEquals(Disposition.EMERGENCY_SERVICES, TriageFusion.fuse(List.of(stroke), Optional.empty(),
                List.of(Disposition.EMERGENCY_SERVICES)).disposition());
        TriageFloor resus = new TriageFloor("red-flag:unresponsive", TriageLevel.RESUSCITATION, "U");
        assertEquals(Disposition.EMERGENCY_SERVICES, TriageFusion.fuse(List.of(resus), Optional.empty(),
                List.of(Disposition.URGENT_CARE_24H)).disposition());
    }

    @Test
    void floorsComeBackMostUrgentFirst() {
        TriageDecision d = TriageFusion.fuse(List.of(
                new TriageFloor("a", TriageLevel.LESS_URGENT, "a"),
                new TriageFloor("b", TriageLevel.RESUSCITATION, "b"),
                new TriageFloor("c", TriageLevel.URGENT, "c")), Optional.empty(), List.of());
        assertEquals(List.of("b", "c", "a"), d.floors().stream().map(TriageFloor::source).toList());
    }
}
