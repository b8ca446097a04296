package health.vclinic.api.triage;

import health.vclinic.inference.InferenceException;
import health.vclinic.inference.MissingModel;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ModelRepositoryException;
import health.vclinic.models.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine {@code serve} and {@code assess} run: the shipped red-flag rules, fused with the served
 * version of {@code triage-acuity} from {@code <project root>/models/repository} (the highest version
 * unless its card pins one, sha256 checked).
 *
 * <p>The model is part of what the service is: on the external test site the rules alone miss 106 of
 * 160 emergencies, the rules with the model 4. So a model that is absent or cannot be served (a
 * tampered file, features this build cannot compute) stops the start-up, unless the operator asks for
 * degraded mode: then the service runs on the rules alone, readiness and {@code /metrics} name the
 * missing model, and every answer says {@code degraded} and asks for a clinician's review.
 */
public final class ServedEngine {

    static final String MODEL = OnnxTriageModel.TASK;

    private ServedEngine() {
    }

    /** The project root (see {@link ProjectRoot}). */
    public static Path projectRoot() {
        return ProjectRoot.path();
    }

    /**
     * @param say receives one line saying what is served
     * @param allowDegraded run on the rules alone, visibly, when the model cannot be served
     * @throws ModelUnavailableException when the model is absent or unusable and degraded mode is not allowed
     */
    public static TriageEngine load(Path projectRoot, Consumer<String> say, boolean allowDegraded) {
        RedFlagRules rules = RedFlagRules.standard();
        try {
            OnnxTriageModel model = OnnxTriageModel.load(repository(projectRoot).resolve(MODEL), rules);
            say.accept("triage model " + model.id() + " (" + model.spec().featureNames().size() + " features, "
                    + (model.answersInClosedForm() ? "answered in closed form from its ONNX weights, checked against"
                    + " ONNX Runtime on 1 call in " + OnnxTriageModel.SHADOW_EVERY : "run by ONNX Runtime")
                    + ") fused with the rules: it can raise a level, never lower a rule's floor");
            return new TriageEngine(rules, Optional.of(model));
        } catch (ModelRepositoryException | InferenceException e) {
            if (!allowDegraded) {
                throw new ModelUnavailableException(MODEL + " cannot be served: " + e.getMessage()
                        + "; fix the model repository, or start with --allow-degraded to run on the rules alone"
                        + " (every answer is then marked degraded and asks for a clinician's review)", e);
            }
            MissingModel missing = new MissingModel(MODEL, e.getMessage());
            say.accept("DEGRADED: " + missing + "; triage by the rules alone (NEWS2, red flags, floors), every answer"
                    + " marked degraded and needing a clinician's review");
            return new TriageEngine(rules).degraded(List.of(missing));
        }
    }

    private static ModelRepository repository(Path projectRoot) {
        Path root = projectRoot.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT);
        if (!Files.isDirectory(root)) {
            throw new ModelRepositoryException("no model repository at " + root);
        }
        ModelRepository repository = ModelRepository.open(root);
        if (!repository.names().contains(MODEL) || repository.versions(MODEL).isEmpty()) {
            throw new ModelRepositoryException("no " + MODEL + " model in " + root);
        }
        return repository;
    }

    /** The configured model cannot be served and degraded mode was not asked for. */
    public static final class ModelUnavailableException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ModelUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
