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

/** Prefill mat-mul: a 2048x4096 weight matrix times {@code tokens} vectors. GFLOP/s = 2·rows·cols·tokens / time. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatMulBench {
    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    @Param({"64"})
    public int tokens;

    private Arena arena;
    private Parallel parallel;
    private WeightMatrix matrix;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        parallel = Parallel.of(threads);
        matrix = BenchData.randomMatrix(arena, DType.valueOf(dtype), 2048, 4096, 3);
        x = BenchData.randomVector(tokens * 4096, 4);
        y = new float[tokens * 2048];
    }

    @Benchmark
    public float[] matmul() {
        matrix.matmul(x, tokens, y, parallel);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
        arena.close();
    }
}
