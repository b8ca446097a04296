package health.vclinic.api.imaging;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.DynamicBatcher;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The imaging API on a real server on a free port, serving the committed {@code cxr-pneumonia}
 * model, called by a real grpc-java client and the JDK's HTTP client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImagingApiTest {

    /** Small enough that a test can send a larger image cheaply. */
    private static final ImageLimits LIMITS = new ImageLimits(256 << 10, 2048L * 2048, 28);

    private static VclinicServer server;
    private static ManagedChannel channel;
    private static HttpClient http;
    private static List<LabelledImage> images;

    @BeforeAll
    static void start() throws IOException {
        images = MedMnist.readPneumonia(root().resolve(MedMnist.PNEUMONIA_RELATIVE_PATH).normalize())
                .split(MedMnist.Split.TEST).subList(0, 48);
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.of(endpoint(Duration.ofMillis(5))),
                "127.0.0.1", 0);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend())
                .maxInboundMessageSize(16 << 20).build();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static Path root() {
        Path root = Path.of(System.getProperty("vclinic.root", ".."));
        return Files.isDirectory(root.resolve("models/repository")) ? root : Path.of("..");
    }

    private static ImagingEndpoint endpoint(Duration queueDelay) {
        ImagingEndpoint endpoint = ImagingEndpoint.open(root().resolve("models/repository"),
                new DynamicBatcher.Config(16, queueDelay, 256), LIMITS);
        // One clinic's 48 calls at once: above its default share (ImagingHardeningTest pins it); this is about batching.
        endpoint.limitEachClinicTo(64);
        return endpoint;
    }

    private static ImagingServiceGrpc.ImagingServiceBlockingStub imaging() {
        return ImagingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static byte[] png(LabelledImage image) {
        BufferedImage out = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                out.getRaster().setSample(x, y, 0, image.study().luminance(x, y));
            }
        }
        return encode(out, "png");
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private static AnalyzeRequest request(byte[] image, boolean saliency) {
        return AnalyzeRequest.newBuilder().setStudyId("s-1").setImage(ByteString.copyFrom(image))
                .setSkipSaliency(!saliency).build();
    }

    @Test
    void grpcReturnsACalibratedProbabilityLabelVersionAndSaliency() throws IOException {
        ImageAnalysis a = imaging().analyze(request(png(images.getFirst()), true));
        assertEquals("s-1", a.getStudyId());
        assertEquals("pneumonia", a.getFinding());
        assertTrue(a.getProbability() >= 0 && a.getProbability() <= 1);
        assertEquals(a.getProbability() >= a.getThreshold(), a.getPositive());
        assertEquals(a.getPositive() ? "pneumonia" : "normal", a.getLabel());
        assertTrue(a.getModelVersion().startsWith("cxr-pneumonia@"), a.getModelVersion());
        assertEquals(28, a.getWidth());
        assertEquals("occlusion-sensitivity", a.getSaliency().getMethod());
        BufferedImage overlay = ImageIO.read(new ByteArrayInputStream(a.getSaliency().getOverlayPng().toByteArray()));
        assertEquals(a.getSaliency().getSide(), overlay.getWidth());
        assertFalse(imaging().analyze(request(png(images.getFirst()), false)).hasSaliency());
    }

    @Test
    void httpTakesTheImageAsTheBodyOrAsBase64Json() throws Exception {
        byte[] png = png(images.get(1));
        double expected = imaging().analyze(request(png, false)).getProbability();
        HttpResponse<String> raw = post("/v1/imaging:analyze?study_id=s-2&skip_saliency=true", "image/png", png);
        assertEquals(200, raw.statusCode(), raw.body());
        ImageAnalysis a = parse(raw.body());
        assertEquals(expected, a.getProbability(), 1e-6);
        assertEquals("s-2", a.getStudyId());
        assertFalse(a.hasSaliency());

        String json = "{\"study_id\":\"s-3\",\"image\":\"" + Base64.getEncoder().encodeToString(png) + "\"}";
        HttpResponse<String> viaJson = post("/v1/imaging:analyze", "application/json",
                json.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, viaJson.statusCode(), viaJson.body());
        ImageAnalysis b = parse(viaJson.body());
        assertEquals(expected, b.getProbability(), 1e-6);
        assertTrue(b.getSaliency().getOverlayPng().size() > 100);
    }

    /** Many callers at once: batched together, each answered with its own image's score. */
    @Test
    void concurrentCallsAreBatchedAndRoutedToTheirCallers() throws Exception {
        double[] expected = new double[images.size()];
        for (int i = 0; i < images.size(); i++) {
            expected[i] = imaging().analyze(request(png(images.get(i)), false)).getProbability();
        }
        ImagingServiceGrpc.ImagingServiceFutureStub async = ImagingServiceGrpc.newFutureStub(channel);
        List<com.google.common.util.concurrent.ListenableFuture<ImageAnalysis>> calls = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            calls.add(async.withDeadlineAfter(20, TimeUnit.SECONDS).analyze(AnalyzeRequest.newBuilder()
                    .setStudyId("c-" + i).setImage(ByteString.copyFrom(png(images.get(i)))).setSkipSaliency(true)
                    .build()));
        }
        for (int i = 0; i < images.size(); i++) {
            ImageAnalysis a = calls.get(i).get(20, TimeUnit.SECONDS);
            assertEquals("c-" + i, a.getStudyId());
            assertEquals(expected[i], a.getProbability(), 1e-5, "caller " + i);
        }
        assertTrue(Arrays.stream(expected).distinct().count() > images.size() / 2, "the images score differently");
    }

    @Test
    void badImagesAreInvalidArgumentNamingTheReason() {
        byte[] png = png(images.getFirst());
        assertRefused(new byte[0], "image is empty");
        assertRefused("not an image".getBytes(StandardCharsets.UTF_8), "not a PNG or JPEG image");
        assertRefused(Arrays.copyOf(png, png.length - 20), "truncated PNG");
        assertRefused(noise(400), "at most 262,144 are accepted");
        assertRefused(encode(new BufferedImage(3000, 3000, BufferedImage.TYPE_BYTE_GRAY), "png"),
                "3000x3000 = 9,000,000 pixels; at most 4,194,304 are accepted");
        assertRefused(encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png"), "at least 28x28");
    }

    @Test
    void badImagesOverHttpAre400WithTheReason() throws Exception {
        HttpResponse<String> r = post("/v1/imaging:analyze", "image/png", "GIF89a".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("INVALID_ARGUMENT") && r.body().contains("not a PNG or JPEG"), r.body());
        r = post("/v1/imaging:analyze", "image/png", noise(600));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("images of at most 262,144 bytes are accepted"), r.body());
        r = post("/v1/imaging:analyze", "text/plain", png(images.getFirst()));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("content-type must be image/png"), r.body());
        assertEquals(200, post("/v1/triage:assess", "application/json",
                "{\"encounter_id\":\"e\"}".getBytes(StandardCharsets.UTF_8)).statusCode(), "triage still served");
    }

    /**
     * A server whose batches wait 400 ms for company: a call with a 100 ms deadline expires in the
     * queue, is answered DEADLINE_EXCEEDED, and the model never runs.
     */
    @Test
    void aDeadlineThatPassesInTheQueueIsDeadlineExceededWithoutRunningTheModel() throws Exception {
        ImagingEndpoint slow = endpoint(Duration.ofMillis(400));
        try (VclinicServer slowServer = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.of(slow), "127.0.0.1", 0)) {
            ManagedChannel own = NettyChannelBuilder.forAddress("127.0.0.1", slowServer.port()).usePlaintext().intercept(TestSecurity.backend()).build();
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ImagingServiceGrpc.newBlockingStub(own).withDeadlineAfter(100, TimeUnit.MILLISECONDS)
                                .analyze(request(png(images.getFirst()), false)));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
                // The server's side of it: dropped in the queue (expired, or cancelled by the client's
                // RST_STREAM when its deadline passed, whichever the server saw first), no batch run.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (slow.analyzer().expiredInQueue() + slow.analyzer().dropped() == 0 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(1, slow.analyzer().expiredInQueue() + slow.analyzer().dropped());
                assertEquals(0, slow.analyzer().batches());
                // With time to spare the same server answers.
                assertTrue(ImagingServiceGrpc.newBlockingStub(own).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .analyze(request(png(images.getFirst()), false)).getProbability() >= 0);
            } finally {
                own.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertRefused(byte[] image, String reason) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> imaging().analyze(request(image, false)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains(reason), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().startsWith("image "), e.getStatus().getDescription());
    }

    /** A PNG of random noise (incompressible) of about {@code kib} KiB. */
    private static byte[] noise(int kib) {
        int side = (int) Math.sqrt(kib * 1024.0);
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(1);
        byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        random.nextBytes(data);
        return encode(image, "png");
    }

    private static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("authorization", TestSecurity.backendHeader())
                .timeout(Duration.ofSeconds(20)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ImageAnalysis parse(String json) throws IOException {
        ImageAnalysis.Builder b = ImageAnalysis.newBuilder();
        JsonFormat.parser().merge(json, b);
        return b.build();
    }
}
