package health.vclinic.evaluation.monitoring;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import health.vclinic.evaluation.BinaryMetrics;
import health.vclinic.evaluation.Charts;
import health.vclinic.evaluation.EvaluationException;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the monitoring report: metrics.json and a self-contained report.html (Pebble, autoescaped;
 * XChart SVG charts embedded). Numbers are formatted here, so the template only lays them out.
 */
final class MonitoringReport {

    static final String METRICS_FILE = "metrics.json";
    static final String REPORT_FILE = "report.html";
    private static final String TEMPLATE = "health/vclinic/evaluation/monitoring/monitoring-report.peb";

    private static final ObjectWriter WRITER = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    private static final PebbleEngine PEBBLE = new PebbleEngine.Builder()
            .loader(new ClasspathLoader())
            .autoEscaping(true)
            .strictVariables(true)
            .defaultLocale(Locale.ROOT)
            .build();

    private MonitoringReport() {
    }

    static void write(Path dir, JsonNode metrics, BeatEvaluation.Scored scored, JsonNode bench) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(METRICS_FILE), WRITER.writeValueAsString(metrics) + "\n", UTF_8);
            Files.writeString(dir.resolve(REPORT_FILE), html(metrics, scored, bench), UTF_8);
        } catch (IOException e) {
            throw new EvaluationException("cannot write the report into " + dir + ": " + e, e);
        }
    }

    static String html(JsonNode m, BeatEvaluation.Scored scored, JsonNode bench) throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        JsonNode sepsis = m.get("sepsis");
        c.put("forest", m.at("/models/monitoring_forest").asText());
        c.put("forestSha", m.at("/models/forest_sha256").asText());
        c.put("beat", m.at("/models/ecg_beat").asText());
        c.put("beatSha", m.at("/models/ecg_beat_sha256").asText());
        c.put("sepsisData", sepsis.get("data").asText());
        c.put("sepsisSha", sepsis.get("data_sha256").asText());
        c.put("split", sepsis.get("split").asText());
        c.put("testStays", sepsis.get("test_stays").asInt());
        c.put("testSeptic", sepsis.get("test_septic").asInt());
        c.put("onArrival", sepsis.get("test_septic_on_arrival").asInt());
        c.put("definitions", sepsis.get("definitions").asText());
        List<Map<String, String>> rows = new ArrayList<>();
        sepsis.get("methods").forEach(x -> {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("name", x.get("name").asText());
            r.put("ours", Boolean.toString(x.get("ours").asBoolean()));
            JsonNode s = x.get("sensitivity_at_onset");
            r.put("sensitivity", f2(s.get("value")) + " (" + s.get("count").asInt() + "/" + s.get("n").asInt() + "; "
                    + f2(s.get("ci_low")) + " to " + f2(s.get("ci_high")) + ")");
            JsonNode s12 = x.get("sensitivity_within_12h");
            r.put("sensitivity12", f2(s12.get("value")) + " (" + s12.get("count").asInt() + "/" + s12.get("n").asInt() + ")");
            JsonNode lead = x.get("lead_time_hours");
            r.put("lead", f1(lead.get("median")) + " h (" + f1(lead.get("q1")) + " to " + f1(lead.get("q3")) + ")");
            r.put("falseAlerts", f2(x.get("false_alerts_per_patient_day")) + " (" + x.get("false_alerts").asInt() + " in "
                    + f1(x.get("patient_days")) + " days)");
            r.put("pages", f2(x.get("pages_per_patient_day")));
            StringBuilder kinds = new StringBuilder();
            x.get("false_alerts_by_kind").properties().forEach(e -> kinds.append(kinds.isEmpty() ? "" : ", ")
                    .append(e.getKey()).append(' ').append(e.getValue().asInt()));
            r.put("kinds", kinds.toString());
            rows.add(r);
        });
        c.put("methods", rows);
        c.put("operatingSvg", operatingPoints(sepsis.get("methods")));
        acute(m.get("acute"), c);
        goals(m, bench, c);
        List<String[]> config = new ArrayList<>();
        m.get("config").properties().forEach(e -> {
            if (!e.getKey().equals("source")) {
                config.add(new String[] {e.getKey().replace('_', ' '), e.getValue().asText()});
            }
        });
        c.put("config", config);
        JsonNode ecg = m.get("ecg");
        JsonNode test = ecg.get("test");
        c.put("beats", test.get("beats").asInt());
        c.put("beatsNormal", test.get("normal").asInt());
        c.put("beatsAbnormal", test.get("abnormal").asInt());
        c.put("auroc", f4(test.at("/auroc/value")) + " (95% CI " + f4(test.at("/auroc/ci_low")) + " to "
                + f4(test.at("/auroc/ci_high")) + ")");
        c.put("aurocMethod", test.at("/auroc/method").asText());
        c.put("accuracy", proportion(test.get("accuracy")));
        c.put("sensitivityEcg", proportion(test.get("sensitivity")));
        c.put("specificityEcg", proportion(test.get("specificity")));
        JsonNode confusion = test.get("confusion");
        c.put("tp", confusion.get("true_positive").asInt());
        c.put("fp", confusion.get("false_positive").asInt());
        c.put("tn", confusion.get("true_negative").asInt());
        c.put("fn", confusion.get("false_negative").asInt());
        c.put("nnAccuracy", f4(test.get("nearest_neighbour_accuracy")));
        c.put("ourAccuracy", f4(test.at("/accuracy/value")));
        c.put("ourAuroc", f4(test.at("/auroc/value")));
        c.put("anchorsNote", ecg.at("/anchors/note").asText());
        JsonNode cv = ecg.get("cross_validation");
        c.put("cvFolds", cv.path("folds").asInt());
        c.put("cvAccuracy", f4(cv.get("accuracy_mean")) + " ± " + f4(cv.get("accuracy_sd")));
        c.put("cvOutOfFold", f4(cv.get("accuracy_out_of_fold")));
        c.put("cvNearest", f4(cv.get("nearest_neighbour_accuracy")));
        c.put("cvSource", cv.path("source").asText(""));
        List<List<String>> matrix = new ArrayList<>();
        int klass = 1;
        for (JsonNode row : cv.path("confusion")) {
            List<String> cells = new ArrayList<>();
            cells.add(Integer.toString(klass++));
            row.forEach(v -> cells.add(Integer.toString(v.asInt())));
            matrix.add(cells);
        }
        c.put("cvConfusion", matrix);
        c.put("rocSvg", roc(scored));
        StringWriter out = new StringWriter();
        PEBBLE.getTemplate(TEMPLATE).evaluate(out, c);
        return out.toString();
    }

    private static void acute(JsonNode acute, Map<String, Object> c) {
        JsonNode held = acute.get("held_out");
        c.put("acuteGenerator", acute.get("generator").asText());
        c.put("acuteDefinitions", acute.get("definitions").asText());
        c.put("acuteSeeds", held.get("seeds").asText());
        c.put("acuteTrainingSeeds", acute.at("/training/seeds").asText());
        List<Map<String, String>> rows = new ArrayList<>();
        held.get("time_to_page").forEach(x -> {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("scenario", x.get("scenario").asText().replace('_', ' '));
            r.put("interval", interval(x.get("interval_seconds").asInt()));
            r.put("name", x.get("name").asText());
            r.put("ours", Boolean.toString(x.get("ours").asBoolean()));
            r.put("paged", x.get("paged").asInt() + "/" + x.get("patients").asInt());
            r.put("median", x.get("median_minutes").isNull() ? "not reached" : f1(x.get("median_minutes")));
            r.put("p90", x.get("p90_minutes").isNull() ? "not reached" : f1(x.get("p90_minutes")));
            r.put("early", Integer.toString(x.get("pages_before_onset").asInt()));
            rows.add(r);
        });
        c.put("acuteRows", rows);
        List<Map<String, String>> stable = new ArrayList<>();
        held.get("stable").forEach(x -> {
            Map<String, String> r = new LinkedHashMap<>();
            r.put("name", x.get("name").asText());
            r.put("ours", Boolean.toString(x.get("ours").asBoolean()));
            r.put("interval", interval(x.get("interval_seconds").asInt()));
            r.put("days", f1(x.get("patient_days")));
            r.put("pages", Integer.toString(x.get("pages").asInt()));
            r.put("patientsPaged", x.get("patients_paged").asInt() + "/" + x.get("patients").asInt());
            r.put("rate", f2(x.get("pages_per_patient_day")));
            stable.add(r);
        });
        c.put("stableRows", stable);
        List<String> pooled = new ArrayList<>();
        held.get("time_to_page_all_scenarios").forEach(x -> pooled.add(x.get("method").asText() + " every "
                + interval(x.get("interval_seconds").asInt()) + ": median " + minutes(x.get("median_minutes")) + ", 90th percentile "
                + minutes(x.get("p90_minutes")) + " (" + x.get("paged").asInt() + "/" + x.get("patients").asInt() + " paged)"));
        c.put("acutePooled", pooled);
    }

    /** The closing note: each goal against its held-out figure, and the latency bench as recorded. */
    private static void goals(JsonNode m, JsonNode benchRuns, Map<String, Object> c) {
        List<String> lines = new ArrayList<>();
        JsonNode held = m.at("/acute/held_out");
        for (JsonNode x : held.get("time_to_page_all_scenarios")) {
            if (x.get("method").asText().equals("vclinic") && x.get("interval_seconds").asInt() == 60) {
                boolean met = !x.get("median_minutes").isNull() && x.get("median_minutes").asDouble() <= 2
                        && !x.get("p90_minutes").isNull() && x.get("p90_minutes").asDouble() <= 5;
                lines.add("Acute deterioration at a 1-minute interval: median " + minutes(x.get("median_minutes"))
                        + ", 90th percentile " + minutes(x.get("p90_minutes")) + " from onset to page, " + x.get("paged").asInt()
                        + "/" + x.get("patients").asInt() + " paged (goal 2 and 5 min): " + (met ? "met" : "not met") + ".");
            }
        }
        int pages = 0;
        double days = 0;
        for (JsonNode x : held.get("stable")) {
            if (x.get("method").asText().equals("vclinic")) {
                pages += x.get("pages").asInt();
                days += x.get("patient_days").asDouble();
            }
        }
        lines.add(String.format(Locale.ROOT, "Stable patients with artefacts: %d pages in %.1f patient-days at the three"
                + " intervals (goal 0): %s.", pages, days, pages == 0 ? "met" : "not met"));
        JsonNode ours = m.at("/sepsis/methods/vclinic");
        JsonNode news2 = m.at("/sepsis/methods/news2_5");
        boolean sepsisMet = ours.at("/sensitivity_at_onset/value").asDouble() >= 0.82
                && ours.get("false_alerts_per_patient_day").asDouble() <= 1.0;
        lines.add("Sepsis, held-out stays: sensitivity at onset " + f2(ours.at("/sensitivity_at_onset/value")) + " at "
                + f2(ours.get("false_alerts_per_patient_day")) + " false alerts per patient-day (goal 0.82 or more at 1.0 or"
                + " less; NEWS2 >= 5 " + f2(news2.at("/sensitivity_at_onset/value")) + " at "
                + f2(news2.get("false_alerts_per_patient_day")) + "): " + (sepsisMet ? "met" : "not met") + ".");
        c.put("goals", lines);
        List<Map<String, String>> training = new ArrayList<>();
        m.at("/sepsis/training_half/methods").forEach(x -> training.add(Map.of("name", x.get("name").asText(),
                "ours", Boolean.toString(x.get("ours").asBoolean()),
                "sensitivity", f2(x.at("/sensitivity_at_onset/value")) + " (" + x.at("/sensitivity_at_onset/count").asInt() + "/"
                        + x.at("/sensitivity_at_onset/n").asInt() + ")",
                "falseAlerts", f2(x.get("false_alerts_per_patient_day")), "pages", f2(x.get("pages_per_patient_day")))));
        c.put("sepsisTraining", training);
        c.put("trainingStays", m.at("/sepsis/training_half/stays").asInt());
        c.put("trainingSeptic", m.at("/sepsis/training_half/septic").asInt());
        List<Map<String, String>> bench = new ArrayList<>();
        benchRuns.path("runs").forEach(x -> bench.add(Map.of(
                "fraction", String.format(Locale.ROOT, "%.0f%%", x.get("rate_fraction").asDouble() * 100),
                "record", x.path("clinical_record").asBoolean(false) ? "on" : "off",
                "rate", String.format(Locale.ROOT, "%,d of %,d", x.get("open_loop_samples_per_second").asLong(),
                        x.get("max_samples_per_second").asLong()),
                "p50", f2(x.get("latency_p50_ms")), "p99", f2(x.get("latency_p99_ms")), "max", f1(x.get("latency_max_ms")),
                "collector", x.get("collector").asText() + (x.get("jvm_options").asText().isEmpty() ? ""
                        : " (" + x.get("jvm_options").asText() + ")"),
                "machine", x.get("cores").asInt() + " cores, load average " + f2(x.get("load_average_1min")),
                "when", x.get("when").asText())));
        c.put("bench", bench);
        List<Map<String, String>> clinic = new ArrayList<>();
        benchRuns.path("runs").forEach(x -> {
            JsonNode l = x.path("clinic_load");
            if (!l.isMissingNode()) {
                clinic.add(Map.of(
                        "record", x.path("clinical_record").asBoolean(false) ? "on" : "off",
                        "patients", String.format(Locale.ROOT, "%,d (%,d samples/s, %d alerts%s)",
                                l.get("patients_sending_every_second").asLong(), l.get("their_samples_per_second").asLong(),
                                l.get("their_alerts").asLong(), l.has("trend_samples_lost")
                                        ? String.format(Locale.ROOT, "; trend samples lost in the phase: %,d",
                                                l.get("trend_samples_lost").asLong()) : ""),
                        "probes", String.format(Locale.ROOT, "%,d samples/s, %,d alerts timed",
                                l.get("probe_samples_per_second").asLong(), l.get("alerts_timed").asLong()),
                        "p50", f2(l.get("latency_p50_ms")), "p99", f2(l.get("latency_p99_ms")), "max", f1(l.get("latency_max_ms")),
                        "gc", l.get("gc_in_timed_phase").asText(),
                        "when", x.get("when").asText()));
            }
        });
        c.put("clinicBench", clinic);
    }

    private static String minutes(JsonNode v) {
        return v.isNull() ? "not reached" : f1(v) + " min";
    }

    private static String interval(int seconds) {
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min";
    }

    private static String operatingPoints(JsonNode methods) {
        XYChart chart = Charts.chart("Sepsis: sensitivity at onset against false alerts", "false alerts per patient-day",
                "sensitivity at onset (48 h)");
        double max = 0;
        for (JsonNode x : methods) {
            max = Math.max(max, x.get("false_alerts_per_patient_day").asDouble());
        }
        chart.getStyler().setXAxisMax(Math.ceil(max * 1.2 * 2) / 2);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (JsonNode x : methods) {
            XYSeries s = chart.addSeries(x.get("name").asText(), new double[] {x.get("false_alerts_per_patient_day").asDouble()},
                    new double[] {x.at("/sensitivity_at_onset/value").asDouble()});
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return Charts.svg(chart, "operating");
    }

    private static String roc(BeatEvaluation.Scored scored) {
        XYChart chart = Charts.chart("ECG5000 test beats: abnormal vs normal", "false positive rate", "true positive rate");
        Charts.diagonal(chart, "chance");
        List<BinaryMetrics.RocPoint> points = thin(BinaryMetrics.roc(scored.abnormal(), scored.probability()));
        XYSeries s = chart.addSeries("ecg-beat", points.stream().mapToDouble(BinaryMetrics.RocPoint::falsePositiveRate).toArray(),
                points.stream().mapToDouble(BinaryMetrics.RocPoint::truePositiveRate).toArray());
        s.setMarker(SeriesMarkers.NONE);
        return Charts.svg(chart, "roc");
    }

    /**
     * The ROC curve with points closer than 0.002 (in FPR + TPR) to the last kept one left out: 4,500
     * thresholds would make a megabyte of SVG for a curve that looks the same.
     */
    static List<BinaryMetrics.RocPoint> thin(List<BinaryMetrics.RocPoint> points) {
        List<BinaryMetrics.RocPoint> kept = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            BinaryMetrics.RocPoint p = points.get(i);
            BinaryMetrics.RocPoint last = kept.isEmpty() ? null : kept.getLast();
            if (last == null || i == points.size() - 1 || Math.abs(p.falsePositiveRate() - last.falsePositiveRate())
                    + Math.abs(p.truePositiveRate() - last.truePositiveRate()) >= 0.002) {
                kept.add(p);
            }
        }
        return kept;
    }

    private static String proportion(JsonNode p) {
        return f4(p.get("value")) + " (" + f4(p.get("ci_low")) + " to " + f4(p.get("ci_high")) + "; n = " + p.get("n").asInt() + ")";
    }

    private static String f1(JsonNode v) {
        return format(v, "%.1f");
    }

    private static String f2(JsonNode v) {
        return format(v, "%.2f");
    }

    private static String f4(JsonNode v) {
        return format(v, "%.4f");
    }

    private static String format(JsonNode v, String pattern) {
        return v == null || v.isMissingNode() || v.isNull() || Double.isNaN(v.asDouble()) ? "n/a"
                : String.format(Locale.ROOT, pattern, v.asDouble());
    }
}
