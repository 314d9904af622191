package dev.nuri.cli;

import dev.nuri.model.DecoderModel;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelLoader;
import dev.nuri.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nuri bench}: prefill and decode speed on random token ids, as llama-bench measures them (pp: one batched
 * pass over the prompt; tg: tokens generated one at a time from an empty context), after warm-up runs.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure prefill and decode speed (tokens/s), peak memory and model size on random token ids.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Hugging Face model folder or GGUF file")
    Path model;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "prompt length for the prefill test (default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "tokens for the decode test (default ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--threads", description = "compute threads (default: one per core)")
    Integer threads;

    @Option(names = "--repetitions", defaultValue = "3", description = "timed runs to average (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--warmup", defaultValue = "2", description = "untimed runs first, at least this many (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "and until this many seconds have passed, so the JIT has finished compiling the kernels (default ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--json", description = "print one JSON object instead of a table")
    boolean json;

    @Override
    public Integer call() {
        if (promptTokens < 1 || genTokens < 1 || repetitions < 1 || warmup < 0 || !(warmupSeconds >= 0) || (threads != null && threads < 1)) {
            throw new IllegalArgumentException("--prompt-tokens, --gen-tokens, --repetitions and --threads must be at least 1, "
                    + "--warmup and --warmup-seconds at least 0");
        }
        Parallel parallel = threads == null ? Parallel.shared() : Parallel.of(threads);
        try (LoadedModel loaded = ModelLoader.load(model, parallel)) {
            LanguageModel lm = loaded.model();
            int context = Math.max(promptTokens, genTokens);
            if (context > lm.info().contextLength()) {
                throw new IllegalArgumentException("the test needs " + context + " positions but the model's context is " + lm.info().contextLength());
            }
            Random random = new Random(42);
            int[] prompt = random.ints(promptTokens, 0, lm.info().vocabSize()).toArray();
            int[] gen = random.ints(genTokens, 0, lm.info().vocabSize()).toArray();
            InferenceState state = lm.newState(context);
            // Until C2 has compiled the kernels they run boxed, and its compiler threads share the cores with the
            // test: on the 4-layer synthK files the JIT is still at work for about 3 s (some 20 runs), and 2 runs
            // measured decode at three quarters of its settled speed.
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warmupRuns = 0;
            while (warmupRuns < warmup || System.nanoTime() < warmupEnd) {
                prefill(lm, state, prompt);
                decode(lm, state, gen);
                warmupRuns++;
            }
            double prefillNanos = 0;
            double decodeNanos = 0;
            boolean allocationCounted = allocatedBytes() >= 0;
            long decodeAllocated = 0;
            for (int r = 0; r < repetitions; r++) {
                prefillNanos += prefill(lm, state, prompt);
                long allocatedBefore = allocatedBytes();
                decodeNanos += decode(lm, state, gen);
                decodeAllocated += allocatedBytes() - allocatedBefore;
            }
            long allocPerToken = allocationCounted ? decodeAllocated / ((long) genTokens * repetitions) : -1;
            double prefillTokS = promptTokens * repetitions / (prefillNanos / 1e9);
            double decodeTokS = genTokens * repetitions / (decodeNanos / 1e9);
            long rss = peakRssBytes();
            long modelBytes = lm instanceof DecoderModel d ? d.weights().matrixBytes() : fileBytes(loaded.path());
            int usedThreads = parallel.threads();
            if (json) {
                System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"threads\": %d, \"prompt_tokens\": %d, \"gen_tokens\": %d, "
                                + "\"prefill_tok_s\": %.2f, \"decode_tok_s\": %.2f, \"peak_rss_bytes\": %d, \"model_bytes\": %d, "
                                + "\"decode_alloc_bytes_per_token\": %d, \"repetitions\": %d, \"warmup_runs\": %d}%n",
                        lm.info().name().replace("\\", "\\\\").replace("\"", "\\\""), usedThreads, promptTokens, genTokens,
                        prefillTokS, decodeTokS, rss, modelBytes, allocPerToken, repetitions, warmupRuns);
            } else {
                System.out.printf(Locale.ROOT, "%-28s %8s %14s %14s %14s %14s %16s%n", "model", "threads", "prefill tok/s", "decode tok/s", "peak RSS MiB",
                        "model MiB", "heap KiB/token");
                System.out.printf(Locale.ROOT, "%-28s %8d %14.1f %14.1f %14.1f %14.1f %16.1f%n", lm.info().name(), usedThreads, prefillTokS, decodeTokS,
                        rss / 1048576.0, modelBytes / 1048576.0, allocPerToken / 1024.0);
                System.out.printf(Locale.ROOT, "(pp%d and tg%d, mean of %d runs after %d warm-up runs)%n", promptTokens, genTokens, repetitions, warmupRuns);
            }
        } finally {
            parallel.close();
        }
        return 0;
    }

    private static long prefill(LanguageModel lm, InferenceState state, int[] prompt) {
        state.truncate(0);
        long t0 = System.nanoTime();
        lm.forward(state, prompt, false);
        return System.nanoTime() - t0;
    }

    private static long decode(LanguageModel lm, InferenceState state, int[] gen) {
        state.truncate(0);
        int[] one = new int[1];
        long t0 = System.nanoTime();
        for (int token : gen) {
            one[0] = token;
            lm.forward(state, one, false);
        }
        return System.nanoTime() - t0;
    }

    /**
     * Bytes allocated on the Java heap so far by all live threads (the compute pool's included), or -1 where the
     * JVM does not count them. Decode should allocate little beyond each step's logits: a kernel whose vectors
     * escape to the heap shows up here long before it shows in tokens/s.
     */
    static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getTotalThreadAllocatedBytes() : -1;
    }

    /** VmHWM from /proc/self/status (Linux), or -1 where it is unavailable. */
    static long peakRssBytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024)
                    .findFirst().orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long fileBytes(Path path) {
        try (Stream<Path> files = Files.isDirectory(path) ? Files.list(path) : Stream.of(path)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }
}
