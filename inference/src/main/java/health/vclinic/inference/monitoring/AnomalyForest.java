package health.vclinic.inference.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.inference.InferenceException;
import health.vclinic.models.ResolvedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import smile.anomaly.IsolationForest;

/**
 * A trained isolation forest (Liu, Ting and Zhou, ICDM 2008; Smile's implementation) over
 * {@link WindowFeatures}, with the thresholds and feature statistics its card records.
 *
 * <p>Smile models are Java-serialised. The file is only read after the model repository has checked
 * its sha256 against the card, and then through an {@link ObjectInputFilter} that admits Smile's
 * isolation-forest classes and primitive arrays only, so even a swapped file cannot instantiate
 * anything else.
 *
 * @param forest the trees
 * @param id {@code name@version} of the model, reported with every alert
 * @param resolutionMillis the bucket width the features were computed with
 * @param lowThreshold score at and above which a window is anomalous (LOW)
 * @param mediumThreshold score at and above which it is MEDIUM
 * @param featureMedian per-feature median on the training windows, for explanations
 * @param featureScale per-feature interquartile range on the training windows (at least a small
 *     positive floor), for explanations
 */
public record AnomalyForest(IsolationForest forest, String id, long resolutionMillis, double lowThreshold,
                            double mediumThreshold, double[] featureMedian, double[] featureScale) {

    /** The model's name in the repository. */
    public static final String MODEL_NAME = "monitoring-forest";
    /** The serialised forest inside a version directory. */
    public static final String ARTIFACT = "forest.ser";
    /** The format named on the card. */
    public static final String FORMAT = "smile-isolation-forest";

    private static final ObjectInputFilter ONLY_FOREST = ObjectInputFilter.Config.createFilter(
            "maxdepth=64;maxarray=100000;smile.anomaly.IsolationForest;smile.anomaly.IsolationTree;"
                    + "smile.anomaly.IsolationTree$Node;[Lsmile.anomaly.IsolationTree;[D;!*");

    public AnomalyForest {
        Objects.requireNonNull(forest, "forest");
        Objects.requireNonNull(id, "id");
        featureMedian = featureMedian.clone();
        featureScale = featureScale.clone();
        int n = WindowFeatures.NAMES.size();
        if (featureMedian.length != n || featureScale.length != n) {
            throw new IllegalArgumentException("feature statistics must have " + n + " entries");
        }
        if (!(lowThreshold > 0 && lowThreshold <= mediumThreshold && mediumThreshold < 1)) {
            throw new IllegalArgumentException("thresholds must satisfy 0 < low <= medium < 1");
        }
    }

    /** Anomaly score in (0, 1): above 0.5 is shorter-than-average isolation, i.e. unusual. */
    public double score(double[] features) {
        return forest.score(features);
    }

    /**
     * The {@code k} features furthest from their training median, in units of the training
     * interquartile range, most unusual first.
     */
    public List<Integer> mostUnusual(double[] features, int k) {
        Integer[] order = new Integer[features.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(deviation(features, b), deviation(features, a)));
        List<Integer> top = new ArrayList<>(k);
        for (int i = 0; i < Math.min(k, order.length); i++) {
            top.add(order[i]);
        }
        return top;
    }

    /** |x - median| / IQR of feature {@code i}. */
    public double deviation(double[] features, int i) {
        return Math.abs(features[i] - featureMedian[i]) / featureScale[i];
    }

    /**
     * Loads a verified version of {@value #MODEL_NAME}: checks that its feature definition is
     * {@link WindowFeatures#VERSION} with the same feature names, then reads the forest.
     *
     * @throws InferenceException when the card does not match what this service computes, or the
     *     forest cannot be read
     */
    public static AnomalyForest load(ResolvedModel model) {
        JsonNode card = model.card().json();
        String featureVersion = card.path("feature_version").asText("");
        if (!featureVersion.equals(WindowFeatures.VERSION)) {
            throw new InferenceException(model.id() + " was trained on features '" + featureVersion
                    + "' but this service computes '" + WindowFeatures.VERSION + "'; retrain it");
        }
        List<String> names = new ArrayList<>();
        card.path("features").forEach(f -> names.add(f.asText()));
        if (!names.equals(WindowFeatures.NAMES)) {
            throw new InferenceException(model.id() + " lists features " + names + ", this service computes "
                    + WindowFeatures.NAMES + "; retrain it");
        }
        double low = card.path("thresholds").path("low").asDouble(Double.NaN);
        double medium = card.path("thresholds").path("medium").asDouble(Double.NaN);
        long resolution = card.path("resolution_minutes").asLong(-1) * 60_000L;
        if (resolution <= 0) {
            throw new InferenceException(model.id() + " has no positive resolution_minutes on its card");
        }
        IsolationForest forest = read(model.artifact(ARTIFACT));
        try {
            return new AnomalyForest(forest, model.id(), resolution, low, medium, doubles(card.path("feature_median")),
                    doubles(card.path("feature_scale")));
        } catch (IllegalArgumentException e) {
            throw new InferenceException(model.id() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a forest the way {@link #load} reads it. */
    public static void write(IsolationForest forest, Path file) {
        try (OutputStream out = Files.newOutputStream(file); ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(forest);
        } catch (IOException e) {
            throw new InferenceException("cannot write the forest to " + file + ": " + e, e);
        }
    }

    /** Reads a forest written by {@link #write}, admitting nothing but isolation-forest classes. */
    public static IsolationForest read(Path file) {
        try (InputStream in = Files.newInputStream(file); ObjectInputStream ois = new ObjectInputStream(in)) {
            ois.setObjectInputFilter(ONLY_FOREST);
            return (IsolationForest) ois.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new InferenceException("cannot read the isolation forest " + file + ": " + e, e);
        }
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    @Override
    public double[] featureMedian() {
        return featureMedian.clone();
    }

    @Override
    public double[] featureScale() {
        return featureScale.clone();
    }
}
