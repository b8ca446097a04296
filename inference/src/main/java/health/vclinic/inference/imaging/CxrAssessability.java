package health.vclinic.inference.imaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.datasets.imaging.MedMnist;
import health.vclinic.inference.InferenceException;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether an image is one the chest X-ray model was made for, before the model reads it. A
 * classifier answers every input with a confident-looking probability, including inputs unlike its
 * training data (Hendrycks and Gimpel, "A Baseline for Detecting Misclassified and Out-of-Distribution
 * Examples", ICLR 2017); an all-black image scored "pneumonia" at 0.9999998. So three checks run on the
 * same 28 × 28 centre square the model sees ({@link CxrPreprocessing#centreSquare}):
 *
 * <ol>
 *   <li><b>uniform</b>: a standard deviation under {@link #MIN_STD} (2 grey levels) has nothing to read;
 *       the lowest among the 4,708 training films is 0.025 (6 levels);</li>
 *   <li><b>out of distribution</b>: the Mahalanobis distance (Lee et al., NeurIPS 2018, on simple image
 *       statistics rather than network features) of five statistics from their training mean and
 *       covariance: mean grey, contrast (standard deviation), the correlation with the training films'
 *       mean image (where the lungs, mediastinum and diaphragm lie), edge density (mean absolute
 *       neighbour difference over contrast: noise is high, smooth gradients low), left-right mirror
 *       correlation, and the residual after projecting the image on the training films' first
 *       {@link #COMPONENTS} principal components (a chest film is well described by them, a photo or
 *       a random blob is not: the reconstruction-error score of PCA novelty detection). The threshold
 *       is the {@link Profile#quantile()} quantile of the training films' own distances;</li>
 *   <li><b>inverted</b>: an out-of-distribution image whose negative would pass is reported as inverted,
 *       so the caller knows what to fix.</li>
 * </ol>
 *
 * <p>The profile is fitted on the PneumoniaMNIST training split by {@link #fit} and committed as a
 * resource ({@link #RESOURCE}); its test re-fits it and checks the resource is unchanged, then measures
 * the false "not assessable" rate on the held-out validation and test films and the catch rate on
 * synthetic non-chest images.
 */
public final class CxrAssessability {

    /** Names this gate's algorithm in the profile. */
    public static final String ID = "chest-film-statistics/1";
    /** The side of the square the statistics are computed on: the model's input side. */
    public static final int SIDE = 28;
    /** Below this standard deviation (grey levels / 255) an image is uniform. */
    public static final double MIN_STD = 2.0 / 255;
    /** The committed profile, on the classpath. */
    public static final String RESOURCE = "/health/vclinic/inference/imaging/cxr-assessability.json";
    /** The training quantile of the distance above which an image is refused. */
    public static final double DEFAULT_QUANTILE = 0.995;

    /** Principal components of the training films kept for the reconstruction residual. */
    public static final int COMPONENTS = 10;

    private static final int FEATURES = 6;
    /** Subspace iterations for the principal components: fixed, so a fit is deterministic. */
    private static final int ITERATIONS = 200;
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The fitted statistics of the training films.
     *
     * @param id {@link #ID}
     * @param data the data set and split it was fitted on
     * @param dataSha256 the sha256 of that data file
     * @param quantile the training quantile the threshold sits at
     * @param meanImage the mean training film, {@code SIDE²} values on the [0, 1] scale
     * @param components the first {@link #COMPONENTS} principal components of the training films,
     *     orthonormal, each {@code SIDE²} values (stored at float precision)
     * @param featureMean the mean of the six statistics
     * @param covariance their covariance
     * @param threshold the Mahalanobis distance above which an image is refused
     */
    public record Profile(String id, String data, String dataSha256, double quantile, double[] meanImage,
                          float[][] components, double[] featureMean, double[][] covariance, double threshold) {
        public Profile {
            if (!ID.equals(id)) {
                throw new IllegalArgumentException("profile id must be " + ID + ", not " + id);
            }
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(dataSha256, "dataSha256");
            if (meanImage.length != SIDE * SIDE || featureMean.length != FEATURES || covariance.length != FEATURES
                    || Arrays.stream(covariance).anyMatch(row -> row.length != FEATURES)
                    || components.length != COMPONENTS || Arrays.stream(components).anyMatch(c -> c.length != SIDE * SIDE)) {
                throw new IllegalArgumentException("a profile has a " + SIDE + "x" + SIDE + " mean image, "
                        + COMPONENTS + " components and " + FEATURES + " statistics");
            }
            if (!(threshold > 0) || !(quantile > 0 && quantile < 1)) {
                throw new IllegalArgumentException("the threshold must be positive and the quantile in (0, 1)");
            }
            meanImage = meanImage.clone();
            components = Arrays.stream(components).map(float[]::clone).toArray(float[][]::new);
            featureMean = featureMean.clone();
            covariance = Arrays.stream(covariance).map(double[]::clone).toArray(double[][]::new);
        }
    }

    private final Profile profile;
    private final float[][] components;
    private final double[] centredMean;
    private final double centredMeanNorm;
    private final double[][] inverse;

    private CxrAssessability(Profile profile) {
        this.profile = profile;
        this.components = profile.components();
        double m = Arrays.stream(profile.meanImage()).sum() / profile.meanImage().length;
        this.centredMean = Arrays.stream(profile.meanImage()).map(v -> v - m).toArray();
        this.centredMeanNorm = Math.sqrt(Arrays.stream(centredMean).map(v -> v * v).sum());
        this.inverse = invert(profile.covariance());
    }

    /** The gate with a given profile. */
    public static CxrAssessability of(Profile profile) {
        return new CxrAssessability(Objects.requireNonNull(profile, "profile"));
    }

    /** The gate with the committed profile ({@link #RESOURCE}). */
    public static CxrAssessability standard() {
        return Standard.INSTANCE;
    }

    private static final class Standard {
        static final CxrAssessability INSTANCE = load();

        private static CxrAssessability load() {
            try (InputStream in = CxrAssessability.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new InferenceException("the chest film profile " + RESOURCE + " is missing from the build");
                }
                return of(JSON.readValue(in, Profile.class));
            } catch (IOException | IllegalArgumentException e) {
                throw new InferenceException("the chest film profile " + RESOURCE + " does not load", e);
            }
        }
    }

    public Profile profile() {
        return profile;
    }

    /** Empty when the model may read {@code study}; otherwise why not. */
    public Optional<NotAssessable> assess(ImageStudy study) {
        double[] x = pixels(study);
        double[] f = features(x);
        if (f[1] < MIN_STD) {
            return Optional.of(new NotAssessable(NotAssessable.Reason.UNIFORM, String.format(Locale.ROOT,
                    "the image is blank or uniform (contrast %.1f grey levels, at least %.0f needed)", f[1] * 255,
                    MIN_STD * 255), 0, profile.threshold()));
        }
        double score = distance(f);
        if (score <= profile.threshold()) {
            return Optional.empty();
        }
        double negative = distance(features(Arrays.stream(x).map(v -> 1 - v).toArray()));
        if (negative <= profile.threshold()) {
            return Optional.of(new NotAssessable(NotAssessable.Reason.INVERTED, "the image looks like a chest film"
                    + " with inverted grey levels (a negative); send it with bone white and air black", score,
                    profile.threshold()));
        }
        return Optional.of(new NotAssessable(NotAssessable.Reason.NOT_A_CHEST_FILM, String.format(Locale.ROOT,
                "the image does not look like a frontal chest X-ray (out-of-distribution score %.1f, above %.1f)",
                score, profile.threshold()), score, profile.threshold()));
    }

    /** The out-of-distribution score of {@code study}: the Mahalanobis distance of its statistics. */
    public double score(ImageStudy study) {
        return distance(features(pixels(study)));
    }

    /**
     * Fits the profile on training films: the mean image, the statistics' mean and covariance, and the
     * {@code quantile} of the films' own distances (nearest rank). Deterministic.
     */
    public static Profile fit(List<ImageStudy> train, double quantile, String data, String dataSha256) {
        if (train.size() < 2 * FEATURES) {
            throw new IllegalArgumentException("fitting needs at least " + 2 * FEATURES + " images");
        }
        List<double[]> images = train.stream().map(CxrAssessability::pixels).toList();
        double[] meanImage = new double[SIDE * SIDE];
        images.forEach(x -> {
            for (int i = 0; i < x.length; i++) {
                meanImage[i] += x[i];
            }
        });
        for (int i = 0; i < meanImage.length; i++) {
            meanImage[i] /= images.size();
        }
        float[][] components = principalComponents(images, meanImage);
        // The statistics need the mean image and components first, so fit in two passes.
        double[][] identity = new double[FEATURES][FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            identity[i][i] = 1;
        }
        CxrAssessability withMean = new CxrAssessability(new Profile(ID, data, dataSha256, quantile, meanImage,
                components, new double[FEATURES], identity, 1));
        List<double[]> features = images.stream().map(withMean::features).toList();
        double[] mean = new double[FEATURES];
        features.forEach(f -> {
            for (int i = 0; i < FEATURES; i++) {
                mean[i] += f[i] / features.size();
            }
        });
        double[][] covariance = new double[FEATURES][FEATURES];
        for (double[] f : features) {
            for (int i = 0; i < FEATURES; i++) {
                for (int j = 0; j < FEATURES; j++) {
                    covariance[i][j] += (f[i] - mean[i]) * (f[j] - mean[j]) / (features.size() - 1);
                }
            }
        }
        CxrAssessability fitted = new CxrAssessability(new Profile(ID, data, dataSha256, quantile, meanImage,
                components, mean, covariance, 1));
        double[] distances = features.stream().mapToDouble(fitted::distance).sorted().toArray();
        double threshold = distances[(int) Math.ceil(quantile * distances.length) - 1];
        return new Profile(ID, data, dataSha256, quantile, meanImage, components, mean, covariance, threshold);
    }

    /**
     * The leading principal components of the centred images, by subspace iteration on their covariance
     * from a seeded start (Golub and Van Loan, Matrix Computations, 4th ed., section 8.2.4), with a
     * fixed number of iterations so the result is the same on every run.
     */
    private static float[][] principalComponents(List<double[]> images, double[] meanImage) {
        int d = meanImage.length;
        double[][] covariance = new double[d][d];
        double[] centred = new double[d];
        for (double[] x : images) {
            for (int i = 0; i < d; i++) {
                centred[i] = x[i] - meanImage[i];
            }
            for (int i = 0; i < d; i++) {
                double ci = centred[i];
                double[] row = covariance[i];
                for (int j = i; j < d; j++) {
                    row[j] += ci * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                covariance[i][j] /= images.size() - 1;
                covariance[j][i] = covariance[i][j];
            }
        }
        java.util.Random random = new java.util.Random(SIDE * SIDE);
        double[][] q = new double[COMPONENTS][d];
        for (double[] v : q) {
            for (int i = 0; i < d; i++) {
                v[i] = random.nextGaussian();
            }
        }
        orthonormalise(q);
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            double[][] z = new double[COMPONENTS][d];
            for (int k = 0; k < COMPONENTS; k++) {
                for (int i = 0; i < d; i++) {
                    double sum = 0;
                    double[] row = covariance[i];
                    for (int j = 0; j < d; j++) {
                        sum += row[j] * q[k][j];
                    }
                    z[k][i] = sum;
                }
            }
            orthonormalise(z);
            q = z;
        }
        float[][] out = new float[COMPONENTS][d];
        for (int k = 0; k < COMPONENTS; k++) {
            for (int i = 0; i < d; i++) {
                out[k][i] = (float) q[k][i];
            }
        }
        return out;
    }

    /** Modified Gram-Schmidt, in place. */
    private static void orthonormalise(double[][] vectors) {
        for (int k = 0; k < vectors.length; k++) {
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (int i = 0; i < vectors[k].length; i++) {
                    dot += vectors[k][i] * vectors[j][i];
                }
                for (int i = 0; i < vectors[k].length; i++) {
                    vectors[k][i] -= dot * vectors[j][i];
                }
            }
            double norm = Math.sqrt(Arrays.stream(vectors[k]).map(v -> v * v).sum());
            for (int i = 0; i < vectors[k].length; i++) {
                vectors[k][i] /= norm;
            }
        }
    }

    /** The profile as the committed resource holds it. */
    public static String toJson(Profile profile) {
        try {
            return JSON.writeValueAsString(profile) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a profile always serialises", e);
        }
    }

    /** Fits on the PneumoniaMNIST training split of {@code npz}. */
    public static Profile fitPneumoniaMnist(Path npz) throws IOException {
        List<ImageStudy> train = MedMnist.readPneumonia(npz).split(MedMnist.Split.TRAIN).stream()
                .map(l -> l.study()).toList();
        return fit(train, DEFAULT_QUANTILE, "MedMNIST v2 PneumoniaMNIST, train split (4,708 films)",
                Sha256.sha256(npz));
    }

    /**
     * Re-fits the committed profile: {@code args[0]} the PneumoniaMNIST {@code .npz}, {@code args[1]}
     * where to write the JSON (the resource under {@code inference/src/main/resources}).
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: CxrAssessability <pneumoniamnist.npz> <output.json>");
        }
        Files.writeString(Path.of(args[1]), toJson(fitPneumoniaMnist(Path.of(args[0]))));
    }

    /** The centre square at {@link #SIDE}², on the [0, 1] scale. */
    private static double[] pixels(ImageStudy study) {
        byte[] square = CxrPreprocessing.centreSquare(study, SIDE);
        double[] x = new double[square.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Byte.toUnsignedInt(square[i]) / 255.0;
        }
        return x;
    }

    /**
     * Mean, standard deviation, correlation with the mean film, edge density, mirror correlation, and
     * the norm of what the principal components leave unexplained.
     */
    private double[] features(double[] x) {
        double mean = Arrays.stream(x).sum() / x.length;
        double sumSq = 0;
        double dot = 0;
        for (int i = 0; i < x.length; i++) {
            sumSq += (x[i] - mean) * (x[i] - mean);
            dot += (x[i] - mean) * centredMean[i];
        }
        double std = Math.sqrt(sumSq / x.length);
        if (sumSq == 0) {
            return new double[] {mean, 0, 0, 0, 0, 0};
        }
        double correlation = dot / (Math.sqrt(sumSq) * centredMeanNorm);
        double edges = 0;
        double mirror = 0;
        for (int y = 0; y < SIDE; y++) {
            for (int c = 0; c < SIDE; c++) {
                double v = x[y * SIDE + c];
                if (c + 1 < SIDE) {
                    edges += Math.abs(x[y * SIDE + c + 1] - v) / (SIDE * (SIDE - 1));
                }
                if (y + 1 < SIDE) {
                    edges += Math.abs(x[(y + 1) * SIDE + c] - v) / (SIDE * (SIDE - 1));
                }
                mirror += (v - mean) * (x[y * SIDE + SIDE - 1 - c] - mean);
            }
        }
        return new double[] {mean, std, correlation, edges / std, mirror / sumSq, residual(x)};
    }

    private double residual(double[] x) {
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i] - profile.meanImage()[i];
        }
        for (float[] c : components) {
            double dot = 0;
            for (int i = 0; i < r.length; i++) {
                dot += r[i] * c[i];
            }
            for (int i = 0; i < r.length; i++) {
                r[i] -= dot * c[i];
            }
        }
        return Math.sqrt(Arrays.stream(r).map(v -> v * v).sum());
    }

    private double distance(double[] f) {
        double[] d = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            d[i] = f[i] - profile.featureMean()[i];
        }
        double sum = 0;
        for (int i = 0; i < FEATURES; i++) {
            for (int j = 0; j < FEATURES; j++) {
                sum += d[i] * inverse[i][j] * d[j];
            }
        }
        return Math.sqrt(Math.max(0, sum));
    }

    /** Gauss-Jordan elimination with partial pivoting; a covariance of real films is well conditioned. */
    private static double[][] invert(double[][] matrix) {
        int n = matrix.length;
        double[][] a = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix[i], 0, a[i], 0, n);
            a[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(a[pivot][col]) < 1e-15) {
                throw new IllegalArgumentException("the covariance of the profile is singular");
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            double p = a[col][col];
            for (int k = 0; k < 2 * n; k++) {
                a[col][k] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != col && a[r][col] != 0) {
                    double factor = a[r][col];
                    for (int k = 0; k < 2 * n; k++) {
                        a[r][k] -= factor * a[col][k];
                    }
                }
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], n, inverse[i], 0, n);
        }
        return inverse;
    }
}
