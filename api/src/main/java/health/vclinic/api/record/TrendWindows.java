package health.vclinic.api.record;

import health.vclinic.api.record.RecordStore.Summary;
import health.vclinic.api.record.RecordStore.VitalWindowRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.UUID;

/**
 * Open trend windows, one per clinic, patient and minute: the count, sum, min and max of each {@link Vital}
 * of the samples added to it. Held in arrays of primitives allocated once, so that adding a sample allocates
 * nothing and what is open costs the young collections next to nothing to copy while the alerts wait. In the
 * monitoring bench with the record, each young collection copied 20-32 MB when the open windows and the samples
 * queued for them were objects, 14-16 MB with these arrays, and 9 MB without the record. Only the window's
 * patient reference is an object (the first sample's). Not thread-safe.
 */
final class TrendWindows {

    private static final int VITALS = Vital.values().length;

    private final int capacity;
    /** Open addressing with linear probing: each slot holds an entry's index plus one, or 0 when empty. */
    private final int[] slots;
    private final int mask;
    private final ClinicId[] clinic;
    private final String[] patient;
    /** The window's minute, in epoch seconds. */
    private final long[] minute;
    private final int[] samples;
    private final int[] count;
    private final double[] sum;
    private final double[] min;
    private final double[] max;
    private int size;

    TrendWindows(int capacity) {
        if (capacity < 1 || capacity > 1 << 28) {
            throw new IllegalArgumentException("capacity must be 1 to 2^28; was " + capacity);
        }
        this.capacity = capacity;
        // At most half full, so that probes stay short.
        slots = new int[Integer.highestOneBit(capacity) << 2];
        mask = slots.length - 1;
        clinic = new ClinicId[capacity];
        patient = new String[capacity];
        minute = new long[capacity];
        samples = new int[capacity];
        count = new int[capacity * VITALS];
        sum = new double[capacity * VITALS];
        min = new double[capacity * VITALS];
        max = new double[capacity * VITALS];
    }

    /** Open windows. */
    int size() {
        return size;
    }

    /** The most windows it holds. */
    int capacity() {
        return capacity;
    }

    /**
     * Adds {@code s} to the window of its clinic, patient and minute, opening it if need be; false (nothing
     * added) when that would open more than {@link #capacity()} windows.
     */
    boolean add(ClinicId c, VitalSample s) {
        long m = Math.floorDiv(s.timestamp().getEpochSecond(), 60) * 60;
        String p = s.patientRef();
        int i = spread(31 * c.hashCode() + p.hashCode(), m) & mask;
        int e;
        while (true) {
            e = slots[i] - 1;
            if (e < 0) {
                if (size == capacity) {
                    return false;
                }
                e = size++;
                slots[i] = e + 1;
                open(e, c, p, m);
                break;
            }
            if (minute[e] == m && patient[e].equals(p) && clinic[e].equals(c)) {
                break;
            }
            i = (i + 1) & mask;
        }
        samples[e]++;
        VitalSigns v = s.vitals();
        for (Vital vital : Vital.values()) {
            OptionalDouble value = vital.of(v);
            if (value.isPresent()) {
                int k = e * VITALS + vital.ordinal();
                double x = value.getAsDouble();
                if (count[k] == 0) {
                    min[k] = x;
                    max[k] = x;
                } else {
                    min[k] = Math.min(min[k], x);
                    max[k] = Math.max(max[k], x);
                }
                sum[k] += x;
                count[k]++;
            }
        }
        return true;
    }

    /** The samples in window {@code e} (0 to {@link #size()} - 1, in the order they opened). */
    int samples(int e) {
        return samples[e];
    }

    /** Window {@code e} as a row to write, under a new id. */
    VitalWindowRow row(int e) {
        List<Summary> vitals = new ArrayList<>(VITALS);
        for (int k = e * VITALS; k < (e + 1) * VITALS; k++) {
            vitals.add(new Summary(count[k], sum[k], min[k], max[k]));
        }
        return new VitalWindowRow(UUID.randomUUID(), clinic[e], new PatientRef(patient[e]),
                Instant.ofEpochSecond(minute[e]), samples[e], vitals);
    }

    /** Closes every window. */
    void clear() {
        Arrays.fill(slots, 0);
        Arrays.fill(clinic, 0, size, null);
        Arrays.fill(patient, 0, size, null);
        size = 0;
    }

    private void open(int e, ClinicId c, String p, long m) {
        clinic[e] = c;
        patient[e] = p;
        minute[e] = m;
        samples[e] = 0;
        Arrays.fill(count, e * VITALS, (e + 1) * VITALS, 0);
        Arrays.fill(sum, e * VITALS, (e + 1) * VITALS, 0);
    }

    private static int spread(int key, long minute) {
        long h = (key * 0x9E3779B97F4A7C15L) ^ (minute / 60) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 32));
    }
}
