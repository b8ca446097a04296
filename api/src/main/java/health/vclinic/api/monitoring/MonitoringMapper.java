package health.vclinic.api.monitoring;

import com.google.protobuf.Timestamp;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.Consciousness;
import health.vclinic.api.monitoring.v1.Evidence;
import health.vclinic.api.monitoring.v1.Measurement;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.EcgBeat;
import health.vclinic.inference.monitoring.AlertEvent;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** The monitoring wire messages to and from domain records. No clinical logic here. */
public final class MonitoringMapper {

    private MonitoringMapper() {
    }

    /**
     * @throws InvalidInputException naming every bad field of the sample
     */
    public static health.vclinic.datasets.monitoring.VitalSample toDomain(VitalSample s) {
        List<InvalidInputException.Violation> bad = new ArrayList<>();
        Instant timestamp = null;
        if (s.hasTimestamp()) {
            try {
                timestamp = Instant.ofEpochSecond(s.getTimestamp().getSeconds(), s.getTimestamp().getNanos());
            } catch (DateTimeException | ArithmeticException e) {
                timestamp = null;
            }
        }
        VitalSigns.Builder vitals = VitalSigns.builder();
        if (s.hasHeartRate()) {
            vitals.heartRate(s.getHeartRate());
        }
        if (s.hasSpo2()) {
            vitals.spo2(s.getSpo2());
        }
        if (s.hasRespiratoryRate()) {
            vitals.respiratoryRate(s.getRespiratoryRate());
        }
        if (s.hasTemperatureC()) {
            vitals.temperatureC(s.getTemperatureC());
        }
        if (s.hasSystolicBp()) {
            vitals.systolicBp(s.getSystolicBp());
        }
        if (s.hasDiastolicBp()) {
            vitals.diastolicBp(s.getDiastolicBp());
        }
        if (s.hasSupplementalOxygen()) {
            vitals.supplementalOxygen(s.getSupplementalOxygen());
        }
        switch (s.getConsciousness()) {
            case CONSCIOUSNESS_UNSPECIFIED -> { }
            case ALERT -> vitals.consciousness(health.vclinic.datasets.Consciousness.ALERT);
            case NEW_CONFUSION -> vitals.consciousness(health.vclinic.datasets.Consciousness.NEW_CONFUSION);
            case VOICE -> vitals.consciousness(health.vclinic.datasets.Consciousness.VOICE);
            case PAIN -> vitals.consciousness(health.vclinic.datasets.Consciousness.PAIN);
            case UNRESPONSIVE -> vitals.consciousness(health.vclinic.datasets.Consciousness.UNRESPONSIVE);
            case UNRECOGNIZED -> bad.add(new InvalidInputException.Violation("consciousness",
                    "must be ALERT, NEW_CONFUSION, VOICE, PAIN or UNRESPONSIVE (ACVPU), or unset"));
        }
        Optional<EcgBeat> beat = Optional.empty();
        if (s.getEcgBeatCount() > 0) {
            float[] points = new float[s.getEcgBeatCount()];
            for (int i = 0; i < points.length; i++) {
                points[i] = s.getEcgBeat(i);
            }
            try {
                beat = Optional.of(EcgBeat.of(points, "ecg_beat"));
            } catch (InvalidInputException e) {
                bad.addAll(e.violations());
            }
        }
        OptionalDouble quality = s.hasSignalQuality() ? OptionalDouble.of(s.getSignalQuality()) : OptionalDouble.empty();
        try {
            health.vclinic.datasets.monitoring.VitalSample sample =
                    health.vclinic.datasets.monitoring.VitalSample.of(s.getPatientRef(), s.getDeviceId(), timestamp, vitals,
                            beat, quality);
            if (bad.isEmpty()) {
                return sample;
            }
        } catch (InvalidInputException e) {
            bad.addAll(0, e.violations());
        }
        throw new InvalidInputException(bad);
    }

    /** The wire alert for a domain alert. */
    public static Alert toProto(AlertEvent a) {
        var e = a.evidence();
        Evidence.Builder evidence = Evidence.newBuilder()
                .setWindowStart(timestamp(e.windowStart()))
                .setWindowEnd(timestamp(e.windowEnd()))
                .setSamples(e.samples());
        e.score().ifPresent(evidence::setScore);
        e.threshold().ifPresent(evidence::setThreshold);
        for (var m : e.measurements()) {
            Measurement.Builder mb = Measurement.newBuilder().setName(m.name()).setValue(m.value()).setUnit(m.unit());
            m.points().ifPresent(mb::setNews2Points);
            evidence.addMeasurements(mb);
        }
        return Alert.newBuilder()
                .setAlertId(a.alertId())
                .setPatientRef(a.patientRef())
                .setState(switch (a.state()) {
                    case RAISED -> AlertState.RAISED;
                    case UPDATED -> AlertState.UPDATED;
                    case RESOLVED -> AlertState.RESOLVED;
                })
                .setSeverity(switch (a.severity()) {
                    case INFO -> Severity.INFO;
                    case LOW -> Severity.LOW;
                    case MEDIUM -> Severity.MEDIUM;
                    case HIGH -> Severity.HIGH;
                })
                .setKind(kind(a.kind()))
                .setReason(a.reason())
                .setEvidence(evidence)
                .setDetector(a.detector())
                .setModelVersion(a.modelVersion())
                .setRaisedAt(timestamp(a.raisedAt()))
                .setSampleTime(timestamp(a.sampleTime()))
                .setPages(a.pages())
                .build();
    }

    private static AlertKind kind(health.vclinic.inference.monitoring.AlertKind k) {
        return switch (k) {
            case NEWS2 -> AlertKind.NEWS2;
            case TREND -> AlertKind.TREND;
            case ANOMALY -> AlertKind.ANOMALY;
            case ECG_BEAT -> AlertKind.ECG_BEAT;
            case SIGNAL_QUALITY -> AlertKind.SIGNAL_QUALITY;
            case NOT_MONITORED -> AlertKind.NOT_MONITORED;
        };
    }

    /** The wire form of an instant. */
    public static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /** An instant from its wire form. */
    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** The wire form of a domain sample (replay, bench and tests build samples as devices would). */
    public static VitalSample toProto(health.vclinic.datasets.monitoring.VitalSample s) {
        VitalSample.Builder b = VitalSample.newBuilder()
                .setPatientRef(s.patientRef())
                .setDeviceId(s.deviceId())
                .setTimestamp(timestamp(s.timestamp()));
        var v = s.vitals();
        v.heartRate().ifPresent(b::setHeartRate);
        v.spo2().ifPresent(b::setSpo2);
        v.respiratoryRate().ifPresent(b::setRespiratoryRate);
        v.temperatureC().ifPresent(b::setTemperatureC);
        v.systolicBp().ifPresent(b::setSystolicBp);
        v.diastolicBp().ifPresent(b::setDiastolicBp);
        v.supplementalOxygen().ifPresent(b::setSupplementalOxygen);
        v.consciousness().ifPresent(c -> b.setConsciousness(Consciousness.valueOf(c.name())));
        s.ecgBeat().ifPresent(beat -> {
            for (float f : beat.samples()) {
                b.addEcgBeat(f);
            }
        });
        s.signalQuality().ifPresent(b::setSignalQuality);
        return b.build();
    }
}
