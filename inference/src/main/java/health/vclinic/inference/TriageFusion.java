package health.vclinic.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Fuses rule floors and a model's opinion into one level: the most urgent of them all. A model can
 * make a case more urgent than the rules; it can never make it less urgent than any floor.
 *
 * <p>Ties go to the rules: a model that agrees with the most urgent floor did not decide the case. With
 * neither a floor nor a model the case is non-urgent, which {@link TriageEngine} only allows when a
 * full set of vital signs was measured (otherwise it adds an "incomplete-data" floor).
 */
public final class TriageFusion {

    /** The source named when nothing at all set a level. */
    public static final String DEFAULT_SOURCE = "default";

    private TriageFusion() {
    }

    /**
     * @param floors every floor that applies, in any order
     * @param model the model's opinion, when a model is served
     * @param dispositions dispositions more urgent than a level's own, asked for by rules (stroke)
     */
    public static TriageDecision fuse(List<TriageFloor> floors, Optional<ModelOpinion> model,
                                      List<Disposition> dispositions) {
        List<TriageFloor> sorted = new ArrayList<>(floors);
        // Stable: among floors of one level, the order the engine gave (red flags first) is kept.
        sorted.sort(Comparator.comparingInt(f -> f.level().level()));
        TriageLevel level = TriageLevel.NON_URGENT;
        String decidedBy = DEFAULT_SOURCE;
        if (!sorted.isEmpty()) {
            level = sorted.getFirst().level();
            decidedBy = sorted.getFirst().source();
        }
        if (model.isPresent() && (sorted.isEmpty() || model.get().level().moreUrgentThan(level))) {
            level = model.get().level();
            decidedBy = model.get().source();
        }
        Disposition disposition = level.disposition();
        for (Disposition d : dispositions) {
            if (d.ordinal() < disposition.ordinal()) {
                disposition = d;
            }
        }
        return new TriageDecision(level, disposition, decidedBy, sorted);
    }
}
