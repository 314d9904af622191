package dev.nuri.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.nuri.engine.Engine;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.testkit.Fixtures;
import dev.nuri.text.chat.ChatMessage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Acceptance: the official OpenAI Java SDK (com.openai:openai-java) talks to Nuri as it would to OpenAI. */
class OpenAiClientTest {
    private static NuriServer server;
    private static Engine reference;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        Path model = Fixtures.require("hf/qwen2-tiny");
        reference = Engine.load(model);
        server = NuriServer.start(ServerConfig.defaults().withPort(0).withParallel(2).withContextLength(256)
                .withApiKey("test-key").withModelId("qwen2-tiny"), model).awaitReady();
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("test-key").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    private static ChatCompletionCreateParams chat(String user, long maxTokens) {
        return ChatCompletionCreateParams.builder().model("qwen2-tiny").addSystemMessage("Be brief.")
                .addUserMessage(user).maxCompletionTokens(maxTokens).temperature(0.0).build();
    }

    private static GenerationResult alone(String user, int maxTokens) {
        return reference.generator().generate(reference.encodeChat(List.of(ChatMessage.system("Be brief."),
                ChatMessage.user(user))), GenerationOptions.greedy(maxTokens));
    }

    @Test
    void chat() {
        GenerationResult expected = alone("What is a KV cache?", 20);
        ChatCompletion c = client.chat().completions().create(chat("What is a KV cache?", 20));
        c.validate();
        assertEquals(expected.text(), c.choices().getFirst().message().content().orElseThrow());
        assertEquals(expected.finishReason().apiName(), c.choices().getFirst().finishReason().asString());
        assertEquals(expected.completionTokens(), c.usage().orElseThrow().completionTokens());
        assertEquals(expected.promptTokens(), c.usage().orElseThrow().promptTokens());
    }

    @Test
    void streamingChat() {
        GenerationResult expected = alone("Stream me something", 20);
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                chat("Stream me something", 20).toBuilder()
                        .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                                .includeUsage(true).build()).build())) {
            long[] completionTokens = {-1};
            stream.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> completionTokens[0] = u.completionTokens());
            });
            assertEquals(expected.completionTokens(), completionTokens[0]);
        }
        assertEquals(expected.text(), text.toString());
    }

    @Test
    void completions() {
        GenerationResult expected = reference.generator().generate(reference.encodePrompt("Once upon a time"),
                GenerationOptions.greedy(12));
        Completion c = client.completions().create(CompletionCreateParams.builder().model("qwen2-tiny")
                .prompt("Once upon a time").maxTokens(12).temperature(0.0).build());
        c.validate();
        assertEquals(expected.text(), c.choices().getFirst().text());
    }

    @Test
    void embeddings() {
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-MiniLM-L6-v2").inputOfArrayOfStrings(List.of("the cat sat", "a dog ran")).build());
        assertEquals(2, r.data().size());
        assertEquals(384, r.data().get(0).embedding().size());
        double dot = 0;
        for (float v : r.data().get(0).embedding()) {
            dot += v * v;
        }
        assertEquals(1.0, dot, 1e-4);
    }

    @Test
    void errorsArriveAsTheSdkExceptions() {
        assertThrows(NotFoundException.class, () -> client.chat().completions().create(
                chat("hi", 2).toBuilder().model("gpt-4o").build()));
        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .apiKey("wrong").maxRetries(0).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class,
                    () -> wrongKey.chat().completions().create(chat("hi", 2)));
            assertTrue(e.getMessage().contains("Incorrect API key"), e.getMessage());
        } finally {
            wrongKey.close();
        }
    }
}
