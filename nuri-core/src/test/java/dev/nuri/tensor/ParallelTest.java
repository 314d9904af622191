package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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

    @Test
    void chunkBoundariesAreMultiplesOfTheGrain() {
        try (Parallel p = Parallel.of(2)) {
            java.util.Queue<int[]> ranges = new java.util.concurrent.ConcurrentLinkedQueue<>();
            p.forRange(1000, 16, (s, e) -> ranges.add(new int[] {s, e}));
            for (int[] r : ranges) {
                assertEquals(0, r[0] % 16, "chunk start " + r[0]);
                assertTrue(r[1] == 1000 || r[1] % 16 == 0, "chunk end " + r[1]);
            }
        }
    }

    /**
     * A thread held up inside its chunk (another process on its core, say) must not hold up the rest of the range:
     * the range is cut into more chunks than threads, and the other thread takes every chunk left.
     */
    @Test
    void aHeldUpThreadLeavesTheRemainingChunksToTheOthers() {
        int n = 64;
        try (Parallel p = Parallel.of(2)) {
            AtomicBoolean first = new AtomicBoolean();
            AtomicInteger covered = new AtomicInteger();
            AtomicInteger heldChunkLength = new AtomicInteger();
            AtomicBoolean othersFinished = new AtomicBoolean();
            p.forRange(n, 1, (s, e) -> {
                if (first.compareAndSet(false, true)) {
                    heldChunkLength.set(e - s);
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (covered.get() < n - (e - s) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    othersFinished.set(covered.get() == n - (e - s));
                }
                covered.addAndGet(e - s);
            });
            assertTrue(heldChunkLength.get() < n / 2, "the held chunk covers " + heldChunkLength.get() + " of " + n + " indices");
            assertTrue(othersFinished.get(), "the other thread did not finish the remaining chunks while one was held");
            assertEquals(n, covered.get());
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
