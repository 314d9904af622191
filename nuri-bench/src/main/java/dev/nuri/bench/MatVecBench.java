package dev.nuri.bench;

import dev.nuri.tensor.DType;
import dev.nuri.tensor.Parallel;
import dev.nuri.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode mat-vec over 128 MB of off-heap weights (four times L3). GB/s of weights = weightBytes / (time per op);
 * {@link StreamBench} in the same run gives the machine's limit ({@link KernelReport} prints both as a table).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBench {
    @Param({"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    @Param({"128"})
    public int megabytes;

    private Arena arena;
    private Parallel parallel;
    private WeightMatrix matrix;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        parallel = Parallel.of(threads);
        DType type = DType.valueOf(dtype);
        int cols = 4096;
        int rows = BenchData.rowsFor(type, cols, (long) megabytes << 20);
        matrix = BenchData.randomMatrix(arena, type, rows, cols, 1);
        x = BenchData.randomVector(cols, 2);
        y = new float[rows];
        System.out.printf("%n%s: %d bytes of weights per op%n", dtype, matrix.rowBytes() * rows);
    }

    @Benchmark
    public float[] matvec() {
        matrix.matvec(x, y, parallel);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
        arena.close();
    }
}
