package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.news2.News2;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The allocation-free totals agree with {@link News2} itself, at every band edge and between them. */
class News2PointsTest {

    @Test
    void agreesWithNews2OnEveryBandEdgeAndHalfway() {
        double[] rr = {8, 8.5, 9, 11, 11.5, 12, 20, 20.5, 21, 24, 24.5, 25};
        double[] spo2 = {83, 84, 85, 86, 87, 88, 91, 91.5, 92, 93, 94, 95, 96, 97};
        double[] sbp = {90, 90.5, 91, 100, 101, 110, 111, 219, 219.5, 220};
        double[] hr = {40, 40.5, 41, 50, 51, 90, 90.5, 91, 110, 111, 130, 131};
        double[] temp = {35.0, 35.05, 35.1, 36.0, 36.04, 36.05, 36.1, 38.0, 38.1, 39.0, 39.1};
        int n = 0;
        for (double a : rr) {
            for (double b : spo2) {
                for (double c : sbp) {
                    check(a, b, c, hr[n % hr.length], temp[n % temp.length], n % 3 - 1, n % 6 - 1, n % 2 == 0);
                    n++;
                }
            }
        }
    }

    @Test
    void agreesWithNews2OnRandomValuesAndMissingOnes() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            check(maybe(r, 1, 60), maybe(r, 30, 100), maybe(r, 30, 300), maybe(r, 20, 350), maybe(r, 25, 45),
                    r.nextInt(3) - 1, r.nextInt(6) - 1, r.nextBoolean());
        }
    }

    private static double maybe(SplittableRandom r, double lo, double hi) {
        return r.nextInt(8) == 0 ? Double.NaN : Math.round((lo + r.nextDouble() * (hi - lo)) * 100) / 100.0;
    }

    private static void check(double rr, double spo2, double sbp, double hr, double temp, int oxygen, int consciousness,
                              boolean scale2) {
        VitalSigns.Builder b = VitalSigns.builder();
        if (!Double.isNaN(rr)) {
            b.respiratoryRate(rr);
        }
        if (!Double.isNaN(spo2)) {
            b.spo2(spo2);
        }
        if (!Double.isNaN(sbp)) {
            b.systolicBp(sbp);
        }
        if (!Double.isNaN(hr)) {
            b.heartRate(hr);
        }
        if (!Double.isNaN(temp)) {
            b.temperatureC(temp);
        }
        if (oxygen >= 0) {
            b.supplementalOxygen(oxygen == 1);
        }
        if (consciousness >= 0) {
            b.consciousness(Consciousness.values()[consciousness]);
        }
        if (scale2) {
            b.hypercapnicRespiratoryFailure(true);
        }
        assertEquals(News2.score(b.build()).total(), News2Points.total(rr, spo2, sbp, hr, temp, oxygen, consciousness, scale2),
                () -> rr + " " + spo2 + " " + sbp + " " + hr + " " + temp + " " + oxygen + " " + consciousness + " " + scale2);
    }
}
