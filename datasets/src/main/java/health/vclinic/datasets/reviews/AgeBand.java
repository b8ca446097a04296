package health.vclinic.datasets.reviews;

import health.vclinic.datasets.InvalidInputException;
import java.util.List;

/**
 * An age band, as de-identified data keeps ages: under 1, 1-4, 5-9, 10-15, then five-year bands from 16-19
 * to 85-89, and 90 or over (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C), aggregates ages over 89). The
 * edges keep every age the triage engine and its features decide on: 16 (adult NEWS2; paediatric limits
 * below) and 65 (the {@code age:65-plus} feature).
 *
 * @param low the youngest age in the band, in whole years
 * @param high the first age past the band; {@link #OPEN} for the last band
 */
public record AgeBand(int low, int high) {

    /** The upper bound of the last band. */
    public static final int OPEN = Integer.MAX_VALUE;
    /** The age a training example is given for the last band: the middle of 90-94. */
    static final double OLDEST_REPRESENTATIVE = 92.5;

    private static final List<Integer> EDGES = List.of(0, 1, 5, 10, 16, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70,
            75, 80, 85, 90);

    public AgeBand {
        int i = EDGES.indexOf(low);
        if (i < 0 || high != (i + 1 < EDGES.size() ? EDGES.get(i + 1) : OPEN)) {
            throw new IllegalArgumentException("not an age band: " + low + "-" + high);
        }
    }

    /** The band of an age in years. */
    public static AgeBand of(double ageYears) {
        int i = EDGES.size() - 1;
        while (EDGES.get(i) > ageYears) {
            i--;
        }
        return new AgeBand(EDGES.get(i), i + 1 < EDGES.size() ? EDGES.get(i + 1) : OPEN);
    }

    /** "0", "1-4", ..., "85-89", "90+". */
    public String label() {
        if (high == OPEN) {
            return low + "+";
        }
        return high - low == 1 ? Integer.toString(low) : low + "-" + (high - 1);
    }

    /** The band with this label. */
    public static AgeBand parse(String label, String field) {
        for (int i = 0; i < EDGES.size(); i++) {
            AgeBand b = new AgeBand(EDGES.get(i), i + 1 < EDGES.size() ? EDGES.get(i + 1) : OPEN);
            if (b.label().equals(label)) {
                return b;
            }
        }
        throw new InvalidInputException(field, "must be an age band: 0, 1-4, 5-9, 10-15, 16-19, 20-24, ..., 85-89 or 90+");
    }

    /** The age a model is given for the band: its middle (92.5 for 90 or over). */
    public double representativeAge() {
        return high == OPEN ? OLDEST_REPRESENTATIVE : (low + high) / 2.0;
    }
}
