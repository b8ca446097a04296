package health.vclinic.inference.monitoring;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.monitoring.VitalSample;
import java.util.Arrays;
import java.util.Optional;

/**
 * One patient's recent vital signs, in bounded memory whatever the sampling rate.
 *
 * <p>Samples are summed into time buckets of a fixed {@code resolution} (a 1 Hz device puts 300
 * samples in one 5-minute bucket, an hourly chart one sample in every twelfth), and only buckets of
 * the last {@code span} are kept, so a patient costs at most {@code span / resolution + 1} buckets
 * (see {@link #maxBytes}). Bucket storage starts small and grows only as far as the data needs.
 *
 * <p>Time is the samples' own time, never the server's clock: replaying a day in a second gives the
 * same result as living through it. {@link #newestMillis()} is "now" for every detector.
 *
 * <ul>
 *   <li><b>Out of order:</b> a sample older than the newest one is added to its own bucket, as long as
 *       it is at most {@code maxLateness} older; beyond that it is {@link Admission#LATE} and ignored.
 *   <li><b>Duplicates:</b> a sample with the same device and the same millisecond as one of the last
 *       {@value #RECENT} accepted samples is a {@link Admission#DUPLICATE} (a device re-sending after a
 *       lost acknowledgement) and ignored; the first copy wins.
 * </ul>
 *
 * <p>Not thread-safe: the engine holds the patient's lock around every call.
 */
public final class PatientWindow {

    /** What happened to an offered sample. */
    public enum Admission {
        ACCEPTED,
        DUPLICATE,
        LATE
    }

    /** Accepted samples remembered for duplicate detection. */
    public static final int RECENT = 16;

    private static final int V = Vital.ALL.length;
    private static final int INITIAL_BUCKETS = 8;

    private final long resolution;
    private final long span;
    private final long maxLateness;
    private final int maxBuckets;

    private long[] keys = new long[INITIAL_BUCKETS];
    private double[] sums = new double[INITIAL_BUCKETS * V];
    private short[] counts = new short[INITIAL_BUCKETS * V];
    private short[] sampleCounts = new short[INITIAL_BUCKETS];
    private int head;
    private int size;
    private long newest = Long.MIN_VALUE;

    private long oxygenAt = Long.MIN_VALUE;
    private boolean oxygen;
    private long consciousnessAt = Long.MIN_VALUE;
    private Consciousness consciousness = Consciousness.ALERT;

    private double[] scratch = new double[INITIAL_BUCKETS];

    private final long[] recent = new long[RECENT];
    private int recentCount;
    private int recentNext;

    /**
     * @param resolutionMillis bucket width
     * @param spanMillis how much history is kept
     * @param maxLatenessMillis how far behind the newest sample a sample may arrive, at most the span
     */
    public PatientWindow(long resolutionMillis, long spanMillis, long maxLatenessMillis) {
        if (resolutionMillis <= 0 || spanMillis < resolutionMillis || maxLatenessMillis < 0 || maxLatenessMillis > spanMillis) {
            throw new IllegalArgumentException("need 0 < resolution <= span and 0 <= max lateness <= span");
        }
        this.resolution = resolutionMillis;
        this.span = spanMillis;
        this.maxLateness = maxLatenessMillis;
        this.maxBuckets = Math.toIntExact(spanMillis / resolutionMillis + 1);
    }

    /** Upper bound of the heap one window can take, for capacity planning. */
    public static long maxBytes(long resolutionMillis, long spanMillis) {
        long buckets = spanMillis / resolutionMillis + 1;
        // keys (8) + sums (8 per vital) + counts (2 per vital) + sample counts (2), plus object headers.
        return buckets * (8 + 10L * V + 2) + 8 * RECENT + 256;
    }

    /**
     * Offers a sample. With {@code includeVitals} false (the signal was poor) the sample still counts
     * for duplicates, lateness and the clock, but its values are not used.
     */
    public Admission add(VitalSample sample, boolean includeVitals) {
        long t = sample.timestamp().toEpochMilli();
        if (newest != Long.MIN_VALUE && t < newest - maxLateness) {
            return Admission.LATE;
        }
        long key = (t << 20) | (sample.deviceId().hashCode() & 0xFFFFF);
        for (int i = 0; i < recentCount; i++) {
            if (recent[i] == key) {
                return Admission.DUPLICATE;
            }
        }
        recent[recentNext] = key;
        recentNext = (recentNext + 1) % RECENT;
        recentCount = Math.min(recentCount + 1, RECENT);
        if (t > newest) {
            newest = t;
        }
        if (includeVitals) {
            addValues(sample, t);
        }
        dropBefore(Math.floorDiv(newest - span, resolution));
        return Admission.ACCEPTED;
    }

