package health.vclinic.api.keys;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A small least-recently-used map whose entries also expire: bounded so the keys held in memory stay few,
 * expiring so that a rotation or a shredding done by another process reaches this one within the TTL. An
 * expired entry can still be had with {@link #getStale} while it cannot be refreshed.
 */
final class ExpiringCache<K, V> {

    private record Slot<V>(V value, long expiresAtNanos) {
    }

    private final int maxEntries;
    private final long ttlNanos;
    private final LinkedHashMap<K, Slot<V>> map;

    ExpiringCache(int maxEntries, Duration ttl) {
        this.maxEntries = maxEntries;
        this.ttlNanos = ttl.toNanos();
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Slot<V>> eldest) {
                return size() > ExpiringCache.this.maxEntries;
            }
        };
    }

    synchronized Optional<V> get(K key) {
        Slot<V> e = map.get(key);
        if (e == null) {
            return Optional.empty();
        }
        // An expired entry stays (within the LRU bound) for getStale, until it is refreshed or removed.
        if (System.nanoTime() - e.expiresAtNanos() >= 0) {
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    /** The value even when expired: for when it cannot be refreshed (the key store is unreachable). */
    synchronized Optional<V> getStale(K key) {
        return Optional.ofNullable(map.get(key)).map(Slot::value);
    }

    synchronized void put(K key, V value) {
        map.put(key, new Slot<>(value, System.nanoTime() + ttlNanos));
    }

    synchronized void removeIf(Predicate<K> which) {
        map.keySet().removeIf(which);
    }

    synchronized int size() {
        return map.size();
    }
}
