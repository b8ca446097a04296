package health.vclinic.inference;

import health.vclinic.datasets.Encounter;
import java.util.List;

/**
 * A model that reads the images sent with an encounter (a chest X-ray). Each read is reported in the
 * explanation; a positive one also sets a floor, so it can raise the level through
 * {@link TriageFusion} and never lower it. Implementations are thread safe (one instance serves every
 * request).
 */
public interface ImagingModel {

    /** The model and version, e.g. {@code cxr-pneumonia@1}; reported in {@code model_versions}. */
    String id();

    /** One read per image the model understands in this encounter; empty when there is none. */
    List<ImagingRead> read(Encounter encounter);
}
