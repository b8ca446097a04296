package health.vclinic.inference.monitoring;

import static health.vclinic.inference.monitoring.Samples.normal;
import static health.vclinic.inference.monitoring.Samples.sample;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.monitoring.PatientWindow.Admission;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PatientWindowTest {

    private static final long MIN = 60_000;
    private static final long HOUR = 60 * MIN;

    private static PatientWindow window() {
        return new PatientWindow(5 * MIN, 8 * HOUR, 2 * HOUR);
    }

    private static VitalSample hr(long minutes, double hr) {
        return sample("p", Duration.ofMinutes(minutes), VitalSigns.builder().heartRate(hr));
    }

    @Test
    void averagesWithinABucketAndTakesTheMedianAcrossBuckets() {
        PatientWindow w = window();
        w.add(hr(0, 70), true);
        w.add(hr(1, 80), true);   // same 5-min bucket: mean 75
        w.add(hr(5, 90), true);
        w.add(hr(10, 200), true); // one wild reading
        assertAll(
                () -> assertEquals(3, w.buckets()),
                () -> assertEquals(75, w.bucketMean(0, Vital.HEART_RATE), 1e-6),
                () -> assertEquals(90, w.smoothed(Vital.HEART_RATE, 90 * MIN, 4 * HOUR), 1e-6, "median of 75, 90, 200"),
                () -> assertTrue(Double.isNaN(w.bucketMean(0, Vital.SPO2))),
                () -> assertEquals(4, w.samples(HOUR)));
    }

    @Test
    void carriesAValueForwardOnlyAsLongAsAllowed() {
        PatientWindow w = window();
        w.add(sample("p", Duration.ZERO, VitalSigns.builder().temperatureC(38.6)), true);
        w.add(hr(3 * 60, 80), true);
        assertEquals(38.6, w.smoothed(Vital.TEMPERATURE, 90 * MIN, 4 * HOUR), 1e-6);
        w.add(hr(5 * 60, 80), true);
        assertTrue(Double.isNaN(w.smoothed(Vital.TEMPERATURE, 90 * MIN, 4 * HOUR)), "older than 4 h");
    }

    @Test
    void outOfOrderSamplesLandInTheirBucketAndLateOnesAreIgnored() {
        PatientWindow w = window();
        w.add(hr(60, 100), true);
        w.add(hr(125, 100), true);
        assertEquals(Admission.ACCEPTED, w.add(hr(90, 60), true), "35 min late, within 2 h");
        assertEquals(3, w.buckets());
        assertEquals(60, w.bucketMean(1, Vital.HEART_RATE), 1e-6, "inserted between the two");
        assertEquals(Admission.ACCEPTED, w.add(hr(5, 50), true), "exactly 2 h behind the newest still counts");
        assertEquals(Admission.LATE, w.add(hr(0, 50), true), "more than 2 h behind the newest");
        assertEquals(125 * MIN, w.newestMillis() - Samples.T0.toEpochMilli(), "an old sample does not move the clock");
    }

    @Test
    void aResentSampleIsADuplicateButAnotherDeviceIsNot() {
        PatientWindow w = window();
        VitalSample s = hr(0, 70);
        assertEquals(Admission.ACCEPTED, w.add(s, true));
        assertEquals(Admission.DUPLICATE, w.add(s, true));
        VitalSample otherDevice = VitalSample.of("p", "cuff-2", s.timestamp(), VitalSigns.builder().systolicBp(130),
                Optional.empty(), OptionalDouble.empty());
        assertEquals(Admission.ACCEPTED, w.add(otherDevice, true));
        assertEquals(70, w.bucketMean(0, Vital.HEART_RATE), 1e-6, "the duplicate was not counted twice");
    }

    @Test
    void aDayAtOneHertzStaysWithinTheBucketBound() {
        PatientWindow w = window();
        for (long s = 0; s < 24 * 3600; s += 1) {
            w.add(sample("p", Duration.ofSeconds(s), normal()), true);
        }
        assertTrue(w.buckets() <= 8 * 12 + 1, "buckets " + w.buckets());
        assertEquals(300, w.samples(1), "the newest bucket holds 300 one-second samples");
        assertTrue(PatientWindow.maxBytes(5 * MIN, 8 * HOUR) < 8_000);
    }

    @Test
    void fitsATrendThroughBucketMeans() {
        PatientWindow w = window();
        for (int h = 0; h <= 6; h++) {
            w.add(hr(h * 60L, 80 + 5 * h), true);
        }
        PatientWindow.Trend t = w.trend(Vital.HEART_RATE, 6 * HOUR);
        assertAll(
                () -> assertEquals(7, t.points()),
                () -> assertEquals(5, t.slopePerHour(), 1e-6),
                () -> assertEquals(30, t.change(), 1e-6),
                () -> assertEquals(110, t.latest(), 1e-6));
    }

    @Test
    void poorSignalSamplesMoveTheClockButAddNoValues() {
        PatientWindow w = window();
        w.add(hr(0, 70), true);
        assertEquals(Admission.ACCEPTED, w.add(hr(30, 190), false));
        assertEquals(70, w.smoothed(Vital.HEART_RATE, 90 * MIN, 4 * HOUR), 1e-6);
        assertEquals(30 * MIN, w.newestMillis() - Samples.T0.toEpochMilli());
    }
}
