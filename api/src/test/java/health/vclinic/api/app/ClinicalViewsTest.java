package health.vclinic.api.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.record.v1.VitalSummary;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the app's pages make of real assessments of the served model and rules: the NEWS2 chart row by row
 * (RCP 2017 Chart 1), the complaint's red-flag words, the model's probabilities and pushes in words, and the
 * trend plots' NEWS2 bands.
 */
class ClinicalViewsTest {

    private static TriageEndpoint endpoint;

    @BeforeAll
    static void load() {
        endpoint = new TriageEndpoint(ServedEngine.load(TestSupport.projectRoot(), s -> { }, false));
    }

    @AfterAll
    static void close() {
        endpoint.engine().close();
    }

    private static TriageAssessment assess(TriageRequest request) {
        return endpoint.assess(TestSecurity.caller(ClinicId.DEFAULT, Role.BACKEND), request);
    }

    @Test
    void theNews2ChartShowsEveryParameterInTheChartsOrderAndMarksTheMissingOnes() {
        TriageRequest r = TestSupport.example("demo-003");
        r = r.toBuilder().setVitals(r.getVitals().toBuilder().clearSystolicBp().clearDiastolicBp()).build();
        News2Chart chart = News2Chart.of(assess(r).getNews2());

        assertEquals(List.of("Respiration rate", "SpO2 Scale 1", "Air or oxygen?", "Systolic blood pressure", "Pulse",
                "Consciousness", "Temperature"), chart.rows().stream().map(News2Chart.Row::name).toList());
        // demo-003: RR 26 (3), SpO2 92 (2), air (0), SBP missing, HR 118 (2), new confusion (3), 38.9 °C (1).
        assertEquals(List.of("26 /min", "92%", "air", "not measured", "118 /min", "new confusion", "38.9 °C"),
                chart.rows().stream().map(News2Chart.Row::value).toList());
        assertEquals(List.of("p3", "p2", "p0", "missing", "p2", "p3", "p1"),
                chart.rows().stream().map(News2Chart.Row::cssClass).toList());
        assertEquals("missing: not scored", chart.rows().get(3).status());
        assertEquals(11, chart.total());
        assertFalse(chart.complete());
        assertEquals("high", chart.band());
    }

    @Test
    void theWordsThatFiredARedFlagAreMarkedInTheComplaint() {
        TriageAssessment a = assess(TestSupport.example("demo-001"));
        List<String> evidence = a.getRedFlagsList().stream().flatMap(f -> f.getEvidenceList().stream()).toList();
        List<Complaint.Segment> segments = Complaint.highlight(
                TestSupport.example("demo-001").getInterview().getChiefComplaint(), evidence);

        assertEquals(TestSupport.example("demo-001").getInterview().getChiefComplaint(),
                segments.stream().map(Complaint.Segment::text).collect(Collectors.joining()), "nothing lost");
        List<String> marked = segments.stream().filter(Complaint.Segment::marked).map(Complaint.Segment::text).toList();
        assertTrue(marked.contains("Crushing chest pain"), marked + " from " + evidence);
        assertTrue(marked.stream().anyMatch(m -> m.contains("arm")), marked + " from " + evidence);
        assertEquals(List.of(new Complaint.Segment("no fever", false)), Complaint.highlight("no fever",
                List.of("vitals.temperature_c 38.9")), "a structured fact marks nothing");
    }

