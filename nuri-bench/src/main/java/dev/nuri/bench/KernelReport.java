package dev.nuri.bench;

import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints the kernel speed table: STREAM triad and read-only sum, then mat-vec (decode) GB/s of weights streamed
 * per dtype and thread count as a share of the triad measured in the same run, then mat-mul (prefill) GFLOP/s.
 * Each figure is the median of repeated timed calls after a warm-up.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp nuri-bench.jar dev.nuri.bench.KernelReport
 * [--mb 128] [--threads 1,2] [--types F32,F16,...] [--seconds 1.5] [--no-matmul]}
 */
public final class KernelReport {
    static final DType[] DEFAULT_TYPES = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};

    public static void main(String[] args) throws IOException {
        long mb = 128;
        int[] threadCounts = {1, 2};
        List<DType> types = new ArrayList<>(Arrays.asList(DEFAULT_TYPES));
        double seconds = 1.5;
        boolean matmul = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> mb = Long.parseLong(args[++i]);
                case "--threads" -> threadCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--types" -> types = Arrays.stream(args[++i].split(",")).map(DType::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--no-matmul" -> matmul = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "JVM %s, %d cores, preferred float species %s, load average %s%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, loadAverage());

        int maxThreads = Arrays.stream(threadCounts).max().orElse(1);
        Parallel[] pools = new Parallel[maxThreads + 1];
        for (int t : threadCounts) {
            pools[t] = Parallel.of(t);
        }

        Stream stream = new Stream(Math.toIntExact(mb * (1 << 20) / 4));
        double[] triad = new double[maxThreads + 1];
        System.out.println();
        System.out.println("| probe | threads | GB/s |");
        System.out.println("|---|---|---|");
        for (int t : threadCounts) {
            Parallel p = pools[t];
            triad[t] = stream.triadBytes() / median(() -> stream.triad(p, 0.5f), seconds) / 1e9;
            double sum = stream.sumBytes() / median(() -> stream.sum(p), seconds) / 1e9;
            System.out.printf(Locale.ROOT, "| triad | %d | %.2f |%n| read-only sum | %d | %.2f |%n", t, triad[t], t, sum);
        }

        int cols = 4096;
        System.out.println();
        System.out.println("kernel compute rate: 1 thread, 2 MB of weights (cache-resident), bytes per second of this thread's CPU time");
        System.out.println("(what one core can digest when memory is not the limit; unaffected by other processes' load)");
        System.out.println("| dtype | GB/s per core |");
        System.out.println("|---|---|");
        for (DType type : types) {
            try (Arena arena = Arena.ofShared()) {
                int rows = BenchData.rowsFor(type, cols, 2 << 20);
                WeightMatrix m = BenchData.randomMatrix(arena, type, rows, cols, 5);
                float[] x = BenchData.randomVector(cols, 6);
                float[] y = new float[rows];
                Parallel serial = Parallel.serial();
                double s = medianCpu(() -> m.matvec(x, y, serial), seconds);
                System.out.printf(Locale.ROOT, "| %s | %.2f |%n", type, m.rowBytes() * rows / s / 1e9);
            }
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "mat-vec (decode), %d MB of weights, 4096 columns%n", mb);
        System.out.println("| dtype | threads | GB/s | % of triad | µs per call |");
        System.out.println("|---|---|---|---|---|");
        for (DType type : types) {
            try (Arena arena = Arena.ofShared()) {
                int rows = BenchData.rowsFor(type, cols, mb << 20);
                WeightMatrix m = BenchData.randomMatrix(arena, type, rows, cols, 1);
                float[] x = BenchData.randomVector(cols, 2);
                float[] y = new float[rows];
                long bytes = m.rowBytes() * rows;
                for (int t : threadCounts) {
                    Parallel p = pools[t];
                    double s = median(() -> m.matvec(x, y, p), seconds);
                    double gbs = bytes / s / 1e9;
                    System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.0f%% | %.0f |%n", type, t, gbs, 100 * gbs / triad[t], s * 1e6);
                }
            }
        }

        if (matmul) {
            int n = 64;
            int mmRows = 2048;
            System.out.println();
            System.out.printf(Locale.ROOT, "mat-mul (prefill), %dx%d weights, %d tokens%n", mmRows, cols, n);
            System.out.println("| dtype | threads | GFLOP/s | ms per call | GFLOP/s per core (1 thread, CPU time) |");
            System.out.println("|---|---|---|---|---|");
            for (DType type : types) {
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix m = BenchData.randomMatrix(arena, type, mmRows, cols, 3);
                    float[] x = BenchData.randomVector(n * cols, 4);
                    float[] y = new float[n * mmRows];
                    double flops = 2.0 * mmRows * cols * n;
                    double cpu = medianCpu(() -> m.matmul(x, n, y, Parallel.serial()), seconds);
                    for (int t : threadCounts) {
                        Parallel p = pools[t];
                        double s = median(() -> m.matmul(x, n, y, p), seconds);
                        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", type, t, flops / s / 1e9, s * 1e3, flops / cpu / 1e9);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nload average at the end: %s%n", loadAverage());
        for (Parallel p : pools) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** Median seconds per call: warm up (see {@link #warmUp}), then time single calls for two thirds of the budget. */
    static double median(Runnable call, double seconds) {
        warmUp(call, seconds, 1);
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        do {
            long t0 = System.nanoTime();
            call.run();
            times.add(System.nanoTime() - t0);
        } while (System.nanoTime() < end || times.size() < 5);
        times.sort(null);
        return times.get(times.size() / 2) / 1e9;
    }

    /** Median seconds of this thread's CPU time per call (single-threaded calls only). */
    static double medianCpu(Runnable call, double seconds) {
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        // at least 200 calls, so the kernels are compiled by C2 even when a loaded machine gives little CPU time
        warmUp(call, seconds, 200);
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 2 / 3 * 1e9);
        do {
            long t0 = tm.getCurrentThreadCpuTime();
            call.run();
            times.add(tm.getCurrentThreadCpuTime() - t0);
        } while (System.nanoTime() < end || times.size() < 20);
        times.sort(null);
        return times.get(times.size() / 2) / 1e9;
    }

    /**
     * Calls {@code call} for a third of the budget and at least {@code minCalls} times, then on until the JIT has
     * been idle for {@link #JIT_QUIET_NANOS} (at most {@link #WARM_UP_LIMIT_NANOS} in all). A kernel measured while
     * C2 was still compiling it, or recompiling it after a deoptimization, ran at half speed or less, and on two
     * cores the compiler threads take CPU from the kernel.
     */
    static void warmUp(Runnable call, double seconds, int minCalls) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long warmEnd = start + (long) (seconds / 3 * 1e9);
        long lastCompileMillis = jitTimed ? jit.getTotalCompilationTime() : 0;
        long quietSince = start;
        int calls = 0;
        while (true) {
            call.run();
            calls++;
            long now = System.nanoTime();
            if (jitTimed) {
                long compileMillis = jit.getTotalCompilationTime();
                if (compileMillis != lastCompileMillis) {
                    lastCompileMillis = compileMillis;
                    quietSince = now;
                }
            }
            boolean quiet = now - quietSince >= JIT_QUIET_NANOS;
            if (calls >= minCalls && now >= warmEnd && (quiet || now - start >= WARM_UP_LIMIT_NANOS)) {
                return;
            }
        }
    }

    static final long JIT_QUIET_NANOS = 300_000_000L;
    static final long WARM_UP_LIMIT_NANOS = 20_000_000_000L;

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
