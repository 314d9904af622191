package dev.nuri.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import dev.nuri.generate.GenerationOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives a server with concurrent streaming greedy completion clients for a bounded time (loopback only) and checks
 * every answer against the same prompt run alone through the engine: no errors, no lost or mixed-up tokens.
 */
final class LoadGenerator {
    record Result(int clients, long requests, long errors, long mismatches, long completionTokens, double seconds,
            List<String> problems) {
        double tokensPerSecond() {
            return completionTokens / seconds;
        }

        @Override
        public String toString() {
            return String.format("%d clients: %d requests, %d errors, %d mismatches, %d tokens in %.1f s = %.1f tokens/s",
                    clients, requests, errors, mismatches, completionTokens, seconds, tokensPerSecond());
        }
    }

    private final List<String> prompts;
    private final List<String> expected = new ArrayList<>();
    private final int maxTokens;

    /** Computes each prompt's single-client greedy answer with {@code engine}. */
    LoadGenerator(Engine engine, List<String> prompts, int maxTokens) {
        this.prompts = List.copyOf(prompts);
        this.maxTokens = maxTokens;
        for (String p : prompts) {
            expected.add(engine.generator().generate(engine.encodePrompt(p), GenerationOptions.greedy(maxTokens)).text());
        }
    }

    Result run(int port, String modelId, int clients, Duration duration) throws Exception {
        Http http = new Http(port, null);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        int p = (client * 7 + i) % prompts.size();
                        ObjectNode body = Http.JSON.createObjectNode();
                        body.put("model", modelId).put("prompt", prompts.get(p)).put("max_tokens", maxTokens)
                                .put("temperature", 0).put("stream", true);
                        body.putObject("stream_options").put("include_usage", true);
                        try {
                            Http.Stream s = http.stream("/v1/completions", body);
                            requests.incrementAndGet();
                            if (s.status() != 200 || !s.data().getLast().equals("[DONE]")) {
                                errors.incrementAndGet();
                                problems.add("status " + s.status() + ": " + s.data());
                                continue;
                            }
                            StringBuilder text = new StringBuilder();
                            for (JsonNode chunk : s.chunks()) {
                                if (chunk.has("error")) {
                                    errors.incrementAndGet();
                                    problems.add(chunk.toString());
                                }
                                for (JsonNode choice : chunk.get("choices")) {
                                    text.append(choice.path("text").asText(""));
                                }
                                if (chunk.hasNonNull("usage")) {
                                    tokens.addAndGet(chunk.get("usage").get("completion_tokens").asLong());
                                }
                            }
                            if (!text.toString().equals(expected.get(p))) {
                                mismatches.incrementAndGet();
                                problems.add("prompt " + p + ": got '" + text + "', alone '" + expected.get(p) + "'");
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            problems.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(clients, requests.get(), errors.get(), mismatches.get(), tokens.get(), seconds,
                List.copyOf(problems.subList(0, Math.min(5, problems.size()))));
    }
}
