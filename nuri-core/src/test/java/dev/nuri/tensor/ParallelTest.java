package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void everyIndexIsVisitedExactlyOnce(int threads) {
        try (Parallel p = Parallel.of(threads)) {
            for (int n : new int[] {0, 1, 5, 16, 17, 33, 1000}) {
                int[] hits = new int[n];
                p.forRange(n, 4, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        hits[i]++;
                    }
                });
                int[] ones = new int[n];
                java.util.Arrays.fill(ones, 1);
                assertArrayEquals(ones, hits, "n=" + n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void failuresInWorkersReachTheCaller(int threads) {
        try (Parallel p = Parallel.of(threads)) {
            var e = assertThrows(IllegalStateException.class, () -> p.forRange(100, (s, end) -> {
                if (end == 100) {
                    throw new IllegalStateException("boom");
                }
            }));
            assertEquals("boom", e.getMessage());
        }
    }
}
