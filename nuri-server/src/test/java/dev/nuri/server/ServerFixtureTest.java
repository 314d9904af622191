package dev.nuri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.chat.ChatMessage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAI API end to end over HTTP on the qwen2-tiny fixture (ChatML template), against the engine run alone. */
class ServerFixtureTest {
    private static Path modelPath;
    private static NuriServer server;
    private static Http http;
    private static Engine reference;

    @BeforeAll
    static void start() {
        modelPath = Fixtures.require("hf/qwen2-tiny");
        reference = Engine.load(modelPath);
        server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(4).withContextLength(256)
                .withModelId("qwen2-tiny"), modelPath).awaitReady();
        http = new Http(server.port(), null);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    static ObjectNode chat(String user, int maxTokens) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("model", "qwen2-tiny");
        body.put("temperature", 0);
        body.put("max_tokens", maxTokens);
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        return body;
    }

    static GenerationResult alone(String user, int maxTokens) {
        return reference.generator().generate(reference.encodeChat(List.of(ChatMessage.user(user))),
                GenerationOptions.greedy(maxTokens));
    }

    @Test
    void healthModelsAndMetrics() throws Exception {
        Http.Response health = http.get("/health");
        assertEquals(200, health.status());
        assertEquals("ok", health.json().get("status").asText());
        Http.Response models = http.get("/v1/models");
        assertEquals(200, models.status());
        assertEquals("qwen2-tiny", models.json().get("data").get(0).get("id").asText());
        assertEquals("qwen2-tiny", http.get("/v1/models/qwen2-tiny").json().get("id").asText());
        assertEquals(404, http.get("/v1/models/gpt-4o").status());
        http.post("/v1/chat/completions", chat("metrics", 3));
        Http.Response metrics = http.get("/metrics");
        assertEquals(200, metrics.status());
        assertTrue(metrics.text().contains("nuri_requests_total{endpoint=\"chat\",status=\"200\"}"), metrics.text());
        assertTrue(metrics.text().contains("nuri_generated_tokens_total "), metrics.text());
        assertTrue(metrics.text().contains("nuri_time_to_first_token_seconds_count "), metrics.text());
    }

    @Test
    void chatCompletionMatchesTheEngineAlone() throws Exception {
        GenerationResult expected = alone("Hello there, what is RAG?", 24);
        Http.Response r = http.post("/v1/chat/completions", chat("Hello there, what is RAG?", 24));
        assertEquals(200, r.status(), r.text());
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals("chat.completion", r.json().get("object").asText());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals(expected.text(), choice.get("message").get("content").asText());
        assertEquals(expected.finishReason().apiName(), choice.get("finish_reason").asText());
        JsonNode usage = r.json().get("usage");
        assertEquals(expected.promptTokens(), usage.get("prompt_tokens").asInt());
        assertEquals(expected.completionTokens(), usage.get("completion_tokens").asInt());
        assertEquals(expected.promptTokens() + expected.completionTokens(), usage.get("total_tokens").asInt());
    }

    @Test
    void streamedChatConcatenatesToTheSameTextAndEndsWithDone() throws Exception {
        GenerationResult expected = alone("Tell me a story", 20);
        ObjectNode body = chat("Tell me a story", 20);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        Http.Stream s = http.stream("/v1/chat/completions", body);
        assertEquals(200, s.status());
        assertEquals("[DONE]", s.data().getLast());
        List<JsonNode> chunks = s.chunks();
        assertEquals("assistant", chunks.getFirst().get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonNode c : chunks) {
            assertEquals("chat.completion.chunk", c.get("object").asText());
            for (JsonNode choice : c.get("choices")) {
                JsonNode content = choice.get("delta").get("content");
                if (content != null) {
                    text.append(content.asText());
                }
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        assertEquals(expected.text(), text.toString());
        assertEquals(expected.finishReason().apiName(), finish);
        JsonNode usage = chunks.getLast().get("usage");
        assertEquals(0, chunks.getLast().get("choices").size());
        assertEquals(expected.completionTokens(), usage.get("completion_tokens").asInt());
    }

    @Test
    void completionsTakeAStringOrAListAndReportLogprobs() throws Exception {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("model", "qwen2-tiny").put("temperature", 0).put("max_tokens", 8).put("logprobs", 2);
        body.putArray("prompt").add("Once upon a time").add("The transformer architecture");
        Http.Response r = http.post("/v1/completions", body);
        assertEquals(200, r.status(), r.text());
        assertEquals(2, r.json().get("choices").size());
        int promptTokens = 0;
        int completionTokens = 0;
        for (int i = 0; i < 2; i++) {
            String prompt = body.get("prompt").get(i).asText();
            GenerationResult expected = reference.generator().generate(reference.encodePrompt(prompt),
                    GenerationOptions.builder().maxNewTokens(8).logprobs(2).build());
            JsonNode choice = r.json().get("choices").get(i);
            assertEquals(i, choice.get("index").asInt());
            assertEquals(expected.text(), choice.get("text").asText());
            assertEquals(expected.completionTokens(), choice.get("logprobs").get("tokens").size());
            assertEquals(expected.logprobs().getFirst().logprob(),
                    choice.get("logprobs").get("token_logprobs").get(0).asDouble(), 1e-9);
            assertEquals(2, choice.get("logprobs").get("top_logprobs").get(0).size());
            promptTokens += expected.promptTokens();
            completionTokens += expected.completionTokens();
        }
        assertEquals(promptTokens, r.json().get("usage").get("prompt_tokens").asInt());
        assertEquals(completionTokens, r.json().get("usage").get("completion_tokens").asInt());
    }

    @Test
    void chatLogprobsAndSeededSamplingAreReproducible() throws Exception {
        ObjectNode body = chat("Sample something", 10);
        body.put("temperature", 0.9).put("seed", 1234).put("top_p", 0.9).put("top_k", 40).put("n", 2)
                .put("logprobs", true).put("top_logprobs", 3);
        Http.Response a = http.post("/v1/chat/completions", body);
        Http.Response b = http.post("/v1/chat/completions", body);
        assertEquals(200, a.status(), a.text());
        assertEquals(2, a.json().get("choices").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(a.json().get("choices").get(i).get("message"), b.json().get("choices").get(i).get("message"));
            JsonNode content = a.json().get("choices").get(i).get("logprobs").get("content");
            assertTrue(content.size() >= 1);
            assertEquals(3, content.get(0).get("top_logprobs").size());
        }
        GenerationResult expected = reference.generator().generate(
                reference.encodeChat(List.of(ChatMessage.user("Sample something"))),
                GenerationOptions.builder().maxNewTokens(10).temperature(0.9).seed(1234L).topP(0.9).topK(40).build());
        assertEquals(expected.text(), a.json().get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void concurrentGreedyRequestsGetTheSameAnswerAsAlone() throws Exception {
        String[] prompts = {"one", "two words", "three little words", "a fourth prompt here", "fifth", "sixth one",
            "seventh prompt", "eighth"};
        List<GenerationResult> expected = new ArrayList<>();
        for (String p : prompts) {
            expected.add(alone(p, 40));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (String p : prompts) {
                answers.add(pool.submit(() -> {
                    ObjectNode body = chat(p, 40);
                    body.put("stream", true);
                    StringBuilder text = new StringBuilder();
                    for (JsonNode c : http.stream("/v1/chat/completions", body).chunks()) {
                        JsonNode content = c.get("choices").get(0).get("delta").get("content");
                        if (content != null) {
                            text.append(content.asText());
                        }
                    }
                    return text.toString();
                }));
            }
            for (int i = 0; i < prompts.length; i++) {
                assertEquals(expected.get(i).text(), answers.get(i).get(), "prompt " + prompts[i]);
            }
        }
    }

    @Test
    void aLongPromptIsPrefilledInChunksBesideARunningStreamWithTheSameAnswers() throws Exception {
        String longPrompt = "retrieval augmented generation ".repeat(36);
        int longTokens = reference.encodeChat(List.of(ChatMessage.user(longPrompt))).length;
        assertTrue(longTokens > BatchScheduler.PREFILL_TOKENS_PER_STEP && longTokens + 16 <= 512,
                "prompt of " + longTokens + " tokens");
        try (NuriServer big = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(2).withContextLength(512)
                .withModelId("qwen2-tiny"), modelPath).awaitReady();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Http client = new Http(big.port(), null);
            Future<Http.Response> running = pool.submit(() -> client.post("/v1/chat/completions", chat("short one", 60)));
            Future<Http.Response> longOne = pool.submit(() -> client.post("/v1/chat/completions", chat(longPrompt, 16)));
            Http.Response first = running.get();
            assertEquals(200, first.status(), first.text());
            assertEquals(alone("short one", 60).text(),
                    first.json().get("choices").get(0).get("message").get("content").asText());
            Http.Response r = longOne.get();
            assertEquals(200, r.status(), r.text());
            assertEquals(longTokens, r.json().get("usage").get("prompt_tokens").asInt());
            assertEquals(alone(longPrompt, 16).text(), r.json().get("choices").get(0).get("message").get("content").asText());
        }
    }

    @Test
    void aSharedPrefixIsReusedAndGivesTheSameAnswer() throws Exception {
        ObjectNode first = chat("Remember this long system prompt about retrieval augmented generation.", 4);
        assertEquals(200, http.post("/v1/chat/completions", first).status());
        double reusedBefore = metric("nuri_prompt_tokens_reused_total");
        GenerationResult expected = alone("Remember this long system prompt about retrieval augmented generation!", 12);
        Http.Response r = http.post("/v1/chat/completions",
                chat("Remember this long system prompt about retrieval augmented generation!", 12));
        assertEquals(expected.text(), r.json().get("choices").get(0).get("message").get("content").asText());
        assertTrue(metric("nuri_prompt_tokens_reused_total") - reusedBefore >= 5, server.metricsText());
    }

    private static double metric(String name) throws Exception {
        for (String line : http.get("/metrics").text().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void badInputGetsOpenAiErrors() throws Exception {
        Http.Response malformed = http.post("/v1/chat/completions", "{\"messages\": [");
        assertEquals(400, malformed.status());
        assertEquals("invalid_request_error", malformed.json().get("error").get("type").asText());
        assertTrue(malformed.json().get("error").get("message").asText().contains("malformed JSON"));
        assertTrue(malformed.json().get("error").has("param"));
        assertTrue(malformed.json().get("error").has("code"));

        ObjectNode unknown = chat("hi", 4);
        unknown.put("model", "gpt-4o");
        Http.Response notFound = http.post("/v1/chat/completions", unknown);
        assertEquals(404, notFound.status());
        assertEquals("model_not_found", notFound.json().get("error").get("code").asText());

        Http.Response tooLong = http.post("/v1/chat/completions", chat("hi", 1000));
        assertEquals(400, tooLong.status());
        assertTrue(tooLong.json().get("error").get("message").asText().contains("maximum context length is 256"),
                tooLong.text());

        ObjectNode json = chat("hi", 4);
        json.putObject("response_format").put("type", "json_object");
        Http.Response format = http.post("/v1/chat/completions", json);
        assertEquals(400, format.status());
        assertEquals("response_format", format.json().get("error").get("param").asText());
        assertTrue(format.json().get("error").get("message").asText().contains("not supported yet"));

        ObjectNode badTemp = chat("hi", 4);
        badTemp.put("temperature", "hot");
        assertEquals("temperature", http.post("/v1/chat/completions", badTemp).json().get("error").get("param").asText());
        ObjectNode noMessages = Http.JSON.createObjectNode();
        assertEquals(400, http.post("/v1/chat/completions", noMessages).status());
        assertEquals(400, http.post("/v1/completions", "{}").status());
        assertEquals(400, http.post("/v1/embeddings", "{}").status());
        assertEquals(404, http.get("/v1/nothing").status());
    }

    private static NuriServer gatedServer(GatedModel[] gate) {
        return NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(1).withContextLength(256)
                .withModelId("qwen2-tiny"), () -> GatedModel.engine(modelPath, gate)).awaitReady();
    }

    @Test
    void aClientThatDisconnectsMidStreamFreesItsSlot() throws Exception {
        disconnectMidAnswer(true);
    }

    @Test
    void aClientThatDisconnectsWhileWaitingForAJsonAnswerFreesItsSlot() throws Exception {
        disconnectMidAnswer(false);
    }

    /** The model is held at a gate mid-answer, the client closes its connection, then the model may run again. */
    private static void disconnectMidAnswer(boolean stream) throws Exception {
        GatedModel[] gate = new GatedModel[1];
        try (NuriServer gated = gatedServer(gate)) {
            ObjectNode body = chat("go on for a long time", 200);
            body.put("stream", stream);
            byte[] json = Http.JSON.writeValueAsBytes(body);
            gate[0].allow(6); // the prompt and five tokens, then the model waits
            int passesAtDisconnect;
            try (Socket socket = new Socket("127.0.0.1", gated.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(json);
                out.flush();
                long sent = System.nanoTime();
                if (stream) {
                    InputStream in = socket.getInputStream();
                    String seen = "";
                    byte[] buf = new byte[4096];
                    while (!seen.contains("\"content\":\"") || seen.split("data: ").length < 4) {
                        int n = in.read(buf);
                        assertTrue(n > 0, "stream ended early: " + seen);
                        seen += new String(buf, 0, n, StandardCharsets.UTF_8);
                    }
                }
                Await.until(Duration.ofSeconds(10), gate[0]::isHolding);
                assertTrue(gate[0].isHolding(), "the model should be waiting at the gate");
                assertEquals(1, gated.activeSequences());
                Thread.sleep(Math.max(0, CompletionEndpoint.COMMIT_JSON_AFTER.toMillis() - (System.nanoTime() - sent) / 1_000_000));
                passesAtDisconnect = gate[0].forwardCalls();
            }
            // The socket is closed. The server can only notice when it next writes, once per token, so the model
            // goes on one step at a time with a moment per step for that write: how many steps run then depends on
            // the server, not on how fast the model is (a free-running tiny model outruns the write that fails).
            for (int step = 0; step < 40 && gated.activeSequences() > 0; step++) {
                gate[0].allow(1);
                Await.until(Duration.ofSeconds(10), () -> gate[0].isHolding() || gated.activeSequences() == 0);
                Thread.sleep(5);
            }
            gate[0].open();
            Await.until(Duration.ofSeconds(10), () -> gated.activeSequences() == 0);
            assertEquals(0, gated.activeSequences(), "the disconnected client's sequence still holds a slot");
            int passesAfter = gate[0].forwardCalls() - passesAtDisconnect;
            assertTrue(passesAfter < 20, "the server ran " + passesAfter + " more steps for a client that had gone");
        } finally {
            if (gate[0] != null) {
                gate[0].open(); // never leave the model held, whatever failed above
            }
        }
    }

    @Test
    void aSlowJsonAnswerStartsEarlyAndStillParses() throws Exception {
        GatedModel[] gate = new GatedModel[1];
        try (NuriServer gated = gatedServer(gate)) {
            ObjectNode body = chat("Tell me a story", 24);
            gate[0].allow(4);
            Thread opener = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(3 * CompletionEndpoint.COMMIT_JSON_AFTER.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                gate[0].open();
            });
            Http.Response r = new Http(gated.port(), null).post("/v1/chat/completions", body);
            opener.join();
            assertEquals(200, r.status(), r.text());
            assertTrue(r.text().startsWith(" "), "the answer should have started before it was complete");
            JsonNode choice = r.json().get("choices").get(0);
            assertEquals(alone("Tell me a story", 24).text(), choice.get("message").get("content").asText());
        }
    }

    @Test
    void apiKeyIsRequiredWhenSet() throws Exception {
        try (NuriServer keyed = NuriServer.start(ServerConfig.defaults().withPort(0).withApiKey("s3cret")
                .withParallel(1).withContextLength(64).withModelId("qwen2-tiny"), modelPath).awaitReady()) {
            Http none = new Http(keyed.port(), null);
            Http wrong = new Http(keyed.port(), "nope");
            Http right = new Http(keyed.port(), "s3cret");
            assertEquals(401, none.post("/v1/chat/completions", chat("hi", 2)).status());
            Http.Response bad = wrong.get("/v1/models");
            assertEquals(401, bad.status());
            assertEquals("invalid_api_key", bad.json().get("error").get("code").asText());
            assertEquals(200, right.post("/v1/chat/completions", chat("hi", 2)).status());
            assertEquals(200, none.get("/health").status());
        }
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        try (NuriServer small = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(1)
                .withQueueCapacity(1).withContextLength(256).withModelId("qwen2-tiny"), modelPath).awaitReady()) {
            Http client = new Http(small.port(), null);
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Http.Response>> responses = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ObjectNode body = chat("busy " + i, 200);
                    responses.add(pool.submit(() -> client.post("/v1/chat/completions", body)));
                }
                int refused = 0;
                for (Future<Http.Response> f : responses) {
                    Http.Response r = f.get();
                    if (r.status() == 429) {
                        refused++;
                        assertEquals("1", r.raw().headers().firstValue("Retry-After").orElse(null));
                        assertEquals("rate_limit_error", r.json().get("error").get("type").asText());
                    } else {
                        assertEquals(200, r.status(), r.text());
                    }
                }
                assertTrue(refused >= 1, "6 requests at once on 1 slot + 1 queue place: some must be refused");
            }
        }
    }

    @Test
    void healthIs503WhileTheModelLoads() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (NuriServer loading = NuriServer.start(ServerConfig.defaults().withPort(0), () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Engine.load(modelPath);
        })) {
            Http client = new Http(loading.port(), null);
            Http.Response health = client.get("/health");
            assertEquals(503, health.status());
            assertNotNull(health.raw().headers().firstValue("Retry-After").orElse(null));
            assertEquals(503, client.post("/v1/chat/completions", chat("hi", 2)).status());
            release.countDown();
            loading.awaitReady();
            assertEquals(200, client.get("/health").status());
            assertFalse(loading.modelId().isEmpty());
        }
    }

    @Test
    void embeddingsUseTheDefaultModel() throws Exception {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("model", "all-MiniLM-L6-v2");
        body.putArray("input").add("a cat sat on the mat").add("a dog lay on the rug");
        Http.Response r = http.post("/v1/embeddings", body);
        assertEquals(200, r.status(), r.text());
        JsonNode data = r.json().get("data");
        assertEquals(2, data.size());
        assertEquals(384, data.get(0).get("embedding").size());
        double norm = 0;
        for (JsonNode v : data.get(1).get("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertEquals(1.0, norm, 1e-4);
        assertTrue(r.json().get("usage").get("prompt_tokens").asInt() > 0);
        body.put("model", "text-embedding-3-small");
        assertEquals(404, http.post("/v1/embeddings", body).status());
    }

}
