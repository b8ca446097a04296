package health.vclinic.inference;

import java.util.Collection;

/**
 * The five triage levels of ESI and KTAS, 1 the most urgent, each with the disposition a virtual
 * clinic gives. KTAS target times to physician: 1 immediate, 2 within 15 minutes, 3 within 30, 4
 * within 60, 5 within 120 (Korean Triage and Acuity Scale, 2016).
 */
public enum TriageLevel {
    RESUSCITATION(1, Disposition.EMERGENCY_SERVICES),
    EMERGENT(2, Disposition.EMERGENCY_DEPARTMENT),
    URGENT(3, Disposition.URGENT_CARE_24H),
    LESS_URGENT(4, Disposition.ROUTINE_CONSULT),
    NON_URGENT(5, Disposition.SELF_CARE);

    private final int level;
    private final Disposition disposition;
    /** {@link #words()}, written once. */
    private final String words;

    TriageLevel(int level, Disposition disposition) {
        this.level = level;
        this.disposition = disposition;
        this.words = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** 1 (resuscitation) to 5 (non-urgent). */
    public int level() {
        return level;
    }

    public Disposition disposition() {
        return disposition;
    }

    /** The level numbered {@code level}; 1 to 5. */
    public static TriageLevel of(int level) {
        if (level < 1 || level > 5) {
            throw new IllegalArgumentException("a triage level is 1 to 5");
        }
        return values()[level - 1];
    }

    public boolean moreUrgentThan(TriageLevel other) {
        return level < other.level;
    }

    /** The more urgent of the two. */
    public static TriageLevel mostUrgent(TriageLevel a, TriageLevel b) {
        return a.level <= b.level ? a : b;
    }

    public static TriageLevel mostUrgent(Collection<TriageLevel> levels) {
        return levels.stream().reduce(NON_URGENT, TriageLevel::mostUrgent);
    }

    /** Lower-case words for explanations ("emergent"). */
    public String words() {
        return words;
    }
}
