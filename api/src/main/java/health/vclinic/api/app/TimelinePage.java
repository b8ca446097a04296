package health.vclinic.api.app;

import health.vclinic.api.record.RecordStore;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The model of a patient's timeline: assessments, monitoring alert events, image analyses and FHIR calls, newest
 * first, a page at a time; each entry says what it is in words and links to its page.
 */
final class TimelinePage {

    /**
     * One entry.
     *
     * @param kind "assessment", "alert", "image" or "fhir"
     * @param at when, in UTC
     * @param heading what it is, in words
     * @param detail more words (a complaint, an alert's reason, an image's reading)
     * @param link the entry's page, or empty
     * @param level a triage level for the badge, 0 when none
     * @param image an overlay image (data URI), or empty
     */
    record Entry(String kind, String at, String age, String heading, String detail, String link, int level,
                 String levelWords, String image) {
    }

    private TimelinePage() {
    }

    static Map<String, Object> model(PatientRef patient, RecordStore.Page page, Instant now) {
        Map<String, Object> m = new HashMap<>();
        m.put("patientRef", patient.value());
        m.put("entries", page.entries().stream().map(e -> entry(e, now)).toList());
        m.put("older", page.next().map(c -> "?before_at=" + URLEncoder.encode(c.at().toString(), StandardCharsets.UTF_8)
                + "&before_id=" + c.id()).orElse(""));
        return m;
    }

    /** Where the previous page ended, as its "older" link gives it. */
    static Optional<RecordStore.Cursor> cursor(Optional<String> at, Optional<String> id) {
        if (at.isEmpty() && id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RecordStore.Cursor(Instant.parse(at.orElseThrow()),
                    UUID.fromString(id.orElseThrow())));
        } catch (DateTimeParseException | IllegalArgumentException | java.util.NoSuchElementException e) {
            throw new InvalidInputException("before_at", "before_at and before_id must be as the \"older\" link gives"
                    + " them");
        }
    }

    private static Entry entry(TimelineEntry e, Instant now) {
        return switch (e.getEntryCase()) {
            case ASSESSMENT -> assessment(e.getAssessment(), now);
            case ALERT -> alert(e.getAlert(), now);
            case IMAGE_ANALYSIS -> image(e.getImageAnalysis(), now);
            case FHIR_CALL -> {
                Instant at = AlertPage.instant(e.getFhirCall().getCalledAt());
                yield new Entry("fhir", ClinicianApp.when(at), Clinical.age(Duration.between(at, now)),
                        "FHIR " + e.getFhirCall().getOperation() + " call", "a triage through the FHIR interface", "",
                        0, "", "");
            }
            default -> throw new IllegalStateException("a timeline entry is one of four kinds");
        };
    }

    private static Entry assessment(RecordedAssessment a, Instant now) {
        Instant at = AlertPage.instant(a.getAssessedAt());
        int level = Math.max(1, Math.min(5, a.getAssessment().getLevel()));
        String complaint = a.getRequest().getInterview().getChiefComplaint();
        return new Entry("assessment", ClinicianApp.when(at), Clinical.age(Duration.between(at, now)),
                "Triage assessment", complaint.isBlank() ? "no chief complaint given" : complaint,
                "/app/assessments/" + a.getRecordId(), level, Clinical.acuity(level), "");
    }

    private static Entry alert(RecordedAlertEvent e, Instant now) {
        Instant at = AlertPage.instant(e.getOccurredAt());
        return new Entry("alert", ClinicianApp.when(at), Clinical.age(Duration.between(at, now)),
                "Monitoring alert " + Clinical.words(e.getAlert().getState().name()) + ": "
                        + AlertPage.severityWords(e.getAlert().getSeverity()) + " " + AlertPage.kindWords(e.getAlert()),
                e.getAlert().getReason(), "/app/alerts/" + URLEncoder.encode(e.getAlert().getAlertId(),
                StandardCharsets.UTF_8), 0, "", "");
    }

    private static Entry image(RecordedImageAnalysis r, Instant now) {
        Instant at = AlertPage.instant(r.getAnalyzedAt());
        String overlay = r.getAnalysis().hasSaliency()
                ? AssessmentPage.png(r.getAnalysis().getSaliency().getOverlayPng().toByteArray()) : "";
        return new Entry("image", ClinicianApp.when(at), Clinical.age(Duration.between(at, now)),
                "Chest X-ray read", AssessmentPage.reading(r.getAnalysis()), "", 0, "", overlay);
    }
}
