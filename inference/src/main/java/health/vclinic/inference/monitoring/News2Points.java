package health.vclinic.inference.monitoring;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.news2.News2;
import health.vclinic.inference.news2.News2Parameter;
import java.util.function.IntFunction;

/**
 * NEWS2 totals (RCP 2017, Chart 1) without allocating, for the acute path that scores every sample:
 * each parameter's points for every value the chart can see, read once from {@link News2} itself at
 * start-up (so there is one chart in the code base, and this is a cache of it). Values are rounded to
 * the chart's precision as {@link News2} does (whole units; temperature to 0.1 °C, half up).
 */
final class News2Points {

    private static final int[] RR = table(0, 100, v -> VitalSigns.builder().respiratoryRate(Math.max(1, v)),
            News2Parameter.RESPIRATORY_RATE);
    private static final int[] SBP = table(30, 300, v -> VitalSigns.builder().systolicBp(v), News2Parameter.SYSTOLIC_BP);
    private static final int[] HR = table(20, 350, v -> VitalSigns.builder().heartRate(v), News2Parameter.PULSE);
    private static final int[] SPO2_SCALE1 = table(30, 100, v -> VitalSigns.builder().spo2(v), News2Parameter.SPO2);
    private static final int[] SPO2_SCALE2_AIR = table(30, 100, v -> VitalSigns.builder().spo2(v)
            .hypercapnicRespiratoryFailure(true).supplementalOxygen(false), News2Parameter.SPO2);
    private static final int[] SPO2_SCALE2_OXYGEN = table(30, 100, v -> VitalSigns.builder().spo2(v)
            .hypercapnicRespiratoryFailure(true).supplementalOxygen(true), News2Parameter.SPO2);
    /** Tenths of a degree from 25.0 to 45.0 °C. */
    private static final int[] TEMP = table(250, 450, v -> VitalSigns.builder().temperatureC(v / 10.0),
            News2Parameter.TEMPERATURE);
    private static final int OXYGEN = points(VitalSigns.builder().supplementalOxygen(true), News2Parameter.AIR_OR_OXYGEN);
    private static final int[] CONSCIOUSNESS = new int[Consciousness.values().length];

    static {
        for (Consciousness c : Consciousness.values()) {
            CONSCIOUSNESS[c.ordinal()] = points(VitalSigns.builder().consciousness(c), News2Parameter.CONSCIOUSNESS);
        }
    }

    private News2Points() {
    }

    private static int[] table(int from, int to, IntFunction<VitalSigns.Builder> vitals, News2Parameter p) {
        int[] t = new int[to - from + 1];
        for (int v = from; v <= to; v++) {
            t[v - from] = points(vitals.apply(v), p);
        }
        return t;
    }

    private static int points(VitalSigns.Builder vitals, News2Parameter p) {
        return News2.score(vitals.build()).parameter(p).orElseThrow().points();
    }

    /**
     * The total of these values; NaN scores nothing (not measured), as in {@link News2}.
     *
     * @param oxygen 1 on supplemental oxygen, 0 on air, -1 unknown
     * @param consciousness the ACVPU ordinal, -1 unknown
     */
    static int total(double rr, double spo2, double sbp, double hr, double temperature, int oxygen, int consciousness,
                     boolean scale2) {
        int total = 0;
        if (!Double.isNaN(rr)) {
            total += RR[clamp(whole(rr), 0, 100)];
        }
        if (!Double.isNaN(spo2)) {
            int[] t = !scale2 ? SPO2_SCALE1 : oxygen == 1 ? SPO2_SCALE2_OXYGEN : SPO2_SCALE2_AIR;
            total += t[clamp(whole(spo2), 30, 100) - 30];
        }
        if (!Double.isNaN(sbp)) {
            total += SBP[clamp(whole(sbp), 30, 300) - 30];
        }
        if (!Double.isNaN(hr)) {
            total += HR[clamp(whole(hr), 20, 350) - 20];
        }
        if (!Double.isNaN(temperature)) {
            // 1e-9 makes 35.05 (stored as 35.04999...) round up, as News2's decimal rounding does.
            total += TEMP[clamp((int) Math.floor(temperature * 10 + 0.5 + 1e-9), 250, 450) - 250];
        }
        total += oxygen == 1 ? OXYGEN : 0;
        total += consciousness >= 0 ? CONSCIOUSNESS[consciousness] : 0;
        return total;
    }

    /** Half up to a whole unit, as the chart is read. */
    static int whole(double v) {
        return (int) Math.floor(v + 0.5 + 1e-9);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
