package dev.nuri.server;

import dev.nuri.engine.Engine;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Not a unit test: measures aggregate generated tokens per second through the HTTP API with 1 and with 8 concurrent
 * streaming clients (continuous batching should give well over 1×), then runs 16 clients for a longer soak, checking
 * every answer against the single-client answer and reporting the heap after the run.
 *
 * <pre>
 * java ... dev.nuri.server.ServerThroughputBenchmark [model] [seconds per phase] [soak seconds] [max tokens]
 * </pre>
 * Defaults: {@code ../shared/fixtures/gguf/synthK-random-Q8_0.gguf}, 20 s, 60 s, 64 tokens. The model
 * {@code synthetic-large} writes a random 8-layer, 1024-wide Llama (about 400 MB of F32 weights, so decoding is
 * memory-bound, as with real models) to a temporary folder first.
 */
public final class ServerThroughputBenchmark {
    private ServerThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "../shared/fixtures/gguf/synthK-random-Q8_0.gguf";
        if (name.equals("synthetic-large")) {
            Path dir = java.nio.file.Files.createTempDirectory("nuri-bench-model");
            try {
                run(TinyHfModel.write(dir, 1, new TinyHfModel.Shape(1024, 8, 8, 8, 2816, 512)), args);
            } finally {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path f : files.toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
                java.nio.file.Files.delete(dir);
            }
        } else {
            run(Path.of(name), args);
        }
    }

    private static void run(Path model, String[] args) throws Exception {
        int phase = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int soak = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int maxTokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        try (Engine engine = Engine.load(model);
                NuriServer server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(16)
                        .withQueueCapacity(64).withContextLength(0).withModelId("bench"), model).awaitReady()) {
            LoadGenerator load = new LoadGenerator(engine, LoadTest.PROMPTS, maxTokens);
            load.run(server.port(), "bench", 2, Duration.ofSeconds(3)); // warm-up (JIT)
            LoadGenerator.Result one = load.run(server.port(), "bench", 1, Duration.ofSeconds(phase));
            System.out.println(one);
            LoadGenerator.Result eight = load.run(server.port(), "bench", 8, Duration.ofSeconds(phase));
            System.out.println(eight);
            System.out.printf("8 clients / 1 client aggregate tokens/s: %.2fx%n", eight.tokensPerSecond() / one.tokensPerSecond());
            LoadGenerator.Result sixteen = load.run(server.port(), "bench", 16, Duration.ofSeconds(soak));
            System.out.println(sixteen);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("heap used after the soak: %.1f MB (max %.0f MB)%n",
                    (rt.totalMemory() - rt.freeMemory()) / 1e6, rt.maxMemory() / 1e6);
            for (LoadGenerator.Result r : new LoadGenerator.Result[] {one, eight, sixteen}) {
                if (r.errors() > 0 || r.mismatches() > 0) {
                    System.out.println("PROBLEMS: " + r.problems());
                }
            }
        }
    }
}
