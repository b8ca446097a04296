package health.vclinic.api.monitoring;

import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.monitoring.VitalSample;

/**
 * Where the accepted vital-sign samples go to draw a patient's trend (the clinical record, given by the
 * composition root). Called on the stream's thread for every sample the engine accepted (not those with
 * a poor signal, duplicates or late ones): it must not block.
 */
@FunctionalInterface
public interface VitalsRecorder {

    /** No record. */
    VitalsRecorder NONE = (clinic, sample) -> { };

    /** Keeps one accepted sample of {@code clinic}'s patient (or counts it lost); never waits. */
    void record(ClinicId clinic, VitalSample sample);
}
