package health.vclinic.api.app;

import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.triage.v1.QuestionnaireResult;
import health.vclinic.api.triage.v1.RedFlag;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.VitalCheck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The model of the assessment page: what the service answered for one request, arranged as a clinician checks
 * it: the level, disposition and KTAS time frame; the complaint with the words that fired red flags highlighted;
 * the NEWS2 chart ({@link News2Chart}) or a child's vital-sign limits; questionnaires with their bands and PHQ-9
 * item 9; the model's probabilities and contributions ({@link ModelExplanation}); the chest X-ray with its
 * saliency overlay; what was not given; every rule and model version.
 */
final class AssessmentPage {

    /** PHQ-9 and GAD-7 answer words (Kroenke et al. 2001; Spitzer et al. 2006). */
    private static final List<String> FREQUENCY = List.of("not at all", "several days", "more than half the days",
            "nearly every day");

    /** A questionnaire: its total, band, and the bands of its scale with the patient's marked. */
    record Questionnaire(String instrument, int total, int maxTotal, String severity, List<Band> bands,
                         String source, String item9, boolean item9Positive) {
    }

    /** One band of a questionnaire's scale. */
    record Band(String name, String range, boolean current) {
    }

    /** A red flag as the page lists it. */
    record Flag(String description, List<String> evidence, String floor, String source) {
    }

    /** A child's vital sign against the limits for age. */
    record Check(String parameter, String value, String normal, boolean within) {
    }

    /**
     * The chest X-ray as sent, and where the model looked ({@code overlayUri}, empty when no analysis of the same
     * image was kept).
     */
    record ChestXray(String imageUri, String overlayUri, String reading) {
    }

    private AssessmentPage() {
    }

    /** The page model of {@code recorded}; {@code analyses} are the patient's kept image analyses. */
    static Map<String, Object> model(RecordedAssessment recorded, List<RecordedImageAnalysis> analyses) {
        TriageAssessment a = recorded.getAssessment();
        TriageRequest q = recorded.getRequest();
        Map<String, Object> m = new HashMap<>();
        int level = a.getLevel() >= 1 && a.getLevel() <= 5 ? a.getLevel() : 5;
        m.put("id", recorded.getRecordId());
        m.put("level", level);
        m.put("acuity", Clinical.acuity(level));
        m.put("disposition", Clinical.disposition(a.getDisposition().name(), level));
        m.put("timeFrame", Clinical.timeFrame(level));
        m.put("decidedBy", Clinical.decidedBy(a.getDecidedBy()));
        m.put("byModel", Clinical.byModel(a.getDecidedBy()));
        m.put("assessedAt", ClinicianApp.when(Instant.ofEpochSecond(recorded.getAssessedAt().getSeconds())));
        m.put("patientRef", recorded.getPatientRef());
        m.put("patientLink", ClinicianApp.patientLink(recorded.getPatientRef()));
        m.put("age", q.getPatient().hasAgeYears() ? ageWords(q.getPatient().getAgeYears()) : "age not given");
        m.put("sex", q.getPatient().getSexValue() == 0 ? "sex not given" : Clinical.words(q.getPatient().getSex().name()));
        m.put("pregnant", q.getPatient().hasPregnant() && q.getPatient().getPregnant());
        m.put("needsReview", a.getNeedsClinicianReview());
        m.put("reviewReasons", a.getReviewReasonsList());
        m.put("degraded", a.getDegraded());
        List<String> evidence = a.getRedFlagsList().stream().flatMap(f -> f.getEvidenceList().stream()).toList();
        m.put("complaint", Complaint.highlight(q.getInterview().getChiefComplaint(), evidence));
        m.put("hasComplaint", !q.getInterview().getChiefComplaint().isBlank());
        m.put("flags", a.getRedFlagsList().stream().map(AssessmentPage::flag).toList());
        m.put("news2Applicable", a.getNews2().getApplicable());
        m.put("news2", News2Chart.of(a.getNews2()));
        m.put("paediatric", a.getPaediatric().getApplicable());
        m.put("ageBand", a.getPaediatric().getAgeBand());
        m.put("paediatricSource", a.getPaediatric().getSource());
        m.put("checks", a.getPaediatric().getChecksList().stream().map(AssessmentPage::check).toList());
        m.put("questionnaires", a.getQuestionnairesList().stream().map(r -> questionnaire(r, q)).toList());
        ModelExplanation model = ModelExplanation.of(a);
        m.put("model", model);
        m.put("hasModel", model.present());
        m.put("explanation", a.getExplanationList());
        m.put("missing", a.getMissingList().stream().map(Clinical::field).distinct().toList());
        m.put("versions", new TreeMap<>(a.getModelVersionsMap()));
        Optional<ChestXray> xray = chestXray(q, analyses);
        m.put("hasXray", xray.isPresent());
        m.put("xray", xray.orElse(new ChestXray("", "", "")));
        m.put("pain", q.getInterview().hasPainScore() ? q.getInterview().getPainScore() + " of 10" : "not given");
        m.put("onset", q.getInterview().hasSymptomOnsetHours() ? onsetWords(q.getInterview().getSymptomOnsetHours())
                : "not given");
        return m;
    }

