package health.vclinic.api.cli;

import ai.djl.inference.Predictor;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.datasets.imaging.LabelledImage;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.models.ModelRepository;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code vclinic bench --imaging}: in one run, on the same model version and the same machine,
 * <ol>
 *   <li>raw DJL: one thread calling {@code Predictor.batchPredict} on ready-made batches of
 *       {@code maxBatch} preprocessed test images, the ceiling for batched inference;</li>
 *   <li>serving: many gRPC {@code Analyze} calls in flight (PNG bytes in, decoded, preprocessed,
 *       dynamically batched, answered), throughput in images per second;</li>
 *   <li>single-image latency: one call at a time, without and with the saliency map, p50 and p99.</li>
 * </ol>
 * Rounds alternate raw and serving so both see the same machine; medians are reported, with the
 * serving / raw ratio (goal: at least 0.8).
 */
public final class ImagingBench {

    /**
     * @param concurrency serving calls in flight
     * @param durationSeconds seconds per measured phase
     * @param rounds raw-then-serving rounds
     * @param warmupSeconds seconds of warm-up, split between the phases
     * @param threads PyTorch intra-op threads of this process (raw predict, and the embedded server)
     */
    public record Settings(int concurrency, int durationSeconds, int rounds, int warmupSeconds, int threads) {
    }

    private ImagingBench() {
    }

