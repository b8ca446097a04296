package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A chest X-ray on the triage path, through a real (small, untrained) DJL network: operating points at
 * the extremes make every read positive or every read negative, so fusion can be checked both ways.
 */
class CxrTriageReaderTest {

    private static ImageStudy xray;
    private static CxrAnalyzer alwaysPositive;
    private static CxrAnalyzer alwaysNegative;

    @BeforeAll
    static void setUp() throws IOException {
        xray = MedMnist.readPneumonia(ImagingTestSupport.pneumoniaFile()).split(MedMnist.Split.TEST).getFirst().study();
        alwaysPositive = analyzer(1e-6);
        alwaysNegative = analyzer(1 - 1e-6);
    }

    private static CxrAnalyzer analyzer(double threshold) {
        CxrModel model = CxrModel.of("cxr-pneumonia@test", ImagingTestSupport.randomParams(ImagingTestSupport.TINY, 3),
                ImagingTestSupport.TINY, ImagingTestSupport.PREPROCESSING, new CxrCalibration(1, threshold));
        return CxrAnalyzer.start(model, new DynamicBatcher.Config(8, Duration.ZERO, 64));
    }

    @AfterAll
    static void tearDown() {
        alwaysPositive.close();
        alwaysNegative.close();
    }

    /** A full set of normal adult observations: without the image, self-care. */
    private static Encounter encounter(String complaint, Optional<ImageStudy> image) {
        VitalSigns normal = VitalSigns.builder().heartRate(72).respiratoryRate(14).systolicBp(122).diastolicBp(78)
                .temperatureC(36.8).spo2(98).supplementalOxygen(false).consciousness(Consciousness.ALERT).build();
        return new Encounter("e-1", new Patient(OptionalDouble.of(40), Sex.FEMALE, Optional.empty()), normal,
                new Interview(complaint, OptionalInt.empty(), OptionalDouble.empty(), List.of(), List.of(), Map.of()),
                image);
    }

    private static TriageEngine engine(CxrAnalyzer analyzer) {
        return TriageEngine.standard().withImaging(new CxrTriageReader(analyzer));
    }

    @Test
    void aPositiveReadRaisesTheLevelToUrgentAndAsksForReview() {
        assertEquals(TriageLevel.NON_URGENT, engine(alwaysPositive).assess(encounter("", Optional.empty())).level());
        TriageResult r = engine(alwaysPositive).assess(encounter("", Optional.of(xray)));
        assertEquals(TriageLevel.URGENT, r.level());
        assertEquals("imaging:cxr-pneumonia@test", r.decision().decidedBy());
        assertEquals("cxr-pneumonia@test", r.versions().get("imaging-model"));
        assertTrue(r.explanation().stream().anyMatch(l -> l.startsWith("Chest X-ray read by cxr-pneumonia@test:"
                + " pneumonia probability") && l.contains("read as pneumonia (floor urgent)")), r.explanation().toString());
        assertTrue(r.needsClinicianReview());
        assertTrue(r.reviewReasons().stream().anyMatch(s -> s.contains("a clinician should confirm it on the image")));
        assertTrue(r.explanation().toString().contains("the model learnt from children aged 1 to 5 only"));
    }

    @Test
    void aPositiveReadNeverLowersAMoreUrgentRule() {
        TriageResult r = engine(alwaysPositive).assess(encounter("crushing chest pain", Optional.of(xray)));
        assertEquals(TriageLevel.EMERGENT, r.level());
        assertEquals("red-flag:acute-coronary-syndrome", r.decision().decidedBy());
        assertTrue(r.decision().floors().stream().anyMatch(f -> f.source().equals("imaging:cxr-pneumonia@test")),
                "the read is still one of the reasons");
    }

    @Test
    void aNegativeReadSetsNothingButIsExplained() {
        TriageResult r = engine(alwaysNegative).assess(encounter("", Optional.of(xray)));
        assertEquals(TriageLevel.NON_URGENT, r.level());
        assertTrue(r.decision().floors().isEmpty());
        assertTrue(r.explanation().stream().anyMatch(l -> l.contains("below the threshold")), r.explanation().toString());
        assertFalse(r.needsClinicianReview());
    }

    @Test
    void anImageWithoutAnImagingModelIsNotSilentlyIgnored() {
        TriageResult r = TriageEngine.standard().assess(encounter("", Optional.of(xray)));
        assertTrue(r.reviewReasons().contains("a chest X-ray was sent but no imaging model is served: it was not read"));
        assertFalse(r.versions().containsKey("imaging-model"));
    }

    /**
     * Issue 9, defect 7: an all-black image read as "pneumonia" (0.9999998) raised a well patient from
     * level 4 to 3. Even with a model that calls every film positive, an image the model was not made
     * for sets no floor, is explained as not assessable, asks for a clinician, and never reaches it.
     */
    @Test
    void anImageTheModelWasNotMadeForNeverRaisesTheLevel() {
        long before = alwaysPositive.imagesRun();
        ImageStudy black = new ImageStudy("", 1024, 1024, new byte[1024 * 1024]);
        byte[] negative = xray.pixels();
        for (int i = 0; i < negative.length; i++) {
            negative[i] = (byte) (255 - Byte.toUnsignedInt(negative[i]));
        }
        for (ImageStudy image : List.of(black, new ImageStudy("", xray.width(), xray.height(), negative))) {
            TriageResult r = engine(alwaysPositive).assess(encounter("", Optional.of(image)));
            assertEquals(TriageLevel.NON_URGENT, r.level());
            assertTrue(r.decision().floors().isEmpty());
            assertTrue(r.explanation().stream().anyMatch(l -> l.startsWith("Chest X-ray not assessable by"
                    + " cxr-pneumonia@test") && l.contains("not used for triage")), r.explanation().toString());
            assertTrue(r.needsClinicianReview());
            assertTrue(r.reviewReasons().stream().anyMatch(s -> s.contains("could not be assessed")));
        }
        assertEquals(before, alwaysPositive.imagesRun(), "the model never read them");
    }
}
