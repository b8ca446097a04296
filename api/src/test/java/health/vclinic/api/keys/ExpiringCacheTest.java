package health.vclinic.api.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The key cache: an expired entry is not served as fresh, but is kept for when the key store is down. */
class ExpiringCacheTest {

    @Test
    void anExpiredEntryIsStaleNotFreshUntilRemoved() {
        ExpiringCache<String, Integer> cache = new ExpiringCache<>(2, Duration.ZERO);
        cache.put("north", 1);
        assertEquals(Optional.empty(), cache.get("north"));
        assertEquals(Optional.of(1), cache.getStale("north"));
        cache.removeIf("north"::equals);
        assertEquals(Optional.empty(), cache.getStale("north"));
    }

    @Test
    void theBoundHoldsForStaleEntriesToo() {
        ExpiringCache<String, Integer> cache = new ExpiringCache<>(2, Duration.ZERO);
        cache.put("a", 1);
        cache.put("b", 2);
        cache.put("c", 3);
        assertEquals(2, cache.size());
        assertEquals(Optional.empty(), cache.getStale("a"));
    }
}
