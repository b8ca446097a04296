package health.vclinic.api.app;

import java.util.Locale;

/**
 * A small writer of inline SVG (SVG 1.1) for the app's charts. Charts are drawn on the server so that the pages
 * need no script and no inline style (the Content-Security-Policy allows neither): colours come from classes in
 * the app's stylesheet or from presentation attributes. Every text is escaped; every chart has a title and a
 * description for screen readers ({@code role="img"}, WAI-ARIA Graphics Module).
 */
final class Svg {

    private final StringBuilder out = new StringBuilder(4096);

    /** A chart {@code width} by {@code height} user units, scaled to its container, labelled by its title. */
    Svg(String id, int width, int height, String title, String description) {
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 ")
                .append(width).append(' ').append(height).append("\" aria-labelledby=\"").append(id).append("-t ")
                .append(id).append("-d\"><title id=\"").append(id).append("-t\">").append(escape(title))
                .append("</title><desc id=\"").append(id).append("-d\">").append(escape(description)).append("</desc>");
    }

    Svg rect(double x, double y, double w, double h, String cssClass) {
        out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"")
                .append(n(Math.max(0, w))).append("\" height=\"").append(n(Math.max(0, h))).append("\" class=\"")
                .append(cssClass).append("\"/>");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String cssClass) {
        out.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" class=\"").append(cssClass).append("\"/>");
        return this;
    }

    Svg circle(double cx, double cy, double r, String cssClass) {
        out.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
                .append("\" class=\"").append(cssClass).append("\"/>");
        return this;
    }

    /** A polyline through the points {@code x[i], y[i]}. */
    Svg polyline(double[] x, double[] y, int count, String cssClass) {
        if (count == 0) {
            return this;
        }
        out.append("<polyline class=\"").append(cssClass).append("\" points=\"");
        for (int i = 0; i < count; i++) {
            out.append(n(x[i])).append(',').append(n(y[i])).append(' ');
        }
        out.setLength(out.length() - 1);
        out.append("\"/>");
        return this;
    }

    /** Text anchored {@code start}, {@code middle} or {@code end} at {@code x}. */
    Svg text(double x, double y, String anchor, String cssClass, String text) {
        out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" text-anchor=\"")
                .append(anchor).append("\" class=\"").append(cssClass).append("\">").append(escape(text))
                .append("</text>");
        return this;
    }

    String end() {
        return out.append("</svg>").toString();
    }

    static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
