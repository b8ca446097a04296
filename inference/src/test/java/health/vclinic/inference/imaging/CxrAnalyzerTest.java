package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The analyzer over a real (small, untrained, seeded) DJL network on the PyTorch engine. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CxrAnalyzerTest {

    private static List<ImageStudy> studies;
    private static CxrModel reference;

    @BeforeAll
    static void setUp() throws IOException {
        studies = MedMnist.readPneumonia(ImagingTestSupport.pneumoniaFile()).split(MedMnist.Split.TEST).stream()
                .map(LabelledImage::study).filter(s -> CxrAssessability.standard().assess(s).isEmpty()).limit(64)
                .toList(); // the films the gate passes: each caller's result is the model's
        reference = ImagingTestSupport.randomModel(11);
    }

    @AfterAll
    static void tearDown() {
        reference.close();
    }

    /** One image at a time through a predictor of its own: what each caller must get. */
    private static double[] oneByOne() {
        double[] out = new double[studies.size()];
        try (var predictor = reference.newPredictor()) {
            for (int i = 0; i < studies.size(); i++) {
                float logit = CxrModel.logits(predictor, List.of(reference.preprocessing().input(studies.get(i))), 1)[0];
                out[i] = reference.calibration().probability(logit);
            }
        }
        return out;
    }

    @Test
    void concurrentCallersGetTheirOwnImagesResult() throws Exception {
        double[] expected = oneByOne();
        DynamicBatcher.Config config = new DynamicBatcher.Config(16, Duration.ofMillis(20), 256);
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(ImagingTestSupport.randomModel(11), config)) {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<CxrFinding>> results = new ArrayList<>();
            for (ImageStudy study : studies) {
                CompletableFuture<CxrFinding> result = new CompletableFuture<>();
                results.add(result);
                Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        result.complete(analyzer.analyze(study, false, Optional.empty()));
                    } catch (Throwable t) {
                        result.completeExceptionally(t);
                    }
                });
            }
            go.countDown();
            for (int i = 0; i < studies.size(); i++) {
                CxrFinding finding = results.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(expected[i], finding.probability(), 1e-5, "caller " + i);
                assertEquals(finding.probability() >= 0.5, finding.positive());
                assertEquals("cxr-pneumonia@test", finding.modelId());
                assertTrue(finding.saliency().isEmpty());
            }
            assertTrue(analyzer.batches() < studies.size(), analyzer.batches() + " batches for " + studies.size());
        }
        // The images really differ in score, so a mix-up would have been caught.
        assertTrue(java.util.Arrays.stream(expected).distinct().count() > studies.size() / 2);
    }

    @Test
    void saliencyIsAnOcclusionMapDrawnAsAPng() throws Exception {
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(ImagingTestSupport.randomModel(11), DynamicBatcher.Config.DEFAULT)) {
            CxrFinding plain = analyzer.analyze(studies.get(3), false, Optional.empty());
            CxrFinding explained = analyzer.analyze(studies.get(3), true, Optional.empty());
            assertEquals(plain.probability(), explained.probability(), 1e-5, "saliency does not change the score");
            CxrFinding.Saliency saliency = explained.saliency().orElseThrow();
            assertEquals(OcclusionSaliency.METHOD, saliency.method());
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(saliency.overlayPng()));
            assertEquals(224, png.getWidth());
            assertEquals(224, png.getHeight());
        }
    }

    /**
     * The first request of a batch waits up to the queue delay for company; with a delay longer than
     * its deadline, the deadline passes in the queue and the model is not run.
     */
    @Test
    void aDeadlineThatPassesInTheQueueIsNotRun() {
        DynamicBatcher.Config slow = new DynamicBatcher.Config(64, Duration.ofMillis(300), 16);
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(ImagingTestSupport.randomModel(11), slow)) {
            BatchRejectedException e = assertThrows(BatchRejectedException.class,
                    () -> analyzer.analyze(studies.getFirst(), false, Optional.of(Duration.ofMillis(50))));
            assertEquals(BatchRejectedException.Reason.DEADLINE_EXCEEDED, e.reason());
            assertEquals(0, analyzer.batches(), "the model never ran");
            assertEquals(1, analyzer.expiredInQueue());
            assertFalse(analyzer.analyze(studies.getFirst(), false, Optional.of(Duration.ofSeconds(30)))
                    .modelId().isEmpty(), "a request with time to spare is served");
        }
    }

    /**
     * Issue 9, defect 5: after 100 aborted saliency calls the next call waited 32 s behind their 14,500
     * forward passes. Cancelled requests must never reach the network: the batch is held open (a full
     * batch of 101 or a 10-minute delay) until every abandoned call is queued and cancelled, then one
     * live request fills it, and the network runs on that one image alone.
     */
    @Test
    void cancelledSaliencyCallsNeverReachTheModel() throws Exception {
        DynamicBatcher.Config held = new DynamicBatcher.Config(101, Duration.ofMinutes(10), 1024);
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(ImagingTestSupport.randomModel(11), held)) {
            List<Cancellation> handles = new ArrayList<>();
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Cancellation handle = Cancellation.withDeadline(Optional.empty());
                handles.add(handle);
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                outcomes.add(outcome);
                ImageStudy study = studies.get(i % studies.size());
                Thread.ofVirtual().start(() -> {
                    try {
                        analyzer.analyze(study, true, handle);
                        outcome.complete(null);
                    } catch (Throwable t) {
                        outcome.complete(t);
                    }
                });
            }
            while (analyzer.waiting() < 100) {
                Thread.sleep(5); // until every call is queued; the class timeout bounds a hang
            }
            handles.forEach(Cancellation::cancel);
            for (CompletableFuture<Throwable> outcome : outcomes) {
                BatchRejectedException e = assertInstanceOf(BatchRejectedException.class, outcome.get(30, TimeUnit.SECONDS));
                assertEquals(BatchRejectedException.Reason.CANCELLED, e.reason());
            }
            CxrFinding live = analyzer.analyze(studies.getFirst(), false, Cancellation.withDeadline(Optional.empty()));
            assertTrue(live.assessable());
            assertEquals(1, analyzer.imagesRun(), "only the live request's one image reached the network");
            assertEquals(100, analyzer.dropped());
            assertEquals(1, analyzer.batches());
        }
    }

    @Test
    void anAllBlackImageIsNotAssessableAndTheModelNeverRuns() {
        try (CxrAnalyzer analyzer = CxrAnalyzer.start(ImagingTestSupport.randomModel(11), DynamicBatcher.Config.DEFAULT)) {
            CxrFinding black = analyzer.analyze(new ImageStudy("", 512, 512, new byte[512 * 512]), true,
                    Optional.empty());
            assertFalse(black.assessable());
            assertEquals(NotAssessable.Reason.UNIFORM, black.notAssessable().orElseThrow().reason());
            assertFalse(black.positive());
            assertEquals(0, black.probability());
            assertTrue(black.saliency().isEmpty());
            assertEquals(0, analyzer.imagesRun());
            assertEquals(1, analyzer.notAssessable());
        }
    }

    @Test
    void occlusionMapAveragesTheLogitFallOverCoveringSquares() {
        OcclusionSaliency occlusion = OcclusionSaliency.standard(28);
        assertEquals(12, occlusion.positions());
        float[] input = new float[28 * 28];
        java.util.Arrays.fill(input, 1f);
        List<float[]> copies = occlusion.occlusions(input);
        assertEquals(144, copies.size());
        assertEquals(0f, copies.getFirst()[0]);
        assertEquals(1f, copies.getFirst()[6], "only the 6x6 square is hidden");
        float[] logits = new float[144];
        java.util.Arrays.fill(logits, 2f);
        logits[0] = -4f;  // hiding the top-left square drops the logit by 6
        float[] map = occlusion.map(2f, logits);
        assertEquals(6f, map[0], 1e-6, "pixel (0,0) is covered by that square alone");
        assertEquals(1.5f, map[2 * 28 + 2], 1e-6, "pixel (2,2) by four squares, one of which dropped 6");
        assertEquals(0f, map[27 * 28 + 27], 1e-6);
    }
}
