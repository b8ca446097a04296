package health.vclinic.inference.monitoring;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.datasets.monitoring.EcgBeat;
import health.vclinic.inference.InferenceException;
import health.vclinic.models.ResolvedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The {@code ecg-beat} model served through DJL on PyTorch: {@link Criteria} names the model
 * directory, the {@link EcgBeatNet} block and the {@link EcgBeatTranslator}; the loaded
 * {@link ZooModel} hands out {@link Predictor}s. A predictor is not thread-safe, so this keeps a small
 * pool of them and lends one per call; the model itself is shared.
 *
 * <p>Layout of a version directory: {@code model.json} (the card, which names the architecture) and
 * {@code ecg-beat-0000.params} (DJL's parameter file, written by {@code vclinic train ecg-beat}).
 */
public final class EcgBeatModel implements BeatClassifier {

    /** The model's name in the repository, and the parameter file prefix. */
    public static final String MODEL_NAME = "ecg-beat";
    /** The parameter file in a version directory. */
    public static final String PARAMS_FILE = MODEL_NAME + "-0000.params";
    /** The format named on the card. */
    public static final String FORMAT = "djl-pytorch";

    private static final int BATCH = 256;

    private final String id;
    private final ZooModel<EcgBeat, BeatPrediction> model;
    private final BlockingQueue<Predictor<EcgBeat, BeatPrediction>> predictors;
    private final List<Predictor<EcgBeat, BeatPrediction>> all;

    private EcgBeatModel(String id, ZooModel<EcgBeat, BeatPrediction> model, int poolSize) {
        this.id = id;
        this.model = model;
        this.predictors = new ArrayBlockingQueue<>(poolSize);
        this.all = new ArrayList<>(poolSize);
        for (int i = 0; i < poolSize; i++) {
            Predictor<EcgBeat, BeatPrediction> p = model.newPredictor();
            all.add(p);
            predictors.add(p);
        }
    }

    /**
     * Loads a verified version of {@value #MODEL_NAME}.
     *
     * @param poolSize predictors to keep (calls beyond it wait for one); at least 1
     * @throws InferenceException when the card names another architecture or DJL cannot load it
     */
    public static EcgBeatModel load(ResolvedModel resolved, int poolSize) {
        JsonNode card = resolved.card().json();
        String architecture = card.path("architecture").asText("");
        if (!architecture.equals(EcgBeatNet.ARCHITECTURE)) {
            throw new InferenceException(resolved.id() + " has architecture '" + architecture + "', this service builds '"
                    + EcgBeatNet.ARCHITECTURE + "'");
        }
        return load(resolved.directory(), resolved.id(), poolSize);
    }

    /** Loads a DJL model directory holding {@code ecg-beat-NNNN.params} (training and tests use this). */
    public static EcgBeatModel load(Path modelDir, String id, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("the predictor pool needs at least one predictor");
        }
        Criteria<EcgBeat, BeatPrediction> criteria = Criteria.builder()
                .setTypes(EcgBeat.class, BeatPrediction.class)
                .optModelPath(modelDir)
                .optModelName(MODEL_NAME)
                .optEngine("PyTorch")
                .optBlock(EcgBeatNet.build())
                .optTranslator(new EcgBeatTranslator())
                .build();
        try {
            return new EcgBeatModel(id, criteria.loadModel(), poolSize);
        } catch (ModelNotFoundException | MalformedModelException | IOException e) {
            throw new InferenceException("cannot load the ECG beat model " + id + " from " + modelDir + ": " + e, e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BeatPrediction classify(EcgBeat beat) {
        Predictor<EcgBeat, BeatPrediction> p = borrow();
        try {
            return p.predict(beat);
        } catch (TranslateException e) {
            throw new InferenceException("the ECG beat model failed on a beat: " + e.getClass().getSimpleName(), e);
        } finally {
            predictors.add(p);
        }
    }

    @Override
    public List<BeatPrediction> classify(List<EcgBeat> beats) {
        List<BeatPrediction> out = new ArrayList<>(beats.size());
        Predictor<EcgBeat, BeatPrediction> p = borrow();
        try {
            for (int from = 0; from < beats.size(); from += BATCH) {
                out.addAll(p.batchPredict(beats.subList(from, Math.min(beats.size(), from + BATCH))));
            }
            return out;
        } catch (TranslateException e) {
            throw new InferenceException("the ECG beat model failed on a batch: " + e.getClass().getSimpleName(), e);
        } finally {
            predictors.add(p);
        }
    }

    private Predictor<EcgBeat, BeatPrediction> borrow() {
        try {
            return predictors.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException("interrupted while waiting for an ECG predictor", e);
        }
    }

    @Override
    public void close() {
        all.forEach(Predictor::close);
        model.close();
    }
}
