package health.vclinic.api.imaging;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.triage.v1.Consciousness;
import health.vclinic.api.triage.v1.Patient;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.api.triage.v1.VitalSigns;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.DynamicBatcher;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A chest X-ray sent with a triage request, on a real server with the committed model: a read as
 * pneumonia raises a well adult's level to URGENT and says why; a normal read changes nothing.
 */
class TriageChestXrayTest {

    private static VclinicServer server;
    private static ManagedChannel channel;
    private static byte[] pneumonia;
    private static byte[] normal;

    @BeforeAll
    static void start() throws IOException {
        ImagingEndpoint imaging = ImagingEndpoint.open(ImagingApiTest.root().resolve("models/repository"),
                new DynamicBatcher.Config(8, Duration.ofMillis(1), 64), ImageLimits.DEFAULT);
        // The most and the least convincing films of the first 60 test images, as this model reads them.
        List<LabelledImage> images = MedMnist.readPneumonia(ImagingApiTest.root().resolve(
                MedMnist.PNEUMONIA_RELATIVE_PATH).normalize()).split(MedMnist.Split.TEST).subList(0, 60);
        Comparator<LabelledImage> byProbability = Comparator.comparingDouble(
                i -> imaging.analyzer().analyze(i.study(), false, Optional.empty()).probability());
        pneumonia = ImagingApiTest.png(images.stream().filter(i -> i.label() == 1).max(byProbability).orElseThrow());
        normal = ImagingApiTest.png(images.stream().filter(i -> i.label() == 0).min(byProbability).orElseThrow());
        server = VclinicServer.start(TestSecurity.SECURITY, imaging.readingChestXrays(TriageEndpoint.standard()), Optional.of(imaging),
                "127.0.0.1", 0);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    /** A well adult with a full set of normal observations: self-care without the film. */
    private static TriageAssessment assess(byte[] xray) {
        TriageRequest.Builder r = TriageRequest.newBuilder().setEncounterId("e-1")
                .setPatient(Patient.newBuilder().setAgeYears(40))
                .setVitals(VitalSigns.newBuilder().setHeartRate(72).setRespiratoryRate(14).setSystolicBp(122)
                        .setTemperatureC(36.8).setSpo2(98).setSupplementalOxygen(false)
                        .setConsciousness(Consciousness.ALERT));
        if (xray != null) {
            r.setChestXray(ByteString.copyFrom(xray));
        }
        return TriageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).assess(r.build());
    }

    @Test
    void aFilmReadAsPneumoniaRaisesTheLevelAndSaysWhy() {
        assertEquals(5, assess(null).getLevel());
        TriageAssessment a = assess(pneumonia);
        assertEquals(3, a.getLevel());
        assertEquals("imaging:cxr-pneumonia@1", a.getDecidedBy());
        assertEquals("cxr-pneumonia@1", a.getModelVersionsMap().get("imaging-model"));
        assertTrue(a.getNeedsClinicianReview());
        assertTrue(a.getExplanationList().stream().anyMatch(l -> l.startsWith("Chest X-ray read by cxr-pneumonia@1:"
                + " pneumonia probability")), a.getExplanationList().toString());
    }

    @Test
    void aNormalFilmChangesNothingButIsExplained() {
        TriageAssessment a = assess(normal);
        assertEquals(5, a.getLevel());
        assertTrue(a.getExplanationList().stream().anyMatch(l -> l.contains("below the threshold")),
                a.getExplanationList().toString());
    }

    @Test
    void aBadFilmIsInvalidArgumentNamingChestXray() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> assess("not a picture".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("chest_xray is not a PNG or JPEG image"),
                e.getStatus().getDescription());
    }

    /**
     * Issue 9, defect 7: an all-black image sent as chest_xray was read as pneumonia (0.9999998) and
     * raised this well patient from level 4 or 5 to 3. Now it is not assessable: level unchanged, a
     * clinician asked to look.
     */
    @Test
    void anAllBlackFilmIsNotAssessableAndNeverRaisesTheLevel() {
        byte[] black = ImagingApiTest.encode(new java.awt.image.BufferedImage(256, 256,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png");
        TriageAssessment a = assess(black);
        assertEquals(assess(null).getLevel(), a.getLevel());
        assertTrue(a.getNeedsClinicianReview());
        assertTrue(a.getExplanationList().stream().anyMatch(l -> l.startsWith("Chest X-ray not assessable by"
                + " cxr-pneumonia@1: the image is blank or uniform")), a.getExplanationList().toString());
    }
}
