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
 * Defaults: {@code ../shared/fixtures/gguf/synthK-random-Q8_0.gguf}, 20 s, 60 s, 64 tokens.
 */
public final class ServerThroughputBenchmark {
    private ServerThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "../shared/fixtures/gguf/synthK-random-Q8_0.gguf");
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