    private void addValues(VitalSample sample, long t) {
        var v = sample.vitals();
        if (v.supplementalOxygen().isPresent() && t >= oxygenAt) {
            oxygenAt = t;
            oxygen = v.supplementalOxygen().get();
        }
        if (v.consciousness().isPresent() && t >= consciousnessAt) {
            consciousnessAt = t;
            consciousness = v.consciousness().get();
        }
        int slot = -1;
        for (int i = 0; i < V; i++) {
            var value = Vital.ALL[i].of(v);
            if (value.isEmpty()) {
                continue;
            }
            if (slot < 0) {
                slot = bucketFor(Math.floorDiv(t, resolution));
                if (slot < 0) {
                    return;
                }
                if (sampleCounts[slot] < Short.MAX_VALUE) {
                    sampleCounts[slot]++;
                }
            }
            int at = slot * V + i;
            if (counts[at] < Short.MAX_VALUE) {
                sums[at] += value.getAsDouble();
                counts[at]++;
            }
        }
    }

    /** The physical slot of the bucket with this key, creating it; -1 when it is older than the ring can hold. */
    private int bucketFor(long key) {
        if (size > 0) {
            int last = phys(size - 1);
            if (keys[last] == key) {
                return last;
            }
            if (keys[last] > key) {
                return insertOlder(key);
            }
        }
        if (size == keys.length) {
            if (keys.length < maxBuckets) {
                resize(Math.min(maxBuckets, keys.length * 2));
            } else {
                popHead();
            }
        }
        int slot = phys(size);
        clear(slot);
        keys[slot] = key;
        size++;
        return slot;
    }

    /** A bucket older than the newest: rare (out-of-order samples), so it relinearises the ring. */
    private int insertOlder(long key) {
        int pos = size;
        while (pos > 0 && keys[phys(pos - 1)] > key) {
            pos--;
        }
        if (pos > 0 && keys[phys(pos - 1)] == key) {
            return phys(pos - 1);
        }
        if (size == maxBuckets) {
            if (pos == 0) {
                return -1;
            }
            popHead();
            pos--;
        }
        int capacity = size == keys.length ? Math.min(maxBuckets, keys.length * 2) : keys.length;
        long[] k = new long[capacity];
        double[] s = new double[capacity * V];
        short[] c = new short[capacity * V];
        short[] n = new short[capacity];
        for (int i = 0, j = 0; i < size; i++, j++) {
            if (i == pos) {
                j++;
            }
            int p = phys(i);
            k[j] = keys[p];
            System.arraycopy(sums, p * V, s, j * V, V);
            System.arraycopy(counts, p * V, c, j * V, V);
            n[j] = sampleCounts[p];
        }
        k[pos] = key;
        keys = k;
        sums = s;
        counts = c;
        sampleCounts = n;
        head = 0;
        size++;
        return pos;
    }

    private void resize(int capacity) {
        long[] k = new long[capacity];
        double[] s = new double[capacity * V];
        short[] c = new short[capacity * V];
        short[] n = new short[capacity];
        for (int i = 0; i < size; i++) {
            int p = phys(i);
            k[i] = keys[p];
            System.arraycopy(sums, p * V, s, i * V, V);
            System.arraycopy(counts, p * V, c, i * V, V);
            n[i] = sampleCounts[p];
        }
        keys = k;
        sums = s;
        counts = c;
        sampleCounts = n;
        head = 0;
    }

    private void dropBefore(long oldestKey) {
        while (size > 0 && keys[head] < oldestKey) {
            popHead();
        }
    }

    private void popHead() {
        head = (head + 1) % keys.length;
        size--;
    }

    private void clear(int slot) {
        Arrays.fill(sums, slot * V, slot * V + V, 0.0);
        Arrays.fill(counts, slot * V, slot * V + V, (short) 0);
        sampleCounts[slot] = 0;
    }

    private int phys(int logical) {
        return (head + logical) % keys.length;
    }

    // ------------------------------------------------------------------ reading

    /** The newest sample time seen (epoch ms): "now" for the detectors. */
    public long newestMillis() {
        return newest;
    }

    /** Buckets held, oldest first. */
    public int buckets() {
        return size;
    }

    /** Start (epoch ms) of bucket {@code i}, 0 = oldest. */
    public long bucketStart(int i) {
        return keys[phys(i)] * resolution;
    }

    /** Mean of a vital in bucket {@code i}, NaN when it was not measured then. */
    public double bucketMean(int i, Vital v) {
        int at = phys(i) * V + v.ordinal();
        return counts[at] == 0 ? Double.NaN : sums[at] / counts[at];
    }

