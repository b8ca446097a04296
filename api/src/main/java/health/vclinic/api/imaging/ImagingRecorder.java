package health.vclinic.api.imaging;

import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.imaging.v1.ImageAnalysis;

/**
 * Where every image analysis is kept (the clinical record, given by the composition root): the image as
 * received, the finding and the saliency map.
 */
@FunctionalInterface
public interface ImagingRecorder {

    /** No record. */
    ImagingRecorder NONE = (clinic, request, analysis) -> { };

    /** Keeps one analysis under {@code clinic}, the caller's. */
    void record(ClinicId clinic, AnalyzeRequest request, ImageAnalysis analysis);
}
