package dev.nuri.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed pool of compute threads that splits an index range into contiguous chunks, a few per thread, which the
 * calling thread and the workers claim one at a time until none are left, so a thread slowed down (by another
 * process on its core, say) takes fewer chunks instead of holding up the rest. Kernels take a {@code Parallel} so
 * tests can run them with 1 and 2 threads and get identical results: each output element is computed by exactly
 * one chunk, in a fixed order, whichever thread runs it.
 *
 * <p>Decode runs dozens of small parallel loops per token, so dispatch must cost microseconds: workers are
 * persistent threads that spin briefly on a generation counter after each job and only then park; the caller
 * waits the same way. A dispatch that finds the pool busy (another thread's job, or a nested call from inside a
 * task) runs its chunks on the calling thread instead, which gives the same results.
 */
public final class Parallel implements AutoCloseable {

    /** Work on the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    /** Chunks per thread: enough to even out a slow thread, few enough that claiming costs nothing. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** How long idle workers and a waiting caller spin before parking. */
    private static final long SPIN_NANOS = 50_000;

    private static final Parallel SERIAL = new Parallel(1);
    private static volatile Parallel shared;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread waitingCaller;

    // The current job, published by the volatile write of generation.
    private RangeTask task;
    private int jobN;
    private int jobGrain;
    private int jobChunks;

    private Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
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

    /** Runs {@code task} over [0, n) split into contiguous chunks across the threads; returns when all are done. */
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
        grain = Math.max(1, grain);
        if (threads == 1 || n / grain < 2) {
            task.run(0, n);
            return;
        }
        int chunks = Math.min((n + grain - 1) / grain, threads * CHUNKS_PER_THREAD);
        if (closed || !busy.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) {
                task.run(chunkStart(n, grain, chunks, c), chunkStart(n, grain, chunks, c + 1));
            }
            return;
        }
        try {
            this.task = task;
            this.jobN = n;
            this.jobGrain = grain;
            this.jobChunks = chunks;
            failure.set(null);
            nextChunk.set(0);
            // Every worker takes part in every job (idle ones just check in), so none can lag a job behind.
            pending.set(workers.length);
            generation++; // publishes the job
            for (Worker w : workers) {
                w.wake();
            }
            runChunks();
            awaitWorkers();
            this.task = null;
            Throwable t = failure.getAndSet(null);
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error err) {
                throw err;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        } finally {
            busy.set(false);
        }
    }

    /** Claims and runs chunks of the current job until none are left (or one has failed). */
    private void runChunks() {
        int c;
        while (failure.get() == null && (c = nextChunk.getAndIncrement()) < jobChunks) {
            try {
                task.run(chunkStart(jobN, jobGrain, jobChunks, c), chunkStart(jobN, jobGrain, jobChunks, c + 1));
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    private static int chunkStart(int n, int grain, int chunks, int c) {
        int units = (n + grain - 1) / grain;
        return (int) Math.min(n, (long) units * c / chunks * grain);
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                waitingCaller = Thread.currentThread();
                if (pending.get() != 0) {
                    LockSupport.parkNanos(this, 1_000_000);
                }
                waitingCaller = null;
            }
        }
    }

    private final class Worker extends Thread {
        private volatile boolean sleeping;

        Worker(int index) {
            super("nuri-compute-" + index);
            setDaemon(true);
        }

        void wake() {
            if (sleeping) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long seen = 0; // generation starts at 0, and no job can be published before the workers exist
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                long g;
                while ((g = generation) == seen && !closed) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        sleeping = true;
                        if (generation == seen && !closed) {
                            LockSupport.park(Parallel.this);
                        }
                        sleeping = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = g;
                runChunks();
                if (pending.decrementAndGet() == 0) {
                    Thread caller = waitingCaller;
                    if (caller != null) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        if (workers.length > 0 && this != shared) {
            closed = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }
}