    /** Index of the oldest bucket starting at or after {@code now - spanMillis}. */
    private int firstIndexWithin(long spanMillis) {
        long fromKey = Math.floorDiv(newest - spanMillis, resolution);
        int i = size;
        while (i > 0 && keys[phys(i - 1)] >= fromKey) {
            i--;
        }
        return i;
    }

    /** Samples with any value in the last {@code spanMillis}. */
    public int samples(long spanMillis) {
        int n = 0;
        for (int i = firstIndexWithin(spanMillis); i < size; i++) {
            n += sampleCounts[phys(i)];
        }
        return n;
    }

    /** Where the last {@code spanMillis} of data starts (epoch ms): the oldest bucket in it, or now. */
    public long windowStart(long spanMillis) {
        int i = firstIndexWithin(spanMillis);
        return i < size ? Math.max(bucketStart(i), newest - spanMillis) : newest;
    }

    /**
     * The median of the bucket means in the last {@code spanMillis}; when there are none, the most
     * recent bucket mean no older than {@code carryForwardMillis} (temperature is often charted every
     * few hours); NaN when neither exists.
     */
    public double smoothed(Vital v, long spanMillis, long carryForwardMillis) {
        int from = firstIndexWithin(spanMillis);
        if (scratch.length < size - from) {
            scratch = new double[keys.length];
        }
        double[] values = scratch;
        int n = 0;
        for (int i = from; i < size; i++) {
            double m = bucketMean(i, v);
            if (!Double.isNaN(m)) {
                values[n++] = m;
            }
        }
        if (n > 0) {
            Arrays.sort(values, 0, n);
            return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        }
        int carryFrom = firstIndexWithin(carryForwardMillis);
        for (int i = size - 1; i >= carryFrom; i--) {
            double m = bucketMean(i, v);
            if (!Double.isNaN(m)) {
                return m;
            }
        }
        return Double.NaN;
    }

    /** Mean of the bucket means in the last {@code spanMillis}, NaN when none. */
    public double mean(Vital v, long spanMillis) {
        double sum = 0;
        int n = 0;
        for (int i = firstIndexWithin(spanMillis); i < size; i++) {
            double m = bucketMean(i, v);
            if (!Double.isNaN(m)) {
                sum += m;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Population standard deviation of the bucket means in the last {@code spanMillis}; NaN below 2 buckets. */
    public double std(Vital v, long spanMillis) {
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (int i = firstIndexWithin(spanMillis); i < size; i++) {
            double m = bucketMean(i, v);
            if (!Double.isNaN(m)) {
                sum += m;
                sumSq += m * m;
                n++;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    }

    /**
     * Least-squares line through the bucket means of the last {@code spanMillis}, against bucket
     * mid-times in hours.
     */
    public Trend trend(Vital v, long spanMillis) {
        int from = firstIndexWithin(spanMillis);
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int n = 0;
        double firstX = Double.NaN;
        double lastX = Double.NaN;
        double lastY = Double.NaN;
        for (int i = from; i < size; i++) {
            double y = bucketMean(i, v);
            if (Double.isNaN(y)) {
                continue;
            }
            double x = (bucketStart(i) + resolution / 2.0 - newest) / 3_600_000.0;
            if (n == 0) {
                firstX = x;
            }
            lastX = x;
            lastY = y;
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            n++;
        }
        if (n < 2) {
            return new Trend(n, Double.NaN, 0, lastY);
        }
        double denominator = n * sxx - sx * sx;
        double slope = denominator <= 0 ? 0 : (n * sxy - sx * sy) / denominator;
        return new Trend(n, slope, lastX - firstX, lastY);
    }

    /**
     * A fitted line over a window.
     *
     * @param points bucket means used
     * @param slopePerHour change per hour, NaN below 2 points
     * @param coveredHours time between the first and last point used
     * @param latest the newest bucket mean used, NaN when none
     */
    public record Trend(int points, double slopePerHour, double coveredHours, double latest) {
        /** The fitted change across the covered time. */
        public double change() {
            return Double.isNaN(slopePerHour) ? Double.NaN : slopePerHour * coveredHours;
        }
    }

    /** Whether the patient is on supplemental oxygen, as last reported no more than {@code maxAgeMillis} ago. */
    public Optional<Boolean> oxygen(long maxAgeMillis) {
        return oxygenAt != Long.MIN_VALUE && newest - oxygenAt <= maxAgeMillis ? Optional.of(oxygen) : Optional.empty();
    }

    /** Level of consciousness (ACVPU) as last reported no more than {@code maxAgeMillis} ago. */
    public Optional<Consciousness> consciousness(long maxAgeMillis) {
        return consciousnessAt != Long.MIN_VALUE && newest - consciousnessAt <= maxAgeMillis
                ? Optional.of(consciousness) : Optional.empty();
    }
}
