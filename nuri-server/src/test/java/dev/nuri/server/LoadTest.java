package dev.nuri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.engine.Engine;
import dev.nuri.testkit.Fixtures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A short bounded load test (loopback, stops by itself after a few seconds): concurrent streaming clients against
 * the stories260K fixture; every answer must equal the same prompt's single-client greedy answer. The long run
 * (16 clients, 60 s) and the 1-vs-8 client throughput ratio are in {@link ServerThroughputBenchmark}.
 */
class LoadTest {
    static final List<String> PROMPTS = List.of("Once upon a time", "The little dog", "Lily and Tom went to the park",
            "One day, a big bird", "Sam had a red ball", "The sun was hot", "Mom said", "There was a tree");

    @Test
    void concurrentStreamingClientsGetExactlyTheirOwnTokens() throws Exception {
        Path model = Fixtures.require("gguf/stories260K-F32.gguf");
        try (Engine engine = Engine.load(model);
                NuriServer server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(4)
                        .withQueueCapacity(64).withContextLength(128).withModelId("stories"), model).awaitReady()) {
            LoadGenerator load = new LoadGenerator(engine, PROMPTS, 48);
            LoadGenerator.Result r = load.run(server.port(), "stories", 6, Duration.ofSeconds(3));
            assertEquals(0, r.errors(), r + " " + r.problems());
            assertEquals(0, r.mismatches(), r + " " + r.problems());
            assertTrue(r.requests() >= 6, r.toString());
            assertEquals(0, server.activeSequences(), "every slot is free after the load");
        }
    }
}
