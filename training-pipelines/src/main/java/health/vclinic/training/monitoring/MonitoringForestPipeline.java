package health.vclinic.training.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SeededSplit;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.monitoring.AnomalyForest;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.PatientWindow;
import health.vclinic.inference.monitoring.WindowFeatures;
import health.vclinic.models.ModelCard;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.Sha256;
import health.vclinic.models.VersionCard;
import health.vclinic.training.Publisher;
import health.vclinic.training.RunProvenance;
import health.vclinic.training.TrainingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import smile.anomaly.IsolationForest;
import smile.math.MathEx;

/**
 * {@code ./vclinic train monitoring-forest [--config FILE]}: the anomaly forest of remote monitoring.
 * The sepsis subset's stays are split (seeded, stratified by sepsis); the stays <b>without sepsis in
 * the training part</b> are replayed hour by hour through a {@link PatientWindow}, and the
 * {@link WindowFeatures} after every sample (the same code the service runs) train a Smile
 * {@link IsolationForest}. Its thresholds are quantiles of the training windows' own scores. The
 * forest never sees a septic stay or a test stay; the evaluation checks the second from the card.
 */
public final class MonitoringForestPipeline {

    public static final String MODEL_NAME = AnomalyForest.MODEL_NAME;
    /** Admission time of the replayed stays; any fixed instant gives the same features. */
    static final Instant ADMISSION = Instant.parse("2024-01-01T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitoringForestPipeline() {
    }

    /**
     * A fitted forest before publication.
     *
     * @param forestBytes the serialised forest, as published
     * @param windows the training feature vectors
     * @param scores their scores
     */
    public record Fitted(IsolationForest forest, byte[] forestBytes, double[][] windows, double[] scores, double low,
                         double medium, double[] median, double[] scale, List<String> stays) {
    }

    public record Result(Fitted fitted, Path directory, int version) {
    }

