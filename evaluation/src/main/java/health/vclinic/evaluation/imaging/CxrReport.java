package health.vclinic.evaluation.imaging;

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
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the chest X-ray report: metrics.json and a self-contained report.html (Pebble, autoescaped;
 * XChart SVG charts and the saliency PNGs embedded). Numbers are formatted here, so the template only
 * lays them out.
 */
final class CxrReport {

    static final String METRICS_FILE = "metrics.json";
    static final String REPORT_FILE = "report.html";
    private static final String TEMPLATE = "health/vclinic/evaluation/imaging/cxr-report.peb";

    private static final ObjectWriter WRITER = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    private static final PebbleEngine PEBBLE = new PebbleEngine.Builder()
            .loader(new ClasspathLoader())
            .autoEscaping(true)
            .strictVariables(true)
            .defaultLocale(Locale.ROOT)
            .build();

    private CxrReport() {
    }

    static void write(Path dir, JsonNode metrics, JsonNode card, List<CxrEvaluation.Case> cases,
                      List<CxrEvaluation.Example> truePositives, List<CxrEvaluation.Example> falsePositives) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(METRICS_FILE), WRITER.writeValueAsString(metrics) + "\n", UTF_8);
            Files.writeString(dir.resolve(REPORT_FILE), html(metrics, card, cases, truePositives, falsePositives), UTF_8);
        } catch (IOException e) {
            throw new EvaluationException("cannot write the report into " + dir + ": " + e, e);
        }
    }

    static String html(JsonNode m, JsonNode card, List<CxrEvaluation.Case> cases,
                       List<CxrEvaluation.Example> truePositives, List<CxrEvaluation.Example> falsePositives)
            throws IOException {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", m.get("model").asText());
        c.put("paramsSha", m.get("params_sha256").asText());
        c.put("dataFile", m.at("/data/file").asText());
        c.put("dataSha", m.at("/data/sha256").asText());
        c.put("images", m.at("/data/images").asInt());
        c.put("normal", m.at("/data/normal").asInt());
        c.put("pneumonia", m.at("/data/pneumonia").asInt());
        c.put("auroc", f3(m.at("/auroc/value")) + " (95% CI " + f3(m.at("/auroc/ci_low")) + " to "
                + f3(m.at("/auroc/ci_high")) + ")");
        c.put("aurocMethod", m.at("/auroc/method").asText());
        c.put("threshold", f3(m.get("threshold")));
        c.put("thresholdRule", m.get("threshold_rule").asText());
        JsonNode at = m.get("at_threshold");
        List<String[]> rows = new ArrayList<>();
        for (String[] r : new String[][] {{"Accuracy", "accuracy"}, {"Sensitivity (recall)", "sensitivity"},
                {"Specificity", "specificity"}, {"Positive predictive value", "ppv"},
                {"Negative predictive value", "npv"}}) {
            JsonNode p = at.get(r[1]);
            rows.add(new String[] {r[0], f3(p.get("value")), f3(p.get("ci_low")) + " to " + f3(p.get("ci_high")),
                    Integer.toString(p.get("n").asInt())});
        }
        c.put("operating", rows);
        c.put("f1", f3(at.get("f1")));
        JsonNode confusion = at.get("confusion");
        c.put("tp", confusion.get("true_positive").asInt());
        c.put("fp", confusion.get("false_positive").asInt());
        c.put("tn", confusion.get("true_negative").asInt());
        c.put("fn", confusion.get("false_negative").asInt());
        c.put("accuracyHalf", f3(m.at("/at_0_5/accuracy")));
        c.put("sensitivityHalf", f3(m.at("/at_0_5/sensitivity")));
        c.put("specificityHalf", f3(m.at("/at_0_5/specificity")));
        List<String[]> benchmarks = new ArrayList<>();
        m.get("benchmarks").forEach(b -> benchmarks.add(new String[] {b.get("method").asText(), f3(b.get("auroc")),
                f3(b.get("accuracy"))}));
        c.put("benchmarks", benchmarks);
        c.put("ourAuroc", f3(m.at("/auroc/value")));
        c.put("ourAccuracy", f3(at.at("/accuracy/value")));
        JsonNode cal = m.get("calibration");
        c.put("temperature", f3(cal.get("temperature")));
        c.put("ece", f3(cal.get("ece")));
        c.put("eceRaw", f3(cal.get("ece_uncalibrated")));
        c.put("brier", f3(cal.get("brier")));
        c.put("brierRaw", f3(cal.get("brier_uncalibrated")));
        c.put("nll", f3(cal.get("nll")));
        c.put("nllRaw", f3(cal.get("nll_uncalibrated")));
        c.put("meanProbability", f3(cal.get("mean_probability")));
        c.put("prevalence", f3(cal.get("prevalence")));
        c.put("calibrationNote", cal.get("note").asText());
        c.put("rocSvg", roc(cases, m.get("threshold").asDouble()));
        c.put("reliabilitySvg", reliability(cal));
        c.put("valAuroc", f3(card.at("/metrics/validation/auroc")));
        c.put("valSensitivity", f3(card.at("/metrics/validation/sensitivity")));
        c.put("valSpecificity", f3(card.at("/metrics/validation/specificity")));
        c.put("epochs", card.at("/training/epochs_run").asInt() + " epochs run, epoch "
                + card.at("/training/best_epoch").asInt() + " kept");
        c.put("saliencyMethod", m.at("/saliency_examples/method").asText());
        c.put("tpRule", m.at("/saliency_examples/true_positives").asText());
        c.put("fpRule", m.at("/saliency_examples/false_positives").asText());
        c.put("truePositives", tiles(truePositives));
        c.put("falsePositives", tiles(falsePositives));
        c.put("intendedUse", card.path("intended_use").asText(""));
        StringWriter out = new StringWriter();
        PEBBLE.getTemplate(TEMPLATE).evaluate(out, c);
        return out.toString();
    }

    private static List<Map<String, String>> tiles(List<CxrEvaluation.Example> examples) {
        List<Map<String, String>> tiles = new ArrayList<>();
        for (CxrEvaluation.Example e : examples) {
            Map<String, String> t = new LinkedHashMap<>();
            t.put("src", "data:image/png;base64," + Base64.getEncoder().encodeToString(e.saliency().overlayPng()));
            t.put("caption", "test #" + e.c().index() + ": p = " + String.format(Locale.ROOT, "%.3f",
                    e.c().probability()) + ", largest logit fall " + String.format(Locale.ROOT, "%.2f",
                    e.saliency().maxLogitDrop()));
            tiles.add(t);
        }
        return tiles;
    }

    private static String roc(List<CxrEvaluation.Case> cases, double threshold) {
        boolean[] positive = new boolean[cases.size()];
        double[] p = new double[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            positive[i] = cases.get(i).positive();
            p[i] = cases.get(i).probability();
        }
        XYChart chart = Charts.chart("ROC: pneumonia, PneumoniaMNIST test split", "false positive rate (1 - specificity)",
                "true positive rate (sensitivity)");
        Charts.diagonal(chart, "chance");
        List<BinaryMetrics.RocPoint> points = corners(BinaryMetrics.roc(positive, p));
        XYSeries curve = chart.addSeries("model", points.stream().mapToDouble(BinaryMetrics.RocPoint::falsePositiveRate)
                .toArray(), points.stream().mapToDouble(BinaryMetrics.RocPoint::truePositiveRate).toArray());
        curve.setMarker(SeriesMarkers.NONE);
        CxrEvaluation.Confusion at = CxrEvaluation.Confusion.of(cases, threshold);
        XYSeries point = chart.addSeries("operating point (card threshold)", new double[] {1 - at.specificity()},
                new double[] {at.sensitivity()});
        point.setMarker(SeriesMarkers.DIAMOND);
        point.setLineStyle(new BasicStroke(0f));
        point.setMarkerColor(Color.RED);
        return Charts.svg(chart, "roc");
    }

    /**
     * The curve's corners only: a point between two others on the same vertical or horizontal run
     * draws nothing, and the hundreds of them would only make the SVG larger.
     */
    static List<BinaryMetrics.RocPoint> corners(List<BinaryMetrics.RocPoint> points) {
        List<BinaryMetrics.RocPoint> out = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            if (i > 0 && i < points.size() - 1) {
                BinaryMetrics.RocPoint a = points.get(i - 1);
                BinaryMetrics.RocPoint b = points.get(i);
                BinaryMetrics.RocPoint c = points.get(i + 1);
                boolean vertical = a.falsePositiveRate() == b.falsePositiveRate()
                        && b.falsePositiveRate() == c.falsePositiveRate();
                boolean horizontal = a.truePositiveRate() == b.truePositiveRate()
                        && b.truePositiveRate() == c.truePositiveRate();
                if (vertical || horizontal) {
                    continue;
                }
            }
            out.add(points.get(i));
        }
        return out;
    }

    private static String reliability(JsonNode cal) {
        XYChart chart = Charts.chart("Reliability: P(pneumonia), test split", "mean predicted probability",
                "observed fraction with pneumonia");
        Charts.diagonal(chart, "perfect calibration");
        addBins(chart, "after temperature scaling", cal.get("bins"), SeriesMarkers.CIRCLE);
        addBins(chart, "before (sigmoid of the logit)", cal.get("bins_uncalibrated"), SeriesMarkers.SQUARE);
        return Charts.svg(chart, "reliability");
    }

    private static void addBins(XYChart chart, String name, JsonNode bins, org.knowm.xchart.style.markers.Marker marker) {
        double[] x = new double[bins.size()];
        double[] y = new double[bins.size()];
        for (int i = 0; i < bins.size(); i++) {
            x[i] = bins.get(i).get("mean_predicted").asDouble();
            y[i] = bins.get(i).get("observed").asDouble();
        }
        chart.addSeries(name, x, y).setMarker(marker);
    }

    private static String f3(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "n/a" : String.format(Locale.ROOT, "%.3f", n.asDouble());
    }
}
