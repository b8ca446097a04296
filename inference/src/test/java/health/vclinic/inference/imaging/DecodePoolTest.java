package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.imaging.ImageHeader;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bounded decode pool (issue 9, defect 6: 32 concurrent 4096 × 4096 16-bit RGBA PNGs took the
 * process from 0.85 to 4.2 GB and readiness stopped answering). Its one thread is held busy by the
 * test, so what is admitted, refused and dropped is decided by counts, never by timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DecodePoolTest {

    private static final ImageLimits LIMITS = ImageLimits.DEFAULT;

    static byte[] png(int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 256);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** A PNG whose IHDR claims {@code width × height} 16-bit RGBA, with no image data: only the header is read. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(width).putInt(height).put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 12, 17);
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(0xae426082);
        return b.array();
    }

    /** A pool on one thread that the test occupies until {@code release} opens. */
    private static DecodePool heldPool(DecodePool.Config config, CountDownLatch release) throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch busy = new CountDownLatch(1);
        executor.execute(() -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        return new DecodePool(config, executor);
    }

    private static CompletableFuture<Throwable> decodeInBackground(DecodePool pool, byte[] image, Cancellation handle) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                pool.decode(image, LIMITS, "", "image", handle);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        return outcome;
    }

    private static void awaitInFlight(DecodePool pool, int n) throws InterruptedException {
        while (pool.inFlight() < n) {
            Thread.sleep(5); // until every call is admitted; the class timeout bounds a hang
        }
    }

    @Test
    void cancelledImagesAreNeverDecoded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DecodePool pool = heldPool(new DecodePool.Config(1, 1L << 30, 64), release)) {
            byte[] image = png(256);
            List<Cancellation> handles = new ArrayList<>();
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Cancellation handle = Cancellation.withDeadline(Optional.empty());
                handles.add(handle);
                outcomes.add(decodeInBackground(pool, image, handle));
            }
            awaitInFlight(pool, 20);
            handles.forEach(Cancellation::cancel);
            for (CompletableFuture<Throwable> outcome : outcomes) {
                BatchRejectedException e = assertInstanceOf(BatchRejectedException.class, outcome.get(30, TimeUnit.SECONDS));
                assertEquals(BatchRejectedException.Reason.CANCELLED, e.reason());
            }
            release.countDown();
            ImageStudy live = pool.decode(image, LIMITS, "s", "image", Cancellation.none());
            assertEquals(256, live.width());
            assertEquals(1, pool.decoded(), "only the live image was decoded");
            assertEquals(20, pool.dropped());
            assertEquals(0, pool.inFlightBytes(), "every admitted byte was released");
        }
    }

    @Test
    void anImageWhoseDeadlinePassedWhileWaitingIsNotDecoded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DecodePool pool = heldPool(new DecodePool.Config(1, 1L << 30, 64), release)) {
            Cancellation handle = Cancellation.withDeadline(Optional.of(Duration.ofMillis(200)));
            CompletableFuture<Throwable> outcome = decodeInBackground(pool, png(64), handle);
            while (pool.inFlight() < 1 && !outcome.isDone()) {
                Thread.sleep(5); // admitted, or (on a very slow machine) refused before admission
            }
            boolean admitted = !outcome.isDone();
            while (!handle.expired()) {
                Thread.sleep(5);
            }
            release.countDown();
            BatchRejectedException e = assertInstanceOf(BatchRejectedException.class, outcome.get(30, TimeUnit.SECONDS));
            assertEquals(BatchRejectedException.Reason.DEADLINE_EXCEEDED, e.reason());
            assertEquals(0, pool.decoded());
            assertEquals(admitted ? 1 : 0, pool.dropped());
        }
    }

    /** Admission by decoded size: the budget fits one large image, so a second is refused at once. */
    @Test
    void imagesBeyondTheByteBudgetAreRefusedAtOnceNotQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        byte[] image = png(1024);
        long cost = DecodePool.cost(ImageHeader.read(image, LIMITS, "image"), image.length);
        try (DecodePool pool = heldPool(new DecodePool.Config(1, cost + cost / 2, 64), release)) {
            CompletableFuture<Throwable> first = decodeInBackground(pool, image, Cancellation.none());
            awaitInFlight(pool, 1);
            BatchRejectedException e = assertThrows(BatchRejectedException.class,
                    () -> pool.decode(image, LIMITS, "", "image", Cancellation.none()));
            assertEquals(BatchRejectedException.Reason.QUEUE_FULL, e.reason());
            assertTrue(e.getMessage().contains("MiB"), e.getMessage());
            assertEquals(1, pool.refused());
            release.countDown();
            assertEquals(null, first.get(30, TimeUnit.SECONDS));
            pool.decode(image, LIMITS, "", "image", Cancellation.none());
            assertEquals(2, pool.decoded(), "once the first finished its budget is free again");
        }
    }

    @Test
    void theQueueIsBoundedInImagesToo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DecodePool pool = heldPool(new DecodePool.Config(1, 1L << 30, 2), release)) {
            byte[] image = png(64);
            List<CompletableFuture<Throwable>> admitted = List.of(decodeInBackground(pool, image, Cancellation.none()),
                    decodeInBackground(pool, image, Cancellation.none()));
            awaitInFlight(pool, 2);
            assertEquals(BatchRejectedException.Reason.QUEUE_FULL, assertThrows(BatchRejectedException.class,
                    () -> pool.decode(image, LIMITS, "", "image", Cancellation.none())).reason());
            release.countDown();
            for (CompletableFuture<Throwable> a : admitted) {
                assertEquals(null, a.get(30, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * The 16-bit RGBA PNG of the report: its 128 MiB raster is costed from the header, and an image
     * over the pixel limit is the client's error, refused without a decoder or a thread.
     */
    @Test
    void theHeaderDecidesBeforeAnyPixelIsDecoded() throws Exception {
        ImageHeader large = ImageHeader.read(pngHeader(4096, 4096), LIMITS, "image");
        assertEquals(4096L * 4096 * 4 * 2, large.rasterBytes());
        CountDownLatch release = new CountDownLatch(1);
        try (DecodePool pool = heldPool(new DecodePool.Config(1, 1L << 30, 64), release)) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> pool.decode(pngHeader(5000, 5000), LIMITS, "", "image", Cancellation.none()));
            assertEquals("image", e.violations().getFirst().field());
            assertTrue(e.getMessage().contains("at most 16,777,216 are accepted"), e.getMessage());
            assertEquals(0, pool.inFlight());
            release.countDown();
        }
        assertTrue(DecodePool.Config.defaults().maxInFlightBytes() >= DecodePool.worstCase(LIMITS),
                "the default budget always admits one largest image");
    }
}
