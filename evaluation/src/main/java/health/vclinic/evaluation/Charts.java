package health.vclinic.evaluation;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, drawn by XChart and exported as SVG (VectorGraphics2D); needs a headless AWT. */
public final class Charts {

    private static final Pattern DECIMALS = Pattern.compile("(\\d\\.\\d{2})\\d+");
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\n\\s*");
    private static final Pattern CLIP_ID = Pattern.compile("clip-?\\d+");
    private static final int WIDTH = 560;
    private static final int HEIGHT = 420;

    private Charts() {
    }

    /** Reliability diagram of the model's P(level 1-2): observed fraction against mean prediction per bin. */
    static String reliability(JsonNode bins) {
        XYChart chart = chart("Reliability: P(level 1-2), test site", "mean predicted probability",
                "observed fraction at level 1-2");
        diagonal(chart, "perfect calibration");
        double[] x = new double[bins.size()];
        double[] y = new double[bins.size()];
        for (int i = 0; i < bins.size(); i++) {
            x[i] = bins.get(i).get("mean_predicted").asDouble();
            y[i] = bins.get(i).get("observed").asDouble();
        }
        XYSeries model = chart.addSeries("model (bins of 0.1)", x, y);
        model.setMarker(SeriesMarkers.CIRCLE);
        return svg(chart, "reliability");
    }

    /** ROC curves for high acuity (expert level 1-2) of every predictor. */
    static String roc(TriageEvaluation.Evaluated evaluated) {
        XYChart chart = chart("ROC: expert level 1-2, test site", "false positive rate", "true positive rate");
        diagonal(chart, "chance");
        boolean[] high = TriageEvaluation.highAcuity(evaluated.expert());
        for (TriageEvaluation.Predictor p : evaluated.predictors()) {
            List<BinaryMetrics.RocPoint> points = drawn(BinaryMetrics.roc(high, p.highAcuityScore()));
            double[] x = points.stream().mapToDouble(BinaryMetrics.RocPoint::falsePositiveRate).toArray();
            double[] y = points.stream().mapToDouble(BinaryMetrics.RocPoint::truePositiveRate).toArray();
            XYSeries s = chart.addSeries(p.name(), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        return svg(chart, "roc");
    }

    /** The smallest step, as a fraction of an axis, between two drawn points of a curve: about 2 px here. */
    static final double DRAWN_STEP = 0.004;

    /**
     * The points of a curve worth drawing: the first, the last, and each corner (where the curve turns)
     * at least {@link #DRAWN_STEP} from the last kept point on either axis. A ROC curve of a score with a
     * value per visit has a point per visit, each drawn by XChart as its own SVG element; points on a
     * straight run, and points within 2 px of each other, change nothing visible but the report's size.
     */
    static List<BinaryMetrics.RocPoint> drawn(List<BinaryMetrics.RocPoint> points) {
        if (points.size() <= 2) {
            return points;
        }
        List<BinaryMetrics.RocPoint> kept = new java.util.ArrayList<>();
        kept.add(points.getFirst());
        for (int i = 1; i < points.size() - 1; i++) {
            BinaryMetrics.RocPoint before = points.get(i - 1);
            BinaryMetrics.RocPoint at = points.get(i);
            BinaryMetrics.RocPoint after = points.get(i + 1);
            double cross = (at.falsePositiveRate() - before.falsePositiveRate()) * (after.truePositiveRate() - at.truePositiveRate())
                    - (at.truePositiveRate() - before.truePositiveRate()) * (after.falsePositiveRate() - at.falsePositiveRate());
            BinaryMetrics.RocPoint last = kept.getLast();
            boolean far = Math.abs(at.falsePositiveRate() - last.falsePositiveRate()) >= DRAWN_STEP
                    || Math.abs(at.truePositiveRate() - last.truePositiveRate()) >= DRAWN_STEP;
            if (cross != 0 && far) {
                kept.add(at);
            }
        }
        kept.add(points.getLast());
        return List.copyOf(kept);
    }

    /** An empty chart in the report's style: unit axes, white background, legend inside. */
    public static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideSE);
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(1.0);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setXAxisDecimalPattern("0.0");
        styler.setYAxisDecimalPattern("0.0");
        return chart;
    }

    /** The dashed grey y = x line. */
    public static void diagonal(XYChart chart, String meaning) {
        XYSeries d = chart.addSeries(meaning, new double[] {0, 1}, new double[] {0, 1});
        d.setMarker(SeriesMarkers.NONE);
        d.setLineStyle(SeriesLines.DASH_DASH);
        d.setLineColor(Color.GRAY);
    }

    /**
     * The chart as an inline SVG element: the XML declaration and doctype removed for embedding in
     * HTML, line breaks and indentation collapsed, coordinates rounded to 0.01 px (XChart draws labels as glyph outlines, and their six
     * decimals would triple the report's size for nothing visible), and clip ids, which VectorGraphics2D
     * derives from object hash codes, renumbered so that the same chart gives the same text.
     */
    public static String svg(XYChart chart, String id) {
        // What XChart's VectorGraphicsEncoder does, without its deprecated stream overload.
        VectorGraphics2D g = new VectorGraphics2D();
        chart.paint(g, WIDTH, HEIGHT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, WIDTH, HEIGHT)).writeTo(out);
        } catch (IOException e) {
            throw new EvaluationException("cannot draw the chart '" + chart.getTitle() + "': " + e, e);
        }
        String svg = out.toString(UTF_8);
        int start = svg.indexOf("<svg");
        svg = DECIMALS.matcher(start < 0 ? svg : svg.substring(start)).replaceAll("$1");
        // One space for each indented line break: the SVG has no text nodes (labels are glyph outlines).
        svg = LINE_BREAKS.matcher(svg).replaceAll(" ");
        Matcher clip = CLIP_ID.matcher(svg);
        Map<String, String> renamed = new LinkedHashMap<>();
        StringBuilder b = new StringBuilder();
        while (clip.find()) {
            String name = renamed.computeIfAbsent(clip.group(), k -> id + "-clip" + renamed.size());
            clip.appendReplacement(b, name);
        }
        clip.appendTail(b);
        return b.toString();
    }
}
