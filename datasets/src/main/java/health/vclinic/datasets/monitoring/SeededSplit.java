package health.vclinic.datasets.monitoring;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A reproducible train/test split, stratified by a binary outcome: each stratum is sorted by a stable
 * key, shuffled with {@link Random}{@code (seed)} (whose algorithm the JDK specifies), and cut at
 * {@code round(trainFraction * size)}. The same items, seed and fraction give the same split on any
 * machine and JDK.
 *
 * @param train the training part, in key order
 * @param test the held-out part, in key order
 */
public record SeededSplit<T>(List<T> train, List<T> test) {

    public SeededSplit {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    public static <T> SeededSplit<T> stratified(List<T> items, Function<T, String> key, Predicate<T> positive,
                                                double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be between 0 and 1, exclusive");
        }
        Random random = new Random(seed);
        List<T> train = new ArrayList<>();
        List<T> test = new ArrayList<>();
        for (boolean stratum : new boolean[] {true, false}) {
            List<T> part = new ArrayList<>(items.stream().filter(i -> positive.test(i) == stratum)
                    .sorted(Comparator.comparing(key)).toList());
            Collections.shuffle(part, random);
            int cut = (int) Math.round(trainFraction * part.size());
            train.addAll(part.subList(0, cut));
            test.addAll(part.subList(cut, part.size()));
        }
        train.sort(Comparator.comparing(key));
        test.sort(Comparator.comparing(key));
        return new SeededSplit<>(train, test);
    }
}
