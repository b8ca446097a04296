package health.vclinic.inference.monitoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The features of a patient's window that the anomaly forest reads: the one code path for training
 * (the pipeline replays stays through a {@link PatientWindow} and calls {@link #compute}) and for
 * serving, so the two cannot drift apart.
 *
 * <p>For heart rate, respiratory rate, systolic BP, SpO2 and temperature: the current value (median
 * of the last {@value #CURRENT_MINUTES} min, carried forward up to {@value #CARRY_HOURS} h), its
 * change against the {@value #LOOKBACK_HOURS} h mean, and the {@value #LOOKBACK_HOURS} h standard
 * deviation of the bucket means; plus the shock index (heart rate / systolic BP, Allgöwer 1967). The
 * spans are fixed here, not taken from the monitoring configuration, because they are part of what
 * the model learnt; the bucket width is recorded on the model card and checked when it is loaded.
 *
 * <p>A vital not measured is imputed with a normal adult value ({@link #REFERENCE}) and its change and
 * variability with 0, so missing data looks normal rather than anomalous. No features are computed
 * until at least two of the five vitals have a current value.
 */
public final class WindowFeatures {

    /** Identifies this feature definition; a model trained on another one is refused. */
    public static final String VERSION = "window-features-1";

    static final int CURRENT_MINUTES = 90;
    static final int CARRY_HOURS = 4;
    static final int LOOKBACK_HOURS = 6;

    /** Look-back the window must keep for these features. */
    public static final long LOOKBACK_MILLIS = LOOKBACK_HOURS * 3_600_000L;

    private static final long CURRENT_MILLIS = CURRENT_MINUTES * 60_000L;
    private static final long CARRY_MILLIS = CARRY_HOURS * 3_600_000L;
    private static final Vital[] VITALS = {Vital.HEART_RATE, Vital.RESPIRATORY_RATE, Vital.SYSTOLIC_BP, Vital.SPO2,
            Vital.TEMPERATURE};
    /** Normal adult values used for a vital not measured (inside NEWS2's 0-point bands). */
    static final double[] REFERENCE = {75, 16, 120, 97, 37.0};

    /** The feature names, in vector order. */
    public static final List<String> NAMES = names();

    private WindowFeatures() {
    }

    private static List<String> names() {
        List<String> n = new ArrayList<>();
        for (Vital v : VITALS) {
            n.add(v.id());
            n.add(v.id() + "_change_6h");
            n.add(v.id() + "_std_6h");
        }
        n.add("shock_index");
        return List.copyOf(n);
    }

    /** The feature vector at the window's newest sample, or empty when too little is known. */
    public static Optional<double[]> compute(PatientWindow w) {
        double[] x = new double[NAMES.size()];
        int known = 0;
        for (int i = 0; i < VITALS.length; i++) {
            Vital v = VITALS[i];
            double now = w.smoothed(v, CURRENT_MILLIS, CARRY_MILLIS);
            if (Double.isNaN(now)) {
                x[3 * i] = REFERENCE[i];
                continue;
            }
            known++;
            double mean = w.mean(v, LOOKBACK_MILLIS);
            double std = w.std(v, LOOKBACK_MILLIS);
            x[3 * i] = now;
            x[3 * i + 1] = Double.isNaN(mean) ? 0 : now - mean;
            x[3 * i + 2] = Double.isNaN(std) ? 0 : std;
        }
        if (known < 2) {
            return Optional.empty();
        }
        x[x.length - 1] = x[0] / x[6];
        return Optional.of(x);
    }
}
