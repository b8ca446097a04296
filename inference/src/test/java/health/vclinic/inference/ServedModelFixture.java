package health.vclinic.inference;

import health.vclinic.datasets.ktas.KtasData;
import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.datasets.ktas.KtasReader;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.nio.file.Path;

/**
 * The triage model the repository ships (models/repository, highest version) and the KTAS test site:
 * the real artifacts the service runs, for tests that must use the real ONNX model.
 */
final class ServedModelFixture {

    static final RedFlagRules RULES = RedFlagRules.standard();

    private ServedModelFixture() {
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("vclinic.root", "..")).toAbsolutePath().normalize();
    }

    static ResolvedModel resolved() {
        return ModelRepository.open(projectRoot().resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                .resolve(OnnxTriageModel.TASK);
    }

    static OnnxTriageModel load() {
        return OnnxTriageModel.load(resolved(), RULES);
    }

    static KtasData testSite() {
        return KtasReader.read(KtasFiles.directory(projectRoot()).resolve(KtasFiles.TEST));
    }
}
