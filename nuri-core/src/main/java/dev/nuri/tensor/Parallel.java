package dev.nuri.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed pool of compute threads that splits an index range into contiguous chunks, one per thread; the
 * calling thread runs the first chunk. Kernels take a {@code Parallel} so tests can run them with 1 and 2
 * threads and get identical results (each output element is computed by exactly one thread, in a fixed order).
 */
public final class Parallel implements AutoCloseable {

    /** Work on the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private static final Parallel SERIAL = new Parallel(1);
    private static volatile Parallel shared;

    private final int threads;
    private final ExecutorService pool;

    private Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "nuri-compute");
            t.setDaemon(true);
            return t;
        });
    }

    /** A pool of {@code threads} threads (the caller counts as one). Close it when done. */
    public static Parallel of(int threads) {
        return threads == 1 ? SERIAL : new Parallel(threads);
    }

    public static Parallel serial() {
        return SERIAL;
    }

    /** The process-wide pool: {@code -Dnuri.threads=N} or one thread per available core. Never closed. */
    public static Parallel shared() {
        Parallel p = shared;
        if (p == null) {
            synchronized (Parallel.class) {
                if (shared == null) {
                    int n = Integer.getInteger("nuri.threads", Runtime.getRuntime().availableProcessors());
                    shared = of(Math.max(1, n));
                }
                p = shared;
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over [0, n) split into at most {@link #threads()} contiguous chunks; returns when all are done. */
    public void forRange(int n, RangeTask task) {
        forRange(n, 1, task);
    }

    /**
     * Like {@link #forRange(int, RangeTask)} but chunk boundaries are multiples of {@code grain} (except the
     * last), and ranges shorter than two grains run on the calling thread.
     */
    public void forRange(int n, int grain, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks == 1) {
            task.run(0, n);
            return;
        }
        int units = (n + grain - 1) / grain;
        CountDownLatch done = new CountDownLatch(chunks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 1; c < chunks; c++) {
            int start = Math.min(n, (int) ((long) units * c / chunks) * grain);
            int end = Math.min(n, (int) ((long) units * (c + 1) / chunks) * grain);
            pool.execute(() -> {
                try {
                    task.run(start, end);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            });
        }
        try {
            task.run(0, Math.min(n, (int) ((long) units / chunks) * grain));
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for compute threads", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }

    @Override
    public void close() {
        if (pool != null && this != shared) {
            pool.shutdown();
        }
    }
}