    @Test
    void theModelsPushesAreInClinicalWordsWithADirectionAndNoRawFigure() {
        TriageAssessment a = assess(TestSupport.example("demo-003"));
        ModelExplanation m = ModelExplanation.of(a);

        assertTrue(m.present());
        assertTrue(m.source().startsWith("triage-acuity@"), m.source());
        assertEquals(5, m.levels().size());
        assertEquals(1, m.levels().stream().filter(ModelExplanation.LevelRow::proposed).count());
        assertFalse(m.contributions().isEmpty(), a.getExplanationList().toString());
        Pattern raw = Pattern.compile("\\d\\.\\d{3,}");
        for (ModelExplanation.Contribution c : m.contributions()) {
            assertFalse(raw.matcher(c.words()).find(), c.words());
            assertTrue(c.towards().equals("more urgent") || c.towards().equals("less urgent"), c.towards());
            assertTrue(List.of("strong", "moderate", "slight").contains(c.strength()), c.strength());
            assertTrue(c.bar().contains(c.towards().startsWith("more") ? "bar-more" : "bar-less"), c.bar());
        }
        // Temperature 38.9 °C, as the explanation words write it, pushes towards more urgent.
        Optional<ModelExplanation.Contribution> temperature = m.contributions().stream()
                .filter(c -> c.words().startsWith("temperature")).findFirst();
        temperature.ifPresent(t -> assertEquals("temperature 38.9 °C", t.words()));
        temperature.ifPresent(t -> assertEquals("more urgent", t.towards()));
        assertEquals("<1%", ModelExplanation.percent(0.004));
        assertEquals("12%", ModelExplanation.percent(0.1234));
        assertEquals(">99%", ModelExplanation.percent(0.9999));
        assertEquals("strong", ModelExplanation.strength(-1.2));
        assertFalse(ModelExplanation.of(TriageAssessment.getDefaultInstance()).present(), "the rules alone: no model");
    }

    @Test
    void trendPlotsShadeTheNews2BandsAsTheScoreDoes() {
        Instant t0 = Instant.parse("2026-03-01T08:00:00Z");
        List<VitalsWindow> windows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            windows.add(VitalsWindow.newBuilder().setWindowStart(Timestamp.newBuilder()
                    .setSeconds(t0.plusSeconds(60L * i).getEpochSecond())).setSamples(1)
                    .setHeartRate(VitalSummary.newBuilder().setCount(1).setMean(80 + i).setMin(80 + i).setMax(80 + i))
                    .build());
        }
        List<TrendChart.Plot> plots = TrendChart.plots(windows, t0, t0.plus(Duration.ofMinutes(30)),
                new TrendChart.Marks(Optional.of(t0.plusSeconds(600)), Optional.of(t0.plusSeconds(900)),
                        Optional.of(t0.plusSeconds(900))));

        TrendChart.Plot hr = plots.getFirst();
        assertEquals("Heart rate (/min)", hr.title());
        assertEquals("latest 109 /min at 08:29 UTC", hr.latest());
        // Heart rate on the chart from 30 to 180: <=40 and >=131 score 3, 41-50 and 91-110 score 1, 111-130 score 2.
        assertEquals(2, count(hr.svg(), "news2-p3"));
        assertEquals(2, count(hr.svg(), "news2-p1"));
        assertEquals(1, count(hr.svg(), "news2-p2"));
        assertEquals(1, count(hr.svg(), "alert-window"));
        assertEquals(1, count(hr.svg(), "alert-raised"));
        assertTrue(hr.svg().contains("<title id=\"trend-hr-t\">Heart rate (/min)</title>"), "a title for screen readers");
        // The first 1-point band, 41 to 50 /min, runs from halfway between 40 and 41 to halfway between 50 and 51:
        // on a 120-unit-high plot from 180 down to 30 that is y 111.6 to 119.6.
        Matcher band = Pattern.compile("<rect x=\"[0-9.]+\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\""
                + " class=\"news2-p1\"/>").matcher(hr.svg());
        assertTrue(band.find());
        assertEquals("111.6", band.group(1));
        assertEquals("8.0", band.group(2));
        assertTrue(hr.svg().contains("class=\"trend-line\""));
        TrendChart.Plot spo2 = plots.get(1);
        assertEquals("no readings in this period", spo2.latest());
        assertEquals(1, count(spo2.svg(), "news2-p3"), "SpO2 scale 1: 91% and below score 3");
    }

    private static int count(String svg, String cssClass) {
        return (int) Pattern.compile("class=\"" + cssClass + "\"").matcher(svg).results().count();
    }
}
