package health.vclinic.api.cli;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collections and their accumulated time, per collector, between two instants of this process (as
 * the JVM's collector beans count them: for G1 the young and old beans' time is pause time).
 */
public record GcPauses(String summary, long collections, long millis) {
    /** No collection counted (a phase that does not count them). */
    public static final GcPauses NONE = new GcPauses("", 0, 0);

    /** The collectors' counts and times now, to pass to {@link #since}. */
    public static long[] snapshot() {
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        long[] counts = new long[2 * beans.size()];
        for (int i = 0; i < beans.size(); i++) {
            counts[2 * i] = beans.get(i).getCollectionCount();
            counts[2 * i + 1] = beans.get(i).getCollectionTime();
        }
        return counts;
    }

    /** The collections since {@code before} (a {@link #snapshot}). */
    public static GcPauses since(long[] before) {
        long[] after = snapshot();
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        List<String> parts = new ArrayList<>();
        long collections = 0;
        long millis = 0;
        for (int i = 0; i < beans.size(); i++) {
            long c = after[2 * i] - before[2 * i];
            long t = after[2 * i + 1] - before[2 * i + 1];
            if (c > 0) {
                parts.add(String.format(Locale.ROOT, "%s %d in %d ms", beans.get(i).getName(), c, t));
                collections += c;
                millis += t;
            }
        }
        return new GcPauses(String.join(", ", parts), collections, millis);
    }
}
