package dev.nuri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import dev.nuri.generate.FinishReason;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.text.chat.ChatMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Always runs (no fixtures): the server over a tiny random Llama folder written in code. */
class TinyModelServerTest {
    private static NuriServer server;
    private static Engine reference;
    private static Http http;
    private static Path model;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        model = TinyHfModel.write(dir, 42);
        reference = Engine.load(model);
        server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(3).withContextLength(200)
                .withModelId("tiny"), model).awaitReady();
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

    private static ObjectNode chat(String user, int maxTokens) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("model", "tiny").put("temperature", 0).put("max_tokens", maxTokens).put("stream", true);
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        return body;
    }

    @Test
    void batchedGreedyAnswersEqualTheEngineAlone() throws Exception {
        String[] prompts = {"a", "bb", "ccc dd", "hello there", "what now?", "x y z", "seventh"};
        List<GenerationResult> expected = new ArrayList<>();
        for (String p : prompts) {
            expected.add(reference.generator().generate(reference.encodeChat(List.of(ChatMessage.user(p))),
                    GenerationOptions.greedy(30)));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (String p : prompts) {
                answers.add(pool.submit(() -> {
                    StringBuilder text = new StringBuilder();
                    for (JsonNode c : http.stream("/v1/chat/completions", chat(p, 30)).chunks()) {
                        text.append(c.get("choices").get(0).get("delta").path("content").asText(""));
                    }
                    return text.toString();
                }));
            }
            for (int i = 0; i < prompts.length; i++) {
                assertTrue(expected.get(i).completionTokens() > 5, "the tiny model should not stop at once");
                assertEquals(expected.get(i).text(), answers.get(i).get(), "prompt " + prompts[i]);
            }
        }
    }

    @Test
    void aCancelledSequenceLeavesItsSlotWithinOneStep() throws Exception {
        BatchScheduler scheduler = server.scheduler();
        BlockingQueue<SequenceEvent> events = new LinkedBlockingQueue<>();
        BatchScheduler.Sequence s = scheduler.submit(reference.encodeChat(List.of(ChatMessage.user("long one"))),
                GenerationOptions.builder().maxNewTokens(150).ignoreEos(true).build(), 0, events,
                Duration.ofMinutes(1), System.nanoTime());
        for (int texts = 0; texts < 3; ) {
            SequenceEvent e = events.poll(10, TimeUnit.SECONDS);
            assertTrue(e instanceof SequenceEvent.Text, "expected text, got " + e);
            texts++;
        }
        int generatedAtCancel = s.decoder.generatedLength();
        s.cancel();
        SequenceEvent last;
        do {
            last = events.poll(10, TimeUnit.SECONDS);
        } while (last instanceof SequenceEvent.Text);
        SequenceEvent.Done done = (SequenceEvent.Done) last;
        assertEquals(FinishReason.CANCELLED, done.result().finishReason());
        assertTrue(done.result().completionTokens() <= generatedAtCancel + 2,
                done.result().completionTokens() + " tokens after cancelling at " + generatedAtCancel);
        Await.until(Duration.ofSeconds(5), () -> scheduler.activeCount() == 0);
        assertEquals(0, scheduler.activeCount());
    }

    @Test
    void errorsHaveOpenAisShape() throws Exception {
        Http.Response malformed = http.post("/v1/chat/completions", "not json");
        assertEquals(400, malformed.status());
        JsonNode error = malformed.json().get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.has("message") && error.has("param") && error.has("code"));

        ObjectNode tooLong = chat("hi", 190);
        tooLong.put("stream", false);
        Http.Response overflow = http.post("/v1/chat/completions", tooLong);
        assertEquals(400, overflow.status());
        assertEquals("max_tokens", overflow.json().get("error").get("param").asText());

        ObjectNode other = chat("hi", 2);
        other.put("model", "nope");
        assertEquals(404, http.post("/v1/chat/completions", other).status());

        ObjectNode schema = chat("hi", 2);
        schema.putObject("response_format").put("type", "json_schema");
        assertEquals(400, http.post("/v1/chat/completions", schema).status());

        ObjectNode tools = chat("hi", 2);
        tools.putArray("tools").addObject().put("type", "function");
        assertEquals("tools", http.post("/v1/chat/completions", tools).json().get("error").get("param").asText());

        ObjectNode badN = chat("hi", 2);
        badN.put("n", 0);
        assertEquals("n", http.post("/v1/chat/completions", badN).json().get("error").get("param").asText());
    }

    @Test
    void aRequestPastItsTimeLimitGets504() throws Exception {
        try (NuriServer quick = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(1)
                .withContextLength(64).withRequestTimeout(Duration.ofNanos(1)).withModelId("tiny"), model).awaitReady()) {
            ObjectNode body = chat("hi", 4);
            body.put("stream", false);
            Http.Response r = new Http(quick.port(), null).post("/v1/chat/completions", body);
            assertEquals(504, r.status(), r.text());
            assertEquals("timeout_error", r.json().get("error").get("type").asText());
        }
    }
}