    /** Runs the benchmark against {@code host:port}, whose imaging model must be the repository's. */
    public static void run(String host, int port, health.vclinic.api.security.BearerToken token, String where, Path repository, Path dataFile, int maxBatch,
                           Settings settings, PrintStream out) throws IOException, InterruptedException {
        // Raw predict runs with the same intra-op thread count as the embedded server (same process).
        CxrModel.intraOpThreads(settings.threads());
        List<LabelledImage> images = MedMnist.readPneumonia(dataFile).split(MedMnist.Split.TEST);
        List<AnalyzeRequest> plain = new ArrayList<>();
        List<AnalyzeRequest> explained = new ArrayList<>();
        for (LabelledImage image : images) {
            ByteString png = ByteString.copyFrom(png(image));
            plain.add(AnalyzeRequest.newBuilder().setImage(png).setSkipSaliency(true).build());
            explained.add(AnalyzeRequest.newBuilder().setImage(png).build());
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().directExecutor()
                .maxInboundMessageSize(16 << 20).intercept(token).build();
        try (CxrModel model = CxrModel.load(ModelRepository.open(repository).resolve(CxrModel.NAME));
             Predictor<float[], Float> predictor = model.newPredictor()) {
            List<float[]> inputs = images.stream().map(i -> model.preprocessing().input(i.study())).toList();
            ImagingServiceGrpc.ImagingServiceFutureStub stub = ImagingServiceGrpc.newFutureStub(channel);
            AtomicLong next = new AtomicLong();
            Supplier<ListenableFuture<?>> analyze = () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .analyze(plain.get((int) (next.getAndIncrement() % plain.size())));
            Supplier<ListenableFuture<?>> analyzeWithSaliency = () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .analyze(explained.get((int) (next.getAndIncrement() % explained.size())));
            long warmup = TimeUnit.SECONDS.toNanos(settings.warmupSeconds());
            long measured = TimeUnit.SECONDS.toNanos(settings.durationSeconds());
            out.printf(Locale.ROOT, "imaging bench: %s serving %s; raw DJL on %s; warming up %d s ...%n", where,
                    model.id(), model.id(), settings.warmupSeconds());
            raw(predictor, inputs, maxBatch, warmup / 3);
            LoadGenerator.closedLoop("warmup", settings.concurrency(), warmup / 3, analyze);
            LoadGenerator.closedLoop("warmup", 1, warmup / 3, analyzeWithSaliency);
            double[] raws = new double[settings.rounds()];
            double[] servings = new double[settings.rounds()];
            List<LoadGenerator.Result> serving = new ArrayList<>();
            for (int round = 0; round < settings.rounds(); round++) {
                raws[round] = raw(predictor, inputs, maxBatch, measured);
                LoadGenerator.Result r = LoadGenerator.closedLoop("Analyze, round " + (round + 1),
                        settings.concurrency(), measured, analyze);
                serving.add(r);
                servings[round] = r.throughput();
            }
            LoadGenerator.Result single = LoadGenerator.closedLoop("Analyze, 1 in flight", 1, measured, analyze);
            LoadGenerator.Result singleSaliency = LoadGenerator.closedLoop("Analyze + saliency, 1 in flight", 1,
                    measured, analyzeWithSaliency);
            report(out, where, maxBatch, settings, raws, servings, serving, single, singleSaliency);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Images per second of {@code batchPredict} on batches of {@code batch} ready inputs, one thread. */
    static double raw(Predictor<float[], Float> predictor, List<float[]> inputs, int batch, long durationNanos) {
        long start = System.nanoTime();
        long images = 0;
        int from = 0;
        while (System.nanoTime() - start < durationNanos) {
            List<float[]> slice = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                slice.add(inputs.get((from + i) % inputs.size()));
            }
            from = (from + batch) % inputs.size();
            CxrModel.logits(predictor, slice, batch);
            images += batch;
        }
        return images / ((System.nanoTime() - start) / 1e9);
    }

    private static void report(PrintStream out, String where, int maxBatch, Settings s, double[] raws,
                               double[] servings, List<LoadGenerator.Result> serving, LoadGenerator.Result single,
                               LoadGenerator.Result singleSaliency) {
        out.printf(Locale.ROOT, "%nvclinic bench --imaging: %s, %d cores, PyTorch intra-op threads %d, %d calls in"
                + " flight, max batch %d, %d rounds of %d s%n", where, Runtime.getRuntime().availableProcessors(),
                s.threads(), s.concurrency(), maxBatch, s.rounds(), s.durationSeconds());
        out.printf(Locale.ROOT, "%-34s %12s %9s %9s %7s%n", "phase", "images/s", "p50 ms", "p99 ms", "errors");
        double[] ratios = new double[raws.length];
        for (int i = 0; i < raws.length; i++) {
            out.printf(Locale.ROOT, "%-34s %12.0f %9s %9s %7s%n", "raw DJL batchPredict, round " + (i + 1), raws[i],
                    "", "", "");
            line(out, serving.get(i));
            ratios[i] = servings[i] / raws[i];
        }
        line(out, single);
        line(out, singleSaliency);
        out.printf(Locale.ROOT, "median raw %.0f images/s, median serving %.0f images/s%n", median(raws), median(servings));
        out.printf(Locale.ROOT, "serving / raw throughput: median %.2f over %d rounds %s (goal >= 0.80)%n",
                median(ratios), ratios.length, Arrays.toString(Arrays.stream(ratios)
                        .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toArray()));
        out.printf(Locale.ROOT, "single image: p50 %.2f ms, p99 %.2f ms; with saliency map: p50 %.2f ms, p99 %.2f ms%n",
                single.p50Micros() / 1000, single.p99Micros() / 1000, singleSaliency.p50Micros() / 1000,
                singleSaliency.p99Micros() / 1000);
    }

    private static void line(PrintStream out, LoadGenerator.Result r) {
        out.printf(Locale.ROOT, "%-34s %12.0f %9.2f %9.2f %7d%n", r.name(), r.throughput(), r.p50Micros() / 1000,
                r.p99Micros() / 1000, r.errors());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static byte[] png(LabelledImage image) {
        BufferedImage out = new BufferedImage(image.study().width(), image.study().height(),
                BufferedImage.TYPE_BYTE_GRAY);
        out.getRaster().setDataElements(0, 0, image.study().width(), image.study().height(), image.study().pixels());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(out, "png", bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
