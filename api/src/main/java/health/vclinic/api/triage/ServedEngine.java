package health.vclinic.api.triage;

import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The engine {@code serve} and {@code assess} run: the shipped red-flag rules, fused with the served
 * version of {@code triage-acuity} from {@code <project root>/models/repository} (the highest version
 * unless its card pins one, sha256 checked) when the repository has one. Without a model the service
 * runs on the rules alone and says so. A model that is present but cannot be served (a tampered
 * file, features this build cannot compute) stops the start-up rather than being skipped silently.
 */
public final class ServedEngine {

    /** The system property the launcher sets to the project root; the working directory otherwise. */
    static final String ROOT_PROPERTY = "vclinic.root";
    static final String MODEL = OnnxTriageModel.TASK;

    private ServedEngine() {
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty(ROOT_PROPERTY, ".")).toAbsolutePath().normalize();
    }

    /**
     * @param say receives one line saying what is served
     * @throws health.vclinic.models.ModelRepositoryException or
     *     {@link health.vclinic.inference.InferenceException} when a model is present but unusable
     */
    public static TriageEngine load(Path projectRoot, Consumer<String> say) {
        RedFlagRules rules = RedFlagRules.standard();
        Path root = projectRoot.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT);
        if (!Files.isDirectory(root)) {
            say.accept("no model repository at " + root + ": triage by the rules alone (NEWS2, red flags, floors)");
            return new TriageEngine(rules);
        }
        ModelRepository repository = ModelRepository.open(root);
        if (!repository.names().contains(MODEL) || repository.versions(MODEL).isEmpty()) {
            say.accept("no " + MODEL + " model in " + root + ": triage by the rules alone (NEWS2, red flags, floors)");
            return new TriageEngine(rules);
        }
        OnnxTriageModel model = OnnxTriageModel.load(repository.resolve(MODEL), rules);
        say.accept("triage model " + model.id() + " (ONNX Runtime, " + model.spec().featureNames().size()
                + " features) fused with the rules: it can raise a level, never lower a rule's floor");
        return new TriageEngine(rules, Optional.of(model));
    }
}
