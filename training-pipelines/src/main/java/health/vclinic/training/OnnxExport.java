package health.vclinic.training;

import ai.onnx.proto.OnnxMl;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;

/**
 * Exports a Tribuo model to ONNX bytes that depend only on the model. Tribuo writes the model's
 * provenance into the file twice, as a metadata entry and as the model's doc string (its
 * {@code toString}), and that provenance holds wall-clock times (when the model was trained, when a
 * trainer was created); both are replaced here so that the same inputs give the same bytes. The
 * provenance itself, minus its timestamps, goes into the model card instead.
 */
final class OnnxExport {

    /** The ONNX {@code domain} of exported triage models. */
    static final String DOMAIN = "health.vclinic.triage";
    /**
     * The ONNX {@code model_version}: always 1. The repository's version is the directory the file is
     * published in, so that retraining into another version gives identical bytes.
     */
    static final long MODEL_VERSION = 1;
    /** Tribuo names its ONNX input and output these. */
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    /** The doc string written in place of Tribuo's, which is the model's provenance with its timestamps. */
    static final String DOC = "vclinic triage-acuity model exported by Tribuo; its card (model.json) holds"
            + " the provenance";

    private OnnxExport() {
    }

    static byte[] export(Model<Label> model) {
        if (!(model instanceof ONNXExportable exportable)) {
            throw new TrainingException(model.getClass().getSimpleName() + " cannot be exported to ONNX");
        }
        OnnxMl.ModelProto proto = exportable.exportONNXModel(DOMAIN, MODEL_VERSION);
        OnnxMl.ModelProto.Builder builder = proto.toBuilder().clearMetadataProps().setDocString(DOC);
        if (builder.getGraph().hasDocString()) {
            builder.getGraphBuilder().setDocString(DOC);
        }
        for (OnnxMl.StringStringEntryProto entry : proto.getMetadataPropsList()) {
            if (!entry.getKey().equals(ONNXExportable.PROVENANCE_METADATA_FIELD)) {
                builder.addMetadataProps(entry);
            }
        }
        return builder.build().toByteArray();
    }
}
