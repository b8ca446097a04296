package health.vclinic.inference.imaging;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import health.vclinic.datasets.imaging.MedMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The real data file, and small real DJL models made on the spot (untrained, seeded). */
final class ImagingTestSupport {

    static final CxrPreprocessing PREPROCESSING = new CxrPreprocessing(28, 0.572f, 0.177f);
    static final CxrArchitecture TINY = new CxrArchitecture(List.of(4, 8), 0f);

    private ImagingTestSupport() {
    }

    static Path pneumoniaFile() {
        Path root = Path.of(System.getProperty("vclinic.root", ".."));
        Path file = root.resolve(MedMnist.PNEUMONIA_RELATIVE_PATH).normalize();
        return Files.isRegularFile(file) ? file : Path.of("..").resolve(MedMnist.PNEUMONIA_RELATIVE_PATH).normalize();
    }

    /** The parameter file of a freshly initialised (random, seeded) network, as training would write it. */
    static synchronized byte[] randomParams(CxrArchitecture architecture, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        try (Model model = Model.newInstance(CxrModel.NAME, Device.cpu(), "PyTorch")) {
            model.setBlock(architecture.block());
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
            Path dir = Files.createTempDirectory("cxr-test");
            model.save(dir, CxrModel.NAME);
            Path file = dir.resolve(CxrModel.NAME + "-0000.params");
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CxrModel randomModel(int seed) {
        return CxrModel.of("cxr-pneumonia@test", randomParams(TINY, seed), TINY, PREPROCESSING,
                new CxrCalibration(1.5, 0.5));
    }
}
