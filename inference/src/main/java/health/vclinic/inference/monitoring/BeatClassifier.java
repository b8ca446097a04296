package health.vclinic.inference.monitoring;

import health.vclinic.datasets.monitoring.EcgBeat;
import java.util.List;

/** Classifies single heartbeats. Implementations are thread-safe and must be closed. */
public interface BeatClassifier extends AutoCloseable {

    /** {@code name@version} of the model, reported with every alert. */
    String id();

    BeatPrediction classify(EcgBeat beat);

    /** Classifies many beats at once (faster per beat), in order. */
    List<BeatPrediction> classify(List<EcgBeat> beats);

    @Override
    void close();
}
