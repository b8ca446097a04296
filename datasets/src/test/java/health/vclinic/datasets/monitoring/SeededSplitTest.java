package health.vclinic.datasets.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeededSplitTest {

    private static final List<String> ITEMS = IntStream.range(0, 200).mapToObj(i -> String.format("p%03d", i)).toList();

    private static SeededSplit<String> split(long seed) {
        return SeededSplit.stratified(ITEMS, Function.identity(), s -> Integer.parseInt(s.substring(1)) % 2 == 0, 0.6, seed);
    }

    @Test
    void sameSeedSameSplitStratifiedAndDisjoint() {
        SeededSplit<String> a = split(42);
        assertEquals(a, split(42));
        assertNotEquals(a, split(43));
        assertEquals(120, a.train().size());
        assertEquals(60, a.train().stream().filter(s -> Integer.parseInt(s.substring(1)) % 2 == 0).count());
        Set<String> all = new HashSet<>(a.train());
        all.addAll(a.test());
        assertEquals(200, all.size());
        assertTrue(a.train().stream().noneMatch(a.test()::contains));
    }
}
