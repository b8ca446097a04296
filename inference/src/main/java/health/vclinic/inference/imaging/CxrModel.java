package health.vclinic.inference.imaging;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.inference.InferenceException;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import health.vclinic.models.VersionCard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The chest X-ray pneumonia model as served: the DJL network (PyTorch engine, CPU) with the
 * preprocessing and calibration its card records. Loading checks that this code implements the
 * card's architecture and preprocessing, so a model is never served with inputs prepared differently
 * from training.
 *
 * <p>The model itself is thread safe; a {@link Predictor} from {@link #newPredictor()} is not, and
 * each thread that predicts uses its own (or, as in the service, one thread owns one).
 */
public final class CxrModel implements AutoCloseable {

    /** The model's name in the repository. */
    public static final String NAME = "cxr-pneumonia";
    /** The format its cards declare: a DJL parameter file for a block built by {@link CxrArchitecture}. */
    public static final String FORMAT = "djl-pytorch";
    /** What it finds. */
    public static final String FINDING = "pneumonia";

    private final String id;
    private final Model model;
    private final CxrArchitecture architecture;
    private final CxrPreprocessing preprocessing;
    private final CxrCalibration calibration;

    private CxrModel(String id, Model model, CxrArchitecture architecture, CxrPreprocessing preprocessing,
                     CxrCalibration calibration) {
        this.id = id;
        this.model = model;
        this.architecture = architecture;
        this.preprocessing = preprocessing;
        this.calibration = calibration;
    }

    /**
     * Loads a resolved version of {@code cxr-pneumonia}; the parameter file is hashed again as it is
     * read, so the bytes loaded are the bytes the card lists.
     *
     * @throws InferenceException when the card names an unknown format, architecture or preprocessing,
     *     or the parameters do not load
     */
    public static CxrModel load(ResolvedModel resolved) {
        String where = resolved.id();
        if (!resolved.format().orElse("").equals(FORMAT)) {
            throw new InferenceException(where + " has format " + resolved.format().orElse("(none)")
                    + "; this service serves " + FORMAT);
        }
        JsonNode card = resolved.card().json();
        VersionCard.Artifact params = resolved.card().artifacts().stream().filter(a -> a.path().endsWith(".params"))
                .findFirst().orElseThrow(() -> new InferenceException(where + " lists no .params artifact"));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(resolved.artifact(params.path()));
        } catch (IOException e) {
            throw new InferenceException(where + ": cannot read " + params.path(), e);
        }
        if (!Sha256.sha256(bytes).equals(params.sha256())) {
            throw new InferenceException(where + ": " + params.path() + " changed after it was verified");
        }
        return of(where, bytes, architecture(card, where), preprocessing(card, where), calibration(card, where));
    }

    /**
     * A model from parameter bytes in DJL's format, as training holds them before publishing.
     *
     * @param id how predictions name the model, e.g. {@code cxr-pneumonia@3}
     */
    public static CxrModel of(String id, byte[] params, CxrArchitecture architecture, CxrPreprocessing preprocessing,
                              CxrCalibration calibration) {
        Objects.requireNonNull(id, "id");
        Model model = Model.newInstance(NAME, Device.cpu(), "PyTorch");
        try {
            model.setBlock(architecture.block());
            model.load(new ByteArrayInputStream(params), java.util.Map.of());
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new InferenceException(id + ": the parameters do not fit the " + architecture.channels()
                    + " architecture its card names", e);
        }
        return new CxrModel(id, model, architecture, preprocessing, calibration);
    }

    /**
     * Sets PyTorch's intra-op thread count for this process. Serving gives the model a share of the
     * cores, not all of them: image decoding and gRPC need the rest, and OpenMP threads that spin
     * while another process holds their core stall every small batch (measured here on 2 shared
     * cores: 1 thread served 1,200 images/s, 2 threads a tenth of that at batch size 1).
     *
     * @param threads at least 1
     */
    public static void intraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least one thread");
        }
        Engine.getEngine("PyTorch");
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    /** A predictor: one logit per standardised input of {@code side²} floats, in DJL batches. */
    public Predictor<float[], Float> newPredictor() {
        return model.newPredictor(new LogitTranslator(preprocessing.inputSize()));
    }

    /**
     * Logits for many inputs with one predictor, {@code chunk} at a time (bounds native memory).
     *
     * @throws InferenceException when the engine fails
     */
    public static float[] logits(Predictor<float[], Float> predictor, List<float[]> inputs, int chunk) {
        float[] out = new float[inputs.size()];
        try {
            for (int from = 0; from < inputs.size(); from += chunk) {
                List<Float> logits = predictor.batchPredict(inputs.subList(from, Math.min(inputs.size(), from + chunk)));
                for (int i = 0; i < logits.size(); i++) {
                    out[from + i] = logits.get(i);
                }
            }
        } catch (ai.djl.translate.TranslateException e) {
            throw new InferenceException("the chest X-ray model failed to run", e);
        }
        return out;
    }

    /** {@code name@version}. */
    public String id() {
        return id;
    }

    public CxrArchitecture architecture() {
        return architecture;
    }

    public CxrPreprocessing preprocessing() {
        return preprocessing;
    }

    public CxrCalibration calibration() {
        return calibration;
    }

    @Override
    public void close() {
        model.close();
    }

    private static CxrArchitecture architecture(JsonNode card, String where) {
        JsonNode a = section(card, "architecture", CxrArchitecture.ID, where);
        List<Integer> channels = new ArrayList<>();
        a.path("channels").forEach(c -> channels.add(c.asInt()));
        try {
            return new CxrArchitecture(channels, (float) a.path("dropout").asDouble(0));
        } catch (IllegalArgumentException e) {
            throw new InferenceException(where + ": invalid architecture in its card: " + e.getMessage(), e);
        }
    }

    private static CxrPreprocessing preprocessing(JsonNode card, String where) {
        JsonNode p = section(card, "preprocessing", CxrPreprocessing.ID, where);
        try {
            return new CxrPreprocessing(p.path("input_size").asInt(), (float) p.path("mean").asDouble(Double.NaN),
                    (float) p.path("std").asDouble(Double.NaN));
        } catch (IllegalArgumentException e) {
            throw new InferenceException(where + ": invalid preprocessing in its card: " + e.getMessage(), e);
        }
    }

    private static CxrCalibration calibration(JsonNode card, String where) {
        try {
            return new CxrCalibration(card.path("calibration").path("temperature").asDouble(Double.NaN),
                    card.path("operating_point").path("threshold").asDouble(Double.NaN));
        } catch (IllegalArgumentException e) {
            throw new InferenceException(where + ": invalid calibration or operating point in its card: "
                    + e.getMessage(), e);
        }
    }

    private static JsonNode section(JsonNode card, String field, String expectedId, String where) {
        JsonNode section = card.path(field);
        String actual = section.path("id").asText("");
        if (!actual.equals(expectedId)) {
            throw new InferenceException(where + ": its card names " + field + " '" + actual
                    + "', but this service implements '" + expectedId + "'; serve it with the code that trained it");
        }
        return section;
    }

    /** One standardised image in, its logit out; DJL stacks images into a batch and splits the logits. */
    private record LogitTranslator(int side) implements Translator<float[], Float> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] input) {
            return new NDList(ctx.getNDManager().create(input, new Shape(1, side, side)));
        }

        @Override
        public Float processOutput(TranslatorContext ctx, NDList list) {
            NDArray logit = list.singletonOrThrow();
            return logit.getFloat(0);
        }

        @Override
        public Batchifier getBatchifier() {
            return Batchifier.STACK;
        }
    }
}
