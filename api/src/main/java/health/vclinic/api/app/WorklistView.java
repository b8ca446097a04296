package health.vclinic.api.app;

import health.vclinic.api.review.WorklistItem;
import health.vclinic.api.review.WorklistKind;
import health.vclinic.api.review.WorklistPage;
import health.vclinic.api.review.WorklistQuery;
import health.vclinic.datasets.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The worklist as the page shows it, from the review store's worklist ({@link WorklistPage}: assessments awaiting
 * review and open alerts, most urgent first, then oldest): each row with its level or the level its severity
 * stands for in colour and words, what it is, how long it has waited, the patient, the complaint or the alert's
 * reason, who decided (a rule, the model or a detector) and why it is on the list.
 */
final class WorklistView {

    /**
     * One row.
     *
     * @param level the triage level, or for an alert the level its severity counts as (the list's order)
     * @param badge the level or the alert's severity in words, shown on its colour ({@code badgeClass})
     */
    record Row(String id, String link, String item, String what, int level, String badge, String badgeClass,
               String age, String patientRef, String patientLink, String complaint, String decidedBy, String why) {
    }

    static final int PAGE_SIZE = 50;

    private WorklistView() {
    }

    /** The review store's query for these filters. */
    static WorklistQuery query(WorklistFilters f) {
        Set<WorklistKind> kinds = EnumSet.noneOf(WorklistKind.class);
        f.kinds().forEach(k -> kinds.add(WorklistKind.valueOf(k)));
        return new WorklistQuery(kinds, f.levels(), PAGE_SIZE, f.after().map(WorklistView::cursor));
    }

    static List<Row> rows(WorklistPage page) {
        return page.items().stream().map(WorklistView::row).toList();
    }

    private static Row row(WorklistItem i) {
        int level = Math.max(1, Math.min(5, i.level()));
        String ref = i.patientRef().orElse("");
        String why = i.kinds().stream().map(k -> WorklistFilters.KINDS.get(k.name())).collect(Collectors.joining(", "))
                + i.lastAction().map(a -> "; " + Clinical.words(a.name())).orElse("");
        String age = Clinical.age(Duration.ofSeconds(i.ageSeconds()));
        if (i.type() == WorklistItem.Type.ALERT) {
            String severity = i.severity().orElse("INFO");
            return new Row(i.id(), "/app/alerts/" + i.id(), "Alert", "counts as level " + level + " ("
                    + Clinical.acuity(level).toLowerCase(Locale.ROOT) + ")", level,
                    severity.charAt(0) + severity.substring(1).toLowerCase(Locale.ROOT) + " alert",
                    "severity sev-" + severity.toLowerCase(Locale.ROOT), age, ref, ClinicianApp.patientLink(ref),
                    String.join("; ", i.summary()), "detector: " + i.decidedBy(), why);
        }
        return new Row(i.id(), "/app/assessments/" + i.id(), "Assessment",
                Clinical.disposition(i.disposition().orElse(""), level), level,
                "Level " + level + " · " + Clinical.acuity(level), "level level-" + level, age, ref,
                ClinicianApp.patientLink(ref),
                i.chiefComplaint().filter(c -> !c.isBlank()).orElse("no chief complaint given"),
                Clinical.decidedBy(i.decidedBy()), why);
    }

    /** The page token of where a page ended: its urgency, time and id, in plain text. */
    static String token(WorklistQuery.Cursor c) {
        return c.urgency() + "_" + c.at().getEpochSecond() + "_" + c.at().getNano() + "_" + c.id();
    }

    static WorklistQuery.Cursor cursor(String token) {
        String[] p = token.split("_", -1);
        try {
            if (p.length != 4) {
                throw new IllegalArgumentException("parts");
            }
            return new WorklistQuery.Cursor(Integer.parseInt(p[0]), Instant.ofEpochSecond(Long.parseLong(p[1]),
                    Integer.parseInt(p[2])), UUID.fromString(p[3]));
        } catch (RuntimeException e) {
            throw new InvalidInputException("after", "must be as the \"Next page\" link gives it");
        }
    }
}
