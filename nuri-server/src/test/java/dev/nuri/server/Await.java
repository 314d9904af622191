package dev.nuri.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition that another thread makes true (the scheduler, the HTTP layer) until it holds or time runs out. */
final class Await {
    private Await() {
    }

    /** Waits up to {@code limit} for {@code condition}; the caller asserts on the state afterwards. */
    static void until(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }
}
