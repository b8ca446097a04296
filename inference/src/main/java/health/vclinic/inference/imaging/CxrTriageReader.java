package health.vclinic.inference.imaging;

import health.vclinic.datasets.Encounter;
import health.vclinic.inference.ImagingModel;
import health.vclinic.inference.ImagingRead;
import health.vclinic.inference.TriageFloor;
import health.vclinic.inference.TriageLevel;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The chest X-ray model on the triage path: reads an encounter's chest X-ray through the same batched
 * {@link CxrAnalyzer} as the imaging API (no saliency map: triage needs the score only).
 *
 * <p>A positive read sets an URGENT floor: radiographic pneumonia needs a clinician's assessment the
 * same day or next (NICE NG138 and CG191 assess community-acquired pneumonia clinically, with CRB-65
 * in adults), and antibiotics are usually started then. URGENT is the floor, not the level: NEWS2, the
 * paediatric limits and red flags (severe respiratory distress, sepsis) raise it when the patient is
 * unwell. A negative read sets nothing, so the model can never lower a level; it is still explained.
 *
 * <p>An image the model was not made for (blank, inverted, not a chest film: {@link CxrAssessability})
 * is not read at all: the explanation says it was not assessable and why, it sets no floor, so it can
 * never raise (or lower) the level, and it asks for a clinician to look at the image.
 *
 * <p>The model learnt from films of children aged 1 to 5; for other ages the read says so.
 */
public final class CxrTriageReader implements ImagingModel {

    /** The floor a positive read sets. */
    public static final TriageLevel POSITIVE_FLOOR = TriageLevel.URGENT;

    private final CxrAnalyzer analyzer;

    public CxrTriageReader(CxrAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    @Override
    public String id() {
        return analyzer.modelId();
    }

    @Override
    public List<ImagingRead> read(Encounter encounter) {
        if (encounter.chestXray().isEmpty()) {
            return List.of();
        }
        CxrFinding finding = analyzer.analyze(encounter.chestXray().get(), false, Optional.empty());
        if (finding.notAssessable().isPresent()) {
            String why = finding.notAssessable().get().explanation();
            return List.of(new ImagingRead("chest X-ray not assessable by " + finding.modelId() + ": " + why
                    + "; it was not used for triage", Optional.empty(),
                    Optional.of("the chest X-ray could not be assessed by the model (" + why
                            + "): a clinician should look at the image")));
        }
        String summary = String.format(Locale.ROOT, "chest X-ray read by %s: %s probability %.2f (threshold %.2f)%s",
                finding.modelId(), finding.finding(), finding.probability(), finding.threshold(),
                trainedAge(encounter) ? "" : "; the model learnt from children aged 1 to 5 only");
        Optional<TriageFloor> floor = finding.positive()
                ? Optional.of(new TriageFloor("imaging:" + finding.modelId(), POSITIVE_FLOOR,
                        summary + ", read as " + finding.finding()))
                : Optional.empty();
        return List.of(new ImagingRead(floor.map(TriageFloor::reason).orElse(summary + ", below the threshold"),
                floor));
    }

    private static boolean trainedAge(Encounter encounter) {
        return encounter.patient().ageYears().isPresent() && encounter.patient().ageYears().getAsDouble() >= 1
                && encounter.patient().ageYears().getAsDouble() < 6;
    }
}
