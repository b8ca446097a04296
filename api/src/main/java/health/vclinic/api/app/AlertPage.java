package health.vclinic.api.app;

import com.google.protobuf.Timestamp;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.Measurement;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.record.RecordStore;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model of the alert page: one monitoring alert as it stands (its latest event: state, severity, reason,
 * evidence, detector and version), its history, and the patient's vital signs from up to {@link #TREND_BEFORE}
 * before it was raised (from the first reading, when later) to its latest event, as trend plots with the NEWS2 bands and the evidence window marked
 * ({@link TrendChart}).
 */
final class AlertPage {

    /** A value the alert rests on, in words. */
    record Evidence(String name, String value, String points) {
    }

    /** One state change of the alert. */
    record Event(String at, String state, String severity, String reason) {
    }

    /** Most trend windows read for one page: a day of minutes. */
    private static final int MAX_WINDOWS = 1440;
    /** How much of a monitored patient's trend the page shows at most before the alert was raised. */
    static final Duration TREND_BEFORE = Duration.ofHours(4);
    /** Room on the plots before the first reading. */
    private static final Duration TREND_MARGIN = Duration.ofMinutes(5);

    private AlertPage() {
    }

    static Map<String, Object> model(List<RecordedAlertEvent> events, RecordStore record, ClinicId clinic,
                                     Instant now) {
        RecordedAlertEvent latest = events.getLast();
        Alert a = latest.getAlert();
        Map<String, Object> m = new HashMap<>();
        m.put("alertId", a.getAlertId());
        m.put("patientRef", latest.getPatientRef());
        m.put("patientLink", ClinicianApp.patientLink(latest.getPatientRef()));
        m.put("state", Clinical.words(a.getState().name()));
        m.put("open", a.getState() != AlertState.RESOLVED);
        m.put("severity", a.getSeverity().name());
        m.put("severityWords", severityWords(a.getSeverity()));
        m.put("severityClass", "sev-" + a.getSeverity().name().toLowerCase(java.util.Locale.ROOT));
        m.put("kindWords", kindWords(a));
        m.put("reason", a.getReason());
        m.put("detector", a.getDetector() + (a.getModelVersion().isEmpty() ? "" : " (" + a.getModelVersion() + ")"));
        Instant raised = instant(a.getRaisedAt());
        m.put("raisedAt", ClinicianApp.when(raised));
        m.put("age", Clinical.age(Duration.between(raised, now)));
        m.put("evidence", a.getEvidence().getMeasurementsList().stream().map(AlertPage::evidence).toList());
        m.put("evidenceWindow", a.getEvidence().hasWindowStart()
                ? ClinicianApp.when(instant(a.getEvidence().getWindowStart())) + " to "
                + ClinicianApp.when(instant(a.getEvidence().getWindowEnd())) + " (" + a.getEvidence().getSamples()
                + " samples)" : "not given");
        m.put("events", events.reversed().stream().map(e -> new Event(ClinicianApp.when(instant(e.getOccurredAt())),
                Clinical.words(e.getAlert().getState().name()), severityWords(e.getAlert().getSeverity()),
                e.getAlert().getReason())).toList());
        Instant earliest = raised.minus(TREND_BEFORE);
        PatientRef patient = new PatientRef(latest.getPatientRef());
        List<VitalsWindow> windows = record.audited(AuditAction.QUERY, "VitalSigns", "patient-trend",
                Optional.of(patient), () -> record.vitals(clinic, patient, earliest, MAX_WINDOWS));
        // The plots begin where the readings do (a patient monitored for an hour is not drawn over four).
        Instant from = windows.isEmpty() ? earliest
                : latestOf(earliest, instant(windows.getFirst().getWindowStart()).minus(TREND_MARGIN));
        Instant to = instant(a.getSampleTime());
        if (!windows.isEmpty()) {
            Instant last = instant(windows.getLast().getWindowStart()).plusSeconds(60);
            to = last.isAfter(to) ? last : to;
        }
        to = to.isAfter(from.plusSeconds(60)) ? to : from.plusSeconds(60);
        TrendChart.Marks marks = new TrendChart.Marks(
                a.getEvidence().hasWindowStart() ? Optional.of(instant(a.getEvidence().getWindowStart())) : Optional.empty(),
                a.getEvidence().hasWindowEnd() ? Optional.of(instant(a.getEvidence().getWindowEnd())) : Optional.empty(),
                Optional.of(raised));
        m.put("plots", TrendChart.plots(windows, from, to, marks));
        m.put("trendFrom", ClinicianApp.when(from));
        m.put("trendTo", ClinicianApp.when(to));
        return m;
    }

    private static Evidence evidence(Measurement me) {
        boolean temperature = me.getName().contains("temperature");
        String value = Clinical.rounded(me.getValue(), temperature || Math.abs(me.getValue()) < 10
                && me.getValue() != Math.rint(me.getValue()) ? 1 : 0) + (me.getUnit().isEmpty() ? ""
                : (me.getUnit().equals("%") ? "" : " ") + me.getUnit());
        String name = me.getName().equals("news2_total") ? "NEWS2 total" : Clinical.field("vitals." + me.getName());
        return new Evidence(name, value, me.hasNews2Points()
                ? me.getNews2Points() + (me.getNews2Points() == 1 ? " point" : " points") : "");
    }

    static String severityWords(Severity s) {
        return switch (s) {
            case HIGH -> "High";
            case MEDIUM -> "Medium";
            case LOW -> "Low";
            case INFO -> "Information";
            default -> "Unknown";
        };
    }

    static String kindWords(Alert a) {
        return switch (a.getKind()) {
            case NEWS2 -> "NEWS2";
            case TREND -> "trend";
            case ANOMALY -> "unusual pattern";
            case ECG_BEAT -> "abnormal heartbeats";
            case SIGNAL_QUALITY -> "signal quality";
            case NOT_MONITORED -> "not monitored";
            default -> "alert";
        };
    }

    private static Instant latestOf(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
