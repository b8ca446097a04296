package health.vclinic.api.monitoring;

import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.server.ClinicId;

/**
 * Where every alert state change is kept (the clinical record, given by the composition root), so that
 * an alert exists beyond the stream that received it. Called on the stream's thread: it must not block.
 */
@FunctionalInterface
public interface AlertRecorder {

    /** No record. */
    AlertRecorder NONE = (clinic, alert) -> { };

    /** Keeps one alert event (RAISED, UPDATED or RESOLVED) as sent, with its evidence. */
    void record(ClinicId clinic, Alert alert);
}
