package health.vclinic.inference.monitoring;

import health.vclinic.models.ModelRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The trained models remote monitoring can use, loaded from the model repository: the anomaly forest
 * ({@value AnomalyForest#MODEL_NAME}) and the ECG beat model ({@value EcgBeatModel#MODEL_NAME}). A model
 * missing from the repository leaves its detector off (and {@link #notes()} says so); a model that is
 * present but broken fails loudly, as the repository never quietly serves an older version.
 *
 * @param forest the anomaly forest, when the repository has one
 * @param beats the ECG beat model, when the repository has one; closed with this
 * @param notes which detectors are off and why
 */
public record MonitoringModels(Optional<AnomalyForest> forest, Optional<EcgBeatModel> beats, List<String> notes)
        implements AutoCloseable {

    public MonitoringModels {
        notes = List.copyOf(notes);
    }

    /** No models: NEWS2, trends and signal gating only. */
    public static MonitoringModels none() {
        return new MonitoringModels(Optional.empty(), Optional.empty(), List.of("no model repository given"));
    }

    /**
     * Loads both models when present.
     *
     * @param predictors ECG predictors to pool (concurrent beat classifications)
     */
    public static MonitoringModels load(ModelRepository repository, int predictors) {
        List<String> notes = new ArrayList<>();
        Optional<AnomalyForest> forest = Optional.empty();
        if (repository.names().contains(AnomalyForest.MODEL_NAME)) {
            forest = Optional.of(AnomalyForest.load(repository.resolve(AnomalyForest.MODEL_NAME)));
        } else {
            notes.add("anomaly detector off: no " + AnomalyForest.MODEL_NAME + " in " + repository.root());
        }
        Optional<EcgBeatModel> beats = Optional.empty();
        if (repository.names().contains(EcgBeatModel.MODEL_NAME)) {
            beats = Optional.of(EcgBeatModel.load(repository.resolve(EcgBeatModel.MODEL_NAME), predictors));
        } else {
            notes.add("ECG beat detector off: no " + EcgBeatModel.MODEL_NAME + " in " + repository.root());
        }
        return new MonitoringModels(forest, beats, notes);
    }

    /** The standard detectors over these models. */
    public List<Detector<?>> detectors(MonitoringConfig config) {
        return MonitoringEngine.standardDetectors(config, forest, beats.map(b -> b));
    }

    @Override
    public void close() {
        beats.ifPresent(EcgBeatModel::close);
    }
}
