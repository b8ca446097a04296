package health.vclinic.inference.monitoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import health.vclinic.datasets.monitoring.EcgBeat;

/**
 * Beats in, class probabilities out. Each beat is z-normalised on its own (mean 0, standard deviation
 * 1), as the UCR archive prepares ECG5000, so the model does not depend on a device's gain or offset;
 * training calls the same {@link #normalise} so serving cannot drift from it. Beats are stacked into a
 * batch of shape (N, 1, 140); the logits are turned into probabilities with a softmax.
 */
public final class EcgBeatTranslator implements Translator<EcgBeat, BeatPrediction> {

    /** Below this standard deviation a beat is a flat line (electrode off): scaled by 1 instead. */
    static final double FLAT = 1e-6;

    @Override
    public NDList processInput(TranslatorContext ctx, EcgBeat input) {
        float[] x = new float[EcgBeat.LENGTH];
        input.copyTo(x, 0);
        normalise(x, 0);
        return new NDList(ctx.getNDManager().create(x, new Shape(1, EcgBeat.LENGTH)));
    }

    @Override
    public BeatPrediction processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.singletonOrThrow();
        return new BeatPrediction(logits.softmax(-1).toFloatArray());
    }

    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }

    /** Z-normalises the {@code EcgBeat.LENGTH} points of {@code x} starting at {@code offset}, in place. */
    public static void normalise(float[] x, int offset) {
        double sum = 0;
        double sumSq = 0;
        for (int i = offset; i < offset + EcgBeat.LENGTH; i++) {
            sum += x[i];
            sumSq += (double) x[i] * x[i];
        }
        double mean = sum / EcgBeat.LENGTH;
        double std = Math.sqrt(Math.max(0, sumSq / EcgBeat.LENGTH - mean * mean));
        double scale = std < FLAT ? 1 : std;
        for (int i = offset; i < offset + EcgBeat.LENGTH; i++) {
            x[i] = (float) ((x[i] - mean) / scale);
        }
    }
}
