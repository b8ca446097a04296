package health.vclinic.api.app;

import health.vclinic.api.triage.v1.News2;
import health.vclinic.api.triage.v1.News2Band;
import health.vclinic.api.triage.v1.Spo2Scale;
import health.vclinic.inference.news2.News2Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An assessment's NEWS2 as the chart shows it (Royal College of Physicians, NEWS2, 2017, Chart 1 and Chart 4):
 * the seven parameters in the chart's order, each with its value, its points and the band colour of those points
 * (0 white, 1 yellow, 2 orange, 3 red); a parameter that was not measured is marked missing, never scored as
 * normal, and the total is then a lower bound.
 *
 * @param rows the parameters in the chart's order
 * @param total the aggregate score
 * @param band the clinical risk band in words ("medium")
 * @param bandClass the band's CSS class
 * @param complete false when a parameter was not measured
 * @param missing how many parameters were not measured
 * @param scale "Scale 1" or "Scale 2 (hypercapnic respiratory failure)"
 * @param notes the scoring's caveats
 */
record News2Chart(List<Row> rows, int total, String band, String bandClass, boolean complete, int missing,
                  String scale, List<String> notes) {

    /**
     * One parameter.
     *
     * @param name as the chart names it
     * @param value the value as scored, with its unit; "not measured" when missing
     * @param points "0" to "3", or "–" when missing
     * @param cssClass {@code p0} to {@code p3}, or {@code missing}
     * @param status the points or the absence in words, so that colour is never the only signal
     */
    record Row(String name, String value, String points, String cssClass, String status) {
    }

    News2Chart {
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    /** The chart of an assessment's NEWS2 (applicable: an adult). */
    static News2Chart of(News2 news2) {
        List<Row> rows = new ArrayList<>(7);
        for (News2Parameter p : News2Parameter.values()) {
            Optional<health.vclinic.api.triage.v1.News2Parameter> scored = news2.getParametersList().stream()
                    .filter(s -> s.getParameter().equals(p.id())).findFirst();
            String name = name(p, news2.getSpo2Scale());
            if (scored.isEmpty()) {
                rows.add(new Row(name, "not measured", "–", "missing", "missing: not scored"));
                continue;
            }
            int points = scored.get().getPoints();
            String unit = p.unit().isEmpty() ? "" : (p.unit().equals("%") ? "" : " ") + p.unit();
            rows.add(new Row(name, scored.get().getValue() + unit, Integer.toString(points), "p" + points,
                    points == 1 ? "1 point" : points + " points"));
        }
        return new News2Chart(rows, news2.getTotal(), bandWords(news2.getBand()), bandClass(news2.getBand()),
                news2.getComplete(), news2.getMissingParametersCount(),
                news2.getSpo2Scale() == Spo2Scale.SCALE_2 ? "Scale 2 (hypercapnic respiratory failure)" : "Scale 1",
                news2.getNotesList());
    }

    private static String name(News2Parameter p, Spo2Scale scale) {
        return switch (p) {
            case RESPIRATORY_RATE -> "Respiration rate";
            case SPO2 -> scale == Spo2Scale.SCALE_2 ? "SpO2 Scale 2" : "SpO2 Scale 1";
            case AIR_OR_OXYGEN -> "Air or oxygen?";
            case SYSTOLIC_BP -> "Systolic blood pressure";
            case PULSE -> "Pulse";
            case CONSCIOUSNESS -> "Consciousness";
            case TEMPERATURE -> "Temperature";
        };
    }

    /** Chart 4's bands in words. */
    static String bandWords(News2Band band) {
        return switch (band) {
            case LOW -> "low";
            case LOW_MEDIUM -> "low-medium (a single parameter scored 3)";
            case MEDIUM -> "medium";
            case HIGH -> "high";
            default -> "not scored";
        };
    }

    private static String bandClass(News2Band band) {
        return switch (band) {
            case LOW -> "band-low";
            case LOW_MEDIUM -> "band-low-medium";
            case MEDIUM -> "band-medium";
            case HIGH -> "band-high";
            default -> "band-none";
        };
    }
}
