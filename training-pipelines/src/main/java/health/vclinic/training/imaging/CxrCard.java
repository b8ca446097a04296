package health.vclinic.training.imaging;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.inference.imaging.CxrArchitecture;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.inference.imaging.CxrPreprocessing;
import health.vclinic.inference.imaging.OcclusionSaliency;
import health.vclinic.models.ModelCard;
import health.vclinic.models.Sha256;
import health.vclinic.models.VersionCard;

/**
 * The cards of {@code cxr-pneumonia}: what the model is for (model card), and for each version
 * everything needed to understand and re-run it (data file and sha256, configuration and seed, thread
 * count, architecture and why, preprocessing, calibration, operating point, validation metrics, epoch
 * history, git commit, library versions). No wall-clock time is recorded except the run's duration,
 * which says nothing about the model's bytes.
 */
final class CxrCard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CxrCard() {
    }

    static ModelCard model() {
        return ModelCard.of(CxrModel.NAME, "pneumonia-from-chest-xray", CxrModel.FORMAT,
                "Reads a frontal chest X-ray (PNG or JPEG, any size) and gives the calibrated"
                + " probability of pneumonia, a label at a validated operating point, and an occlusion saliency map."
                + " A first read for a clinician to check, not a diagnosis.",
                "Triage support in virtual clinics: flags radiographs that may show pneumonia so a"
                + " clinician looks at them sooner. Trained on paediatric (1 to 5 years) anterior-posterior films from"
                + " one centre (Guangzhou Women and Children's Medical Center), reduced to 28x28 pixels; not validated"
                + " for adults, lateral views, other findings or other populations.",
                "MedMNIST v2 PneumoniaMNIST (Yang et al., Scientific Data 2023, CC BY 4.0), from Kermany et al.,"
                + " Cell 2018");
    }

    /**
     * @param paramsFile the artifact's file name in the version directory
     * @param data the data file's name, sha256 and the images used per split
     * @param git the commit and whether the sources differed from it
     */
    static VersionCard version(TrainedCxr t, String paramsFile, ObjectNode data, ObjectNode git) {
        ObjectNode card = JSON.createObjectNode();
        card.put("format", CxrModel.FORMAT);
        ArrayNode artifacts = card.putArray("artifacts");
        artifacts.addObject().put("path", paramsFile).put("sha256", Sha256.sha256(t.params()));
        card.put("finding", CxrModel.FINDING);
        card.putArray("labels").add("normal").add("pneumonia");
        card.set("architecture", architecture(t));
        card.set("preprocessing", preprocessing(t.preprocessing()));
        card.putObject("calibration")
                .put("method", "temperature scaling (Guo et al., ICML 2017) fitted on the validation split:"
                        + " p = sigmoid(logit / temperature)")
                .put("temperature", t.calibration().temperature());
        card.putObject("operating_point")
                .put("threshold", t.calibration().threshold())
                .put("rule", "the threshold that maximises Youden's J (sensitivity + specificity - 1) on the"
                        + " validation split's calibrated probabilities; positive when probability >= threshold");
        card.putObject("saliency")
                .put("method", OcclusionSaliency.METHOD)
                .put("patch", 6)
                .put("stride", 2)
                .put("fill", "0 after standardisation (the training mean)");
        ObjectNode metrics = card.putObject("metrics");
        metrics.putObject("validation")
                .put("images", t.valImages())
                .put("auroc", t.valAuroc())
                .put("sensitivity", t.valMetrics().sensitivity())
                .put("specificity", t.valMetrics().specificity())
                .put("accuracy", t.valMetrics().accuracy())
                .put("nll_before_calibration", t.valMetrics().nllUncalibrated())
                .put("nll", t.valMetrics().nll());
        metrics.put("test", "never read by training; ./vclinic evaluate cxr-pneumonia reports on it");
        card.set("data", data);
        ObjectNode training = card.putObject("training");
        training.set("config", t.config().json());
        training.put("epochs_run", t.history().size());
        training.put("best_epoch", t.bestEpoch());
        training.put("seconds", Math.round(t.seconds()));
        ArrayNode history = training.putArray("history");
        t.history().forEach(e -> history.addObject()
                .put("epoch", e.epoch())
                .put("train_loss", round(e.trainLoss()))
                .put("val_auroc", round(e.valAuroc()))
                .put("learning_rate", e.learningRate()));
        ObjectNode provenance = card.putObject("provenance");
        provenance.set("git", git);
        provenance.putObject("libraries")
                .put("djl", Engine.getDjlVersion())
                .put("pytorch", Engine.getEngine("PyTorch").getVersion())
                .put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"))
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        provenance.put("reproduce", "./vclinic train cxr-pneumonia: the same data file, configuration, seed and"
                + " thread count give byte-identical parameters");
        return VersionCard.fromJson(card);
    }

    private static ObjectNode architecture(TrainedCxr t) {
        CxrArchitecture a = t.architecture();
        ObjectNode m = JSON.createObjectNode();
        m.put("id", CxrArchitecture.ID);
        ArrayNode channels = m.putArray("channels");
        a.channels().forEach(channels::add);
        m.put("dropout", a.dropout());
        m.put("parameters", t.parameterCount());
        m.put("input", "1 x " + t.preprocessing().inputSize() + " x " + t.preprocessing().inputSize()
                + " standardised grey");
        m.put("output", "1 logit (pneumonia)");
        m.put("why", "Three stages of two 3x3 convolutions (batch norm, ReLU), 2x2 max pooling between stages,"
                + " global average pooling, dropout, one linear output: about 29 M multiply-adds per image, a"
                + " twentieth of ResNet-18's at 28x28, while three stages already see the whole image. An epoch of"
                + " 4,708 augmented images takes about 7 s on two CPU cores, so training with early stopping"
                + " ends in minutes, and batch norm lets it train at a high learning rate.");
        return m;
    }

    private static ObjectNode preprocessing(CxrPreprocessing p) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", CxrPreprocessing.ID);
        m.put("input_size", p.inputSize());
        m.put("mean", p.mean());
        m.put("std", p.std());
        m.putArray("steps")
                .add("decode PNG or JPEG; colour to ITU-R BT.601 luma; 16-bit samples to 8 bits")
                .add("centre square crop")
                .add("area-average resize to " + p.inputSize() + "x" + p.inputSize() + ", rounded to 8 bits")
                .add("x / 255, then (x - mean) / std, with the training split's mean and std");
        m.put("code", "health.vclinic.inference.imaging.CxrPreprocessing, shared by training and serving");
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
