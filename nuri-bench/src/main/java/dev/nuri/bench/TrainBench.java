package dev.nuri.bench;

import dev.nuri.tensor.Parallel;
import dev.nuri.train.model.LlamaShape;
import dev.nuri.train.model.TrainableLlama;
import dev.nuri.train.optim.AdamW;
import dev.nuri.train.optim.DecayPolicy;
import dev.nuri.train.optim.GradClip;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training throughput of a ~10M-parameter Llama (dim 256, 6 layers, 8 heads, FFN 688, vocab 10240, seq 256,
 * batch 8): full steps (forward, backward, clip, AdamW) on random tokens, reported as tokens/s with peak memory.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp nuri-bench/target/nuri-bench.jar dev.nuri.bench.TrainBench [threads] [steps]</pre>
 */
public final class TrainBench {
    private TrainBench() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int batch = 8, seq = 256;
        LlamaShape shape = new LlamaShape(10240, 256, 6, 8, 8, 32, 688, 10000, 1e-5f, false, seq);
        try (Parallel par = Parallel.of(threads)) {
            TrainableLlama model = new TrainableLlama(shape, par);
            model.initialize(1, 0.02);
            AdamW opt = new AdamW(model.parameters().count(), 0.9, 0.95, 1e-8, 0.1, DecayPolicy.MATRICES.mask(model.parameters()));
            SplittableRandom rnd = new SplittableRandom(2);
            int[] in = new int[batch * seq], tg = new int[batch * seq];
            System.out.printf(Locale.ROOT, "model: %,d parameters; batch %d x seq %d; %d threads%n",
                    model.parameters().count(), batch, seq, threads);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            double best = 0, total = 0, cpuTotal = 0;
            for (int s = -2; s < steps; s++) {
                for (int i = 0; i < in.length; i++) {
                    in[i] = rnd.nextInt(shape.vocabSize());
                    tg[i] = rnd.nextInt(shape.vocabSize());
                }
                long t0 = System.nanoTime();
                long c0 = os.getProcessCpuTime();
                model.parameters().zeroGrads();
                double loss = model.forwardBackward(in, tg, batch, seq, 1f / in.length) / in.length;
                GradClip.clip(model.parameters().grads(), 1.0);
                opt.step(model.parameters().values(), model.parameters().grads(), 3e-4);
                double sec = (System.nanoTime() - t0) / 1e9;
                double cpuSec = (os.getProcessCpuTime() - c0) / 1e9;
                double tps = in.length / sec;
                if (s >= 0) {
                    best = Math.max(best, tps);
                    total += sec;
                    cpuTotal += cpuSec;
                }
                System.out.printf(Locale.ROOT, "%s step: %.3f s, %.0f tokens/s, loss %.4f%n", s < 0 ? "warmup" : "timed", sec, tps, loss);
            }
            System.out.printf(Locale.ROOT, "training throughput: %.0f tokens/s mean over %d steps (best %.0f); "
                    + "%.2f CPU-seconds per step (a busy machine lowers tokens/s, not CPU-seconds)%n",
                    steps * (double) in.length / total, steps, best, cpuTotal / steps);
            long heapPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPeak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf(Locale.ROOT, "peak heap (sum of pool peaks): %.0f MiB; peak RSS: %s%n", heapPeak / 1048576.0, peakRss());
        }
    }

    private static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "n/a";
    }
}