    private static Flag flag(RedFlag f) {
        return new Flag(f.getDescription(), f.getEvidenceList(), "level " + f.getFloorLevel() + " ("
                + Clinical.acuity(Math.max(1, Math.min(5, f.getFloorLevel()))).toLowerCase(java.util.Locale.ROOT) + ")",
                f.getSource());
    }

    private static Check check(VitalCheck c) {
        return new Check(Clinical.field("vitals." + c.getParameter()), Clinical.rounded(c.getValue(),
                c.getParameter().startsWith("temperature") ? 1 : 0), Clinical.rounded(c.getNormalLow(), 0) + " to "
                + Clinical.rounded(c.getNormalHigh(), 0), c.getWithinNormal());
    }

    private static Questionnaire questionnaire(QuestionnaireResult r, TriageRequest q) {
        boolean phq9 = r.getInstrument().equals("PHQ-9");
        List<Band> bands = new ArrayList<>();
        String current = Clinical.words(r.getSeverity().name());
        String[][] scale = phq9
                ? new String[][] {{"minimal", "0-4"}, {"mild", "5-9"}, {"moderate", "10-14"},
                    {"moderately severe", "15-19"}, {"severe", "20-27"}}
                : new String[][] {{"minimal", "0-4"}, {"mild", "5-9"}, {"moderate", "10-14"}, {"severe", "15-21"}};
        for (String[] b : scale) {
            bands.add(new Band(b[0], b[1], b[0].equals(current)));
        }
        String item9 = "";
        boolean positive = false;
        if (phq9 && q.getInterview().getPhq9Count() == 9) {
            int answer = q.getInterview().getPhq9(8);
            item9 = answer + " (" + FREQUENCY.get(Math.max(0, Math.min(3, answer))) + ")";
            positive = answer > 0;
        }
        return new Questionnaire(r.getInstrument(), r.getTotal(), r.getMaxTotal(), current, bands, r.getSource(),
                item9, positive);
    }

    private static Optional<ChestXray> chestXray(TriageRequest q, List<RecordedImageAnalysis> analyses) {
        if (q.getChestXray().isEmpty()) {
            return Optional.empty();
        }
        Optional<RecordedImageAnalysis> same = analyses.stream()
                .filter(r -> r.getImage().equals(q.getChestXray())).findFirst();
        String overlay = same.filter(r -> r.getAnalysis().hasSaliency())
                .map(r -> png(r.getAnalysis().getSaliency().getOverlayPng().toByteArray())).orElse("");
        String reading = same.map(r -> reading(r.getAnalysis()))
                .orElse("No saliency map was kept for this image (the triage read it without one).");
        return Optional.of(new ChestXray(dataUri(q.getChestXray().toByteArray()), overlay, reading));
    }

    /** An image analysis in words, probability as a clinician rounds it. */
    static String reading(ImageAnalysis a) {
        if (a.getLabel().equals("not_assessable")) {
            return "Not assessable: " + a.getNotAssessable().getExplanation();
        }
        return a.getFinding() + " " + ModelExplanation.percent(a.getProbability()) + " (read as " + a.getLabel()
                + " at the operating point " + ModelExplanation.percent(a.getThreshold()) + ", " + a.getModelVersion()
                + ")";
    }

    static String png(byte[] bytes) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** A PNG or JPEG file as a data URI, its type from its first bytes. */
    static String dataUri(byte[] bytes) {
        boolean jpeg = bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8;
        return (jpeg ? "data:image/jpeg;base64," : "data:image/png;base64,") + Base64.getEncoder().encodeToString(bytes);
    }

    private static String ageWords(double years) {
        if (years < 2) {
            return Math.round(years * 12) + " months";
        }
        return (long) Math.floor(years) + " years";
    }

    private static String onsetWords(double hours) {
        if (hours < 1) {
            return Math.round(hours * 60) + " minutes ago";
        }
        if (hours < 48) {
            String h = Clinical.rounded(hours, hours < 10 && hours != Math.floor(hours) ? 1 : 0);
            return h + (h.equals("1") ? " hour ago" : " hours ago");
        }
        return Math.round(hours / 24) + " days ago";
    }
}