    public static int command(Path projectRoot, Path configFile) {
        Path root = projectRoot.toAbsolutePath().normalize();
        try {
            ForestConfig config = configFile == null ? ForestConfig.DEFAULT : ForestConfig.load(configFile);
            Result r = run(root, config, root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT), System.err::println);
            System.out.printf(Locale.ROOT, "forest of %d trees on %d windows of %d stays without sepsis (training part);"
                            + " thresholds LOW %.4f, MEDIUM %.4f%n", config.trees(), r.fitted().windows().length,
                    r.fitted().stays().size(), r.fitted().low(), r.fitted().medium());
            System.out.println("published " + MODEL_NAME + " version " + r.version() + " in " + root.relativize(r.directory())
                    + " (sha256 of " + AnomalyForest.ARTIFACT + ": " + Sha256.sha256(r.fitted().forestBytes()) + ")");
            System.out.println("next: ./vclinic evaluate monitoring");
            return 0;
        } catch (TrainingException e) {
            System.err.println("vclinic train: " + e.getMessage());
            return 1;
        }
    }

    /** The split both training and evaluation use. */
    public static SeededSplit<SepsisStay> split(List<SepsisStay> stays, long seed, double trainFraction) {
        return SeededSplit.stratified(stays, SepsisStay::patientId, SepsisStay::septic, trainFraction, seed);
    }

    public static Result run(Path projectRoot, ForestConfig config, Path repository, Consumer<String> progress) {
        Path dir = config.dataDir(projectRoot);
        List<SepsisStay> stays;
        try {
            stays = SepsisDataset.read(dir);
        } catch (RuntimeException e) {
            throw new TrainingException("cannot read the sepsis subset from " + dir + ": " + e.getMessage(), e);
        }
        SeededSplit<SepsisStay> split = split(stays, config.splitSeed(), config.trainFraction());
        Fitted fitted = fit(split.train(), config, MonitoringConfig.defaults(), progress);
        VersionCard card = card(fitted, split, config, dir, stays, RunProvenance.git(projectRoot));
        Path published = Publisher.publish(repository, modelCard(), AnomalyForest.ARTIFACT, fitted.forestBytes(), card);
        return new Result(fitted, published, Integer.parseInt(published.getFileName().toString()));
    }

    /** Features of the training part's stays without sepsis, the forest, its thresholds and statistics. */
    public static Fitted fit(List<SepsisStay> trainingPart, ForestConfig config, MonitoringConfig monitoring,
                             Consumer<String> progress) {
        List<SepsisStay> normal = trainingPart.stream().filter(s -> !s.septic()).toList();
        if (config.stayLimit() > 0) {
            normal = normal.subList(0, Math.min(config.stayLimit(), normal.size()));
        }
        List<double[]> rows = new ArrayList<>();
        for (SepsisStay stay : normal) {
            PatientWindow window = new PatientWindow(monitoring.resolution().toMillis(), monitoring.windowSpan().toMillis(),
                    monitoring.maxLateness().toMillis());
            for (VitalSample s : stay.samples(ADMISSION)) {
                window.add(s, true);
                WindowFeatures.compute(window).ifPresent(rows::add);
            }
        }
        if (rows.size() < 10) {
            throw new TrainingException("only " + rows.size() + " windows to train on; use more stays");
        }
        double[][] x = rows.toArray(double[][]::new);
        progress.accept(String.format(Locale.ROOT, "%d windows from %d stays without sepsis", x.length, normal.size()));
        IsolationForest forest = grow(x, config);
        double[] scores = forest.score(x);
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double low = quantile(sorted, config.lowQuantile());
        double medium = Math.max(low, quantile(sorted, config.mediumQuantile()));
        int f = WindowFeatures.NAMES.size();
        double[] median = new double[f];
        double[] scale = new double[f];
        for (int j = 0; j < f; j++) {
            double[] column = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                column[i] = x[i][j];
            }
            Arrays.sort(column);
            median[j] = quantile(column, 0.5);
            scale[j] = Math.max(1e-3, quantile(column, 0.75) - quantile(column, 0.25));
        }
        return new Fitted(forest, bytes(forest), x, scores, low, medium, median, scale,
                normal.stream().map(SepsisStay::patientId).toList());
    }

    /** Grown on a single-threaded pool with the seed set inside it: Smile's parallel growth is otherwise not reproducible. */
    static IsolationForest grow(double[][] x, ForestConfig config) {
        double subsample = Math.min(1.0, config.sampleSize() / (double) x.length);
        ForkJoinPool pool = new ForkJoinPool(1);
        try {
            return pool.submit(() -> {
                MathEx.setSeed(config.seed());
                return IsolationForest.fit(x, new IsolationForest.Options(config.trees(), 0, subsample, 0));
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while growing the forest", e);
        } catch (ExecutionException e) {
            throw new TrainingException("Smile could not grow the forest: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    /** The value at quantile {@code q} of sorted values (the lower of the two around it). */
    static double quantile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static byte[] bytes(IsolationForest forest) {
        try {
            Path file = Files.createTempFile("forest", ".ser");
            try {
                AnomalyForest.write(forest, file);
                return Files.readAllBytes(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new TrainingException("cannot serialise the forest: " + e, e);
        }
    }

    static ModelCard modelCard() {
        return ModelCard.of(MODEL_NAME, "vital-sign-anomaly", AnomalyForest.FORMAT,
                "An isolation forest over a patient's recent vital signs (window features): how unlike the"
                + " stays without sepsis it was trained on the patient's last hours look.",
                "One of the remote-monitoring detectors, beside NEWS2 and trend rules: it raises LOW or"
                + " MEDIUM anomaly alerts for a clinician to look at. Trained on adult ICU stays (Beth Israel Deaconess,"
                + " PhysioNet/CinC 2019 set A), hourly charting; not validated for home wearables or other populations.",
                "PhysioNet/CinC Challenge 2019 (Reyna et al., Crit Care Med 2020), 200-stay subset, ODbL");
    }

    private static VersionCard card(Fitted f, SeededSplit<SepsisStay> split, ForestConfig config, Path dataDir,
                                   List<SepsisStay> stays, ObjectNode git) {
        ObjectNode card = JSON.createObjectNode();
        card.put("format", AnomalyForest.FORMAT);
        card.putArray("artifacts").addObject().put("path", AnomalyForest.ARTIFACT).put("sha256", Sha256.sha256(f.forestBytes()));
        card.put("feature_version", WindowFeatures.VERSION);
        ArrayNode features = card.putArray("features");
        WindowFeatures.NAMES.forEach(features::add);
        card.put("resolution_minutes", MonitoringConfig.defaults().resolution().toMinutes());
        card.putObject("thresholds")
                .put("low", f.low())
                .put("medium", f.medium())
                .put("low_quantile", config.lowQuantile())
                .put("medium_quantile", config.mediumQuantile())
                .put("rule", "quantiles of the anomaly scores of the training windows themselves");
        ArrayNode median = card.putArray("feature_median");
        Arrays.stream(f.median()).forEach(median::add);
        ArrayNode scale = card.putArray("feature_scale");
        Arrays.stream(f.scale()).forEach(scale::add);
        card.putObject("forest")
                .put("library", "Smile " + smileVersion())
                .put("trees", config.trees())
                .put("sample_size", config.sampleSize())
                .put("extension_level", 0)
                .put("max_depth", "Smile's default, ceil(log2(sample size))");
        ObjectNode data = card.putObject("data");
        data.put("folder", config.data());
        data.put("stays", stays.size());
        data.put("sha256_of_stay_files", staysDigest(dataDir, stays));
        data.put("sha256_rule", "sha256 of the lines '<file name> <sha256 of file>' in file-name order");
        ObjectNode splitNode = card.putObject("split");
        splitNode.put("seed", config.splitSeed());
        splitNode.put("train_fraction", config.trainFraction());
        splitNode.put("stratified_by", "sepsis (any SepsisLabel = 1)");
        ArrayNode train = splitNode.putArray("training_stays");
        split.train().forEach(s -> train.add(s.patientId()));
        ArrayNode used = splitNode.putArray("stays_used");
        f.stays().forEach(used::add);
        splitNode.put("used", "the training part's stays without sepsis; the test part is never read");
        ObjectNode training = card.putObject("training");
        training.set("config", config.json());
        training.put("windows", f.windows().length);
        training.put("features_every", "after every hourly sample, as the service computes them");
        ObjectNode provenance = card.putObject("provenance");
        provenance.set("git", git);
        provenance.putObject("libraries")
                .put("smile", smileVersion())
                .put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        provenance.put("reproduce", "./vclinic train monitoring-forest: the same data and configuration give a"
                + " byte-identical forest.ser");
        return VersionCard.fromJson(card);
    }

    private static String staysDigest(Path dataDir, List<SepsisStay> stays) {
        StringBuilder lines = new StringBuilder();
        for (SepsisStay s : stays) {
            Path file = dataDir.resolve(SepsisDataset.STAYS_FOLDER).resolve(s.patientId() + ".psv");
            lines.append(file.getFileName()).append(' ').append(Sha256.sha256(file)).append('\n');
        }
        return Sha256.sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String smileVersion() {
        String v = IsolationForest.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
