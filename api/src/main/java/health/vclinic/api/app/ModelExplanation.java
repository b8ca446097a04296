package health.vclinic.api.app;

import health.vclinic.api.triage.v1.LevelProbability;
import health.vclinic.api.triage.v1.TriageAssessment;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the triage model said, for a clinician: its probability of each level and the clinical inputs that pushed
 * it most, as a signed bar chart in words ("temperature 39.5 °C: towards more urgent"). The contributions are the
 * model's occlusion explanations (the change of its urgency score, in log-odds, when an input is set to its
 * reference), which the engine writes into the assessment's explanation with values already rounded as a
 * clinician writes them; the app shows their direction and relative size, and their strength in words, never a
 * raw log-odds figure.
 *
 * @param source the model that gave the opinion ("triage-acuity@2"), empty without a model
 * @param proposedLevel the level the model proposed, 0 when unknown
 * @param levels the probability of each level, level 1 first
 * @param contributions the inputs that moved the score most, largest first
 */
record ModelExplanation(String source, int proposedLevel, List<LevelRow> levels, List<Contribution> contributions) {

    /** One level's probability as a clinician reads it ("12%", "<1%") with a bar of its size. */
    record LevelRow(int level, String acuity, String percent, String bar, boolean proposed) {
    }

    /**
     * One input's push.
     *
     * @param words the input with this encounter's value ("temperature 39.5 °C")
     * @param towards "more urgent" or "less urgent"
     * @param strength "strong", "moderate" or "slight"
     * @param bar a small signed bar (SVG), hidden from screen readers: the words say it
     * @param approximate true when the model's explanations are approximate (not a cumulative-logit model)
     */
    record Contribution(String words, String towards, String strength, String bar, boolean approximate) {
    }

    private static final Pattern OPINION = Pattern.compile("^Model (\\S+) proposed level (\\d)");
    private static final Pattern REASON = Pattern.compile(
            "([^;]+?): towards (more|less) urgent \\(([+-]?[0-9]+(?:\\.[0-9]+)?)(, approximate)?\\)");

    ModelExplanation {
        levels = List.copyOf(levels);
        contributions = List.copyOf(contributions);
    }

    boolean present() {
        return !levels.isEmpty() || !contributions.isEmpty();
    }

    static ModelExplanation of(TriageAssessment a) {
        String source = "";
        int proposed = 0;
        List<Parsed> parsed = new ArrayList<>();
        for (String line : a.getExplanationList()) {
            Matcher m = OPINION.matcher(line);
            if (!m.find()) {
                continue;
            }
            source = m.group(1).startsWith("model:") ? m.group(1).substring("model:".length()) : m.group(1);
            proposed = Integer.parseInt(m.group(2));
            Matcher r = REASON.matcher(line.substring(m.end()));
            while (r.find()) {
                parsed.add(new Parsed(r.group(1).strip(), Double.parseDouble(r.group(3)), r.group(4) != null));
            }
        }
        double largest = parsed.stream().mapToDouble(p -> Math.abs(p.value)).max().orElse(1);
        List<Contribution> contributions = parsed.stream().map(p -> new Contribution(p.words,
                p.value >= 0 ? "more urgent" : "less urgent", strength(p.value), signedBar(p.value / largest),
                p.approximate)).toList();
        List<LevelRow> levels = new ArrayList<>();
        for (LevelProbability p : a.getLevelProbabilitiesList()) {
            levels.add(new LevelRow(p.getLevel(), Clinical.acuity(p.getLevel()), percent(p.getProbability()),
                    bar(p.getProbability()), p.getLevel() == proposed));
        }
        return new ModelExplanation(source, proposed, levels, contributions);
    }

    private record Parsed(String words, double value, boolean approximate) {
    }

    /** How strongly an input pushed, in words: a change of the odds by a factor of about 2.7 or more is strong. */
    static String strength(double logOdds) {
        double m = Math.abs(logOdds);
        return m >= 1 ? "strong" : m >= 0.3 ? "moderate" : "slight";
    }

    /** A probability as a clinician says it: whole per cent, "<1%" below one, ">99%" above 99. */
    static String percent(double p) {
        if (p < 0.005) {
            return "<1%";
        }
        if (p > 0.995) {
            return ">99%";
        }
        return Math.round(p * 100) + "%";
    }

    private static String bar(double p) {
        double w = 160 * Math.max(0, Math.min(1, p));
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar\" viewBox=\"0 0 160 14\" aria-hidden=\"true\""
                + " focusable=\"false\"><rect x=\"0\" y=\"1\" width=\"160\" height=\"12\" class=\"bar-track\"/>"
                + "<rect x=\"0\" y=\"1\" width=\"" + Svg.n(w) + "\" height=\"12\" class=\"bar-value\"/></svg>";
    }

    /** A bar from the centre, right towards more urgent, left towards less; {@code share} in -1..1. */
    private static String signedBar(double share) {
        double half = 80;
        double w = half * Math.min(1, Math.abs(share));
        double x = share >= 0 ? half : half - w;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar\" viewBox=\"0 0 160 14\" aria-hidden=\"true\""
                + " focusable=\"false\"><rect x=\"0\" y=\"1\" width=\"160\" height=\"12\" class=\"bar-track\"/>"
                + "<rect x=\"" + Svg.n(x) + "\" y=\"1\" width=\"" + Svg.n(w) + "\" height=\"12\" class=\""
                + (share >= 0 ? "bar-more" : "bar-less") + "\"/><line x1=\"80\" y1=\"0\" x2=\"80\" y2=\"14\""
                + " class=\"bar-axis\"/></svg>";
    }
}
