package dev.nuri.bench;

import dev.nuri.tensor.Parallel;
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

/** STREAM triad (12 bytes per element) and read-only sum (4 bytes per element) over 128 MB arrays. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class StreamBench {
    @Param({"1", "2"})
    public int threads;

    private Parallel parallel;
    private Stream stream;

    @Setup(Level.Trial)
    public void setUp() {
        parallel = Parallel.of(threads);
        stream = new Stream(32 << 20);
    }

    @Benchmark
    public void triad() {
        stream.triad(parallel, 0.5f);
    }

    @Benchmark
    public double readOnlySum() {
        return stream.sum(parallel);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }
}
