package dev.nuri.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import dev.nuri.generate.FinishReason;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.generate.TokenLogprob;
import dev.nuri.generate.TopLogprob;
import dev.nuri.NuriException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: turns a request into one scheduler sequence per
 * choice (per prompt × {@code n}), then answers with one JSON body or a stream of server-sent events
 * ({@code data: {chunk}} lines, ending with {@code data: [DONE]}), in OpenAI's wire format. A client that goes away
 * mid-stream (a write fails) cancels its sequences, which leave their slots before the next decode step.
 *
 * <p>A non-streamed answer that takes longer than {@link #COMMIT_JSON_AFTER} starts its 200 response early and writes
 * one space (JSON allows leading whitespace) per generated piece of text, so that a client that went away is noticed
 * within a token or two, as with streams. The cost: an error after that point (a request timeout, say) arrives as the
 * OpenAI error body under status 200 instead of its own status.
 */
final class CompletionEndpoint {
    /** What the HTTP layer needs to write a response: a status, headers and a body, or a stream. */
    interface Exchange {
        /** Sends a complete JSON body with status 200. */
        void json(byte[] body);

        /** Starts a 200 text/event-stream response and returns its body stream. */
        OutputStream eventStream();

        /** Starts a 200 application/json response whose body is written in pieces, and returns its body stream. */
        OutputStream jsonStream();
    }

    /** How long a non-streamed answer may run before its response starts (see the class comment). */
    static final Duration COMMIT_JSON_AFTER = Duration.ofMillis(100);

    private final ObjectMapper mapper;
    private final RequestParser parser;
    private final Engine engine;
    private final BatchScheduler scheduler;
    private final String modelId;
    private final Duration timeout;

    CompletionEndpoint(ObjectMapper mapper, Engine engine, BatchScheduler scheduler, String modelId, Duration timeout) {
        this.mapper = mapper;
        this.parser = new RequestParser(mapper);
        this.engine = engine;
        this.scheduler = scheduler;
        this.modelId = modelId;
        this.timeout = timeout;
    }

    void chat(JsonNode body, Exchange exchange) {
        long arrival = System.nanoTime();
        var messages = parser.messages(body);
        int[] prompt;
        try {
            prompt = engine.encodeChat(messages);
        } catch (NuriException | IllegalArgumentException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
        run(body, List.of(prompt), arrival, true, exchange);
    }

    void completion(JsonNode body, Exchange exchange) {
        long arrival = System.nanoTime();
        run(body, prompts(body.get("prompt")), arrival, false, exchange);
    }

    /** A completion's {@code prompt}: a string, a list of strings, a list of ids, or a list of id lists. */
    private List<int[]> prompts(JsonNode prompt) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.invalid("prompt", "'prompt' is required: a string or an array of strings");
        }
        if (prompt.isTextual()) {
            return List.of(engine.encodePrompt(prompt.asText()));
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw ApiException.invalid("prompt", "'prompt' must be a string, a non-empty array of strings, "
                    + "an array of token ids or an array of such arrays");
        }
        if (prompt.get(0).isIntegralNumber()) {
            return List.of(ids(prompt));
        }
        List<int[]> out = new ArrayList<>();
        for (JsonNode p : prompt) {
            if (p.isTextual()) {
                out.add(engine.encodePrompt(p.asText()));
            } else if (p.isArray()) {
                out.add(ids(p));
            } else {
                throw ApiException.invalid("prompt", "'prompt' array items must be strings or arrays of token ids");
            }
        }
        return out;
    }

    private int[] ids(JsonNode array) {
        int vocab = engine.info().vocabSize();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= vocab) {
                throw ApiException.invalid("prompt", "token ids in 'prompt' must be integers in [0, " + vocab
                        + "), got " + id);
            }
            ids[i] = id.asInt();
        }
        if (ids.length == 0) {
            throw ApiException.invalid("prompt", "a token-id prompt must not be empty");
        }
        return ids;
    }

    private void run(JsonNode body, List<int[]> prompts, long arrival, boolean chat, Exchange exchange) {
        checkModel(body);
        int n = parser.n(body);
        boolean stream = parser.stream(body);
        boolean includeUsage = parser.includeUsage(body);
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        int contextLeft = scheduler.contextLength() - longest;
        if (contextLeft < 1) {
            throw ApiException.invalid(chat ? "messages" : "prompt", "This model's maximum context length is "
                    + scheduler.contextLength() + " tokens, but the prompt has " + longest
                    + " tokens, which leaves no room for a completion. Please shorten the prompt.");
        }
        GenerationOptions options = parser.options(body, chat ? contextLeft : 16, chat);
        if (prompts.size() * n > scheduler.slotCount() * 4) {
            throw ApiException.invalid("n", "this request asks for " + prompts.size() * n + " completions; this server "
                    + "takes at most " + scheduler.slotCount() * 4 + " per request (4 × --parallel)");
        }
        BlockingQueue<SequenceEvent> events = new LinkedBlockingQueue<>();
        List<BatchScheduler.Sequence> sequences = new ArrayList<>();
        try {
            for (int p = 0; p < prompts.size(); p++) {
                for (int c = 0; c < n; c++) {
                    GenerationOptions choiceOptions = options.seed() != null && c > 0
                            ? options.toBuilder().seed(options.seed() + c).build() : options;
                    sequences.add(scheduler.submit(prompts.get(p), choiceOptions, p * n + c, events, timeout, arrival));
                }
            }
        } catch (RuntimeException e) {
            sequences.forEach(BatchScheduler.Sequence::cancel);
            throw e;
        }
        int promptTokens = prompts.stream().mapToInt(p -> p.length).sum();
        Response response = new Response(chat, (chat ? "chatcmpl-" : "cmpl-") + id(),
                System.currentTimeMillis() / 1000, sequences.size(), promptTokens);
        try {
            if (stream) {
                streamEvents(response, events, exchange.eventStream(), includeUsage, sequences);
            } else {
                answerJson(response, events, sequences, exchange, arrival);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sequences.forEach(BatchScheduler.Sequence::cancel);
        } catch (RuntimeException e) {
            sequences.forEach(BatchScheduler.Sequence::cancel);
            throw e;
        }
    }

    private void checkModel(JsonNode body) {
        JsonNode model = body.get("model");
        if (model != null && !model.isNull()) {
            if (!model.isTextual()) {
                throw ApiException.invalid("model", "'model' must be a string");
            }
            if (!model.asText().equals(modelId)) {
                throw new ApiException(404, "invalid_request_error", "model", "model_not_found", "The model '"
                        + model.asText() + "' does not exist; this server serves '" + modelId + "' (see GET /v1/models)", 0);
            }
        }
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private void answerJson(Response response, BlockingQueue<SequenceEvent> events,
            List<BatchScheduler.Sequence> sequences, Exchange exchange, long arrivalNanos) throws InterruptedException {
        OutputStream body = null; // the committed response, once the answer runs past COMMIT_JSON_AFTER
        try {
            int open = sequences.size();
            while (open > 0) {
                SequenceEvent e = events.take();
                switch (e) {
                    case SequenceEvent.Done done -> {
                        response.results[done.choice()] = done.result();
                        open--;
                    }
                    case SequenceEvent.Failed failed -> {
                        sequences.forEach(BatchScheduler.Sequence::cancel);
                        if (body == null) {
                            throw failed.error();
                        }
                        body.write(ApiErrors.body(mapper, failed.error()));
                        body.close();
                        return;
                    }
                    case SequenceEvent.Text text -> {
                        if (body == null && System.nanoTime() - arrivalNanos > COMMIT_JSON_AFTER.toNanos()) {
                            body = exchange.jsonStream();
                        }
                        if (body != null) {
                            body.write(' ');
                            body.flush();
                        }
                    }
                    default -> {
                    }
                }
            }
            if (body == null) {
                exchange.json(response.body());
            } else {
                body.write(response.body());
                body.close();
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // the client went away: free the slots
            sequences.forEach(BatchScheduler.Sequence::cancel);
        } catch (RuntimeException e) {
            sequences.forEach(BatchScheduler.Sequence::cancel);
            if (body == null) {
                throw e;
            }
            // else Helidon reported the closed connection with its own unchecked exception; the status is already sent
        }
    }

    private void streamEvents(Response response, BlockingQueue<SequenceEvent> events, OutputStream out,
            boolean includeUsage, List<BatchScheduler.Sequence> sequences) throws InterruptedException {
        try {
            if (response.chat) {
                for (int c = 0; c < response.results.length; c++) {
                    ObjectNode delta = mapper.createObjectNode().put("role", "assistant").put("content", "");
                    send(out, response.chunk(c, delta, null, null, includeUsage));
                }
            }
            List<List<TokenLogprob>> pendingLogprobs = new ArrayList<>();
            for (int c = 0; c < response.results.length; c++) {
                pendingLogprobs.add(new ArrayList<>());
            }
            int open = sequences.size();
            while (open > 0) {
                SequenceEvent e = events.take();
                int c = e.choice();
                switch (e) {
                    case SequenceEvent.Logprob lp -> pendingLogprobs.get(c).add(lp.logprob());
                    case SequenceEvent.Text text -> {
                        send(out, response.textChunk(c, text.text(), pendingLogprobs.get(c), includeUsage));
                        pendingLogprobs.get(c).clear();
                    }
                    case SequenceEvent.Done done -> {
                        response.results[c] = done.result();
                        send(out, response.finalChunk(c, done.result(), pendingLogprobs.get(c), includeUsage));
                        open--;
                    }
                    case SequenceEvent.Failed failed -> {
                        sequences.forEach(BatchScheduler.Sequence::cancel);
                        send(out, ApiErrors.body(mapper, failed.error()));
                        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                        out.close();
                        return;
                    }
                }
            }
            if (includeUsage) {
                send(out, response.usageChunk());
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.close();
        } catch (IOException | java.io.UncheckedIOException e) {
            // the client went away: free the slots
            sequences.forEach(BatchScheduler.Sequence::cancel);
        } catch (RuntimeException e) {
            // Helidon reports a closed connection with its own unchecked exceptions
            sequences.forEach(BatchScheduler.Sequence::cancel);
        }
    }

    private void send(OutputStream out, byte[] json) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(json);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One response being built: its id, timestamp and the results of its choices. */
    private final class Response {
        final boolean chat;
        final String id;
        final long created;
        final GenerationResult[] results;
        final int promptTokens;

        Response(boolean chat, String id, long created, int choices, int promptTokens) {
            this.chat = chat;
            this.id = id;
            this.created = created;
            this.results = new GenerationResult[choices];
            this.promptTokens = promptTokens;
        }

        private ObjectNode envelope(boolean chunk) {
            ObjectNode root = mapper.createObjectNode();
            root.put("id", id);
            root.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
            root.put("created", created);
            root.put("model", modelId);
            root.put("system_fingerprint", "nuri");
            return root;
        }

        byte[] body() {
            ObjectNode root = envelope(false);
            ArrayNode choices = root.putArray("choices");
            for (int c = 0; c < results.length; c++) {
                GenerationResult r = results[c];
                ObjectNode choice = choices.addObject();
                choice.put("index", c);
                if (chat) {
                    choice.putObject("message").put("role", "assistant").put("content", r.text());
                    choice.set("logprobs", r.logprobs().isEmpty() ? mapper.nullNode() : chatLogprobs(r.logprobs()));
                } else {
                    choice.put("text", r.text());
                    choice.set("logprobs", r.logprobs().isEmpty() ? mapper.nullNode() : completionLogprobs(r.logprobs(), 0));
                }
                choice.put("finish_reason", finishReason(r));
            }
            root.set("usage", usage());
            return bytes(root);
        }

        byte[] chunk(int c, ObjectNode delta, String text, JsonNode logprobs, boolean includeUsage) {
            ObjectNode root = envelope(true);
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", c);
            if (chat) {
                choice.set("delta", delta);
            } else {
                choice.put("text", text);
            }
            choice.set("logprobs", logprobs == null ? mapper.nullNode() : logprobs);
            choice.putNull("finish_reason");
            if (includeUsage) {
                root.putNull("usage");
            }
            return bytes(root);
        }

        byte[] textChunk(int c, String text, List<TokenLogprob> logprobs, boolean includeUsage) {
            JsonNode lp = logprobs.isEmpty() ? null : chat ? chatLogprobs(logprobs) : completionLogprobs(logprobs, 0);
            return chunk(c, chat ? mapper.createObjectNode().put("content", text) : null, text, lp, includeUsage);
        }

        byte[] finalChunk(int c, GenerationResult r, List<TokenLogprob> logprobs, boolean includeUsage) {
            JsonNode lp = logprobs.isEmpty() ? null : chat ? chatLogprobs(logprobs) : completionLogprobs(logprobs, 0);
            ObjectNode root = envelope(true);
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", c);
            if (chat) {
                choice.putObject("delta");
            } else {
                choice.put("text", "");
            }
            choice.set("logprobs", lp == null ? mapper.nullNode() : lp);
            choice.put("finish_reason", finishReason(r));
            if (includeUsage) {
                root.putNull("usage");
            }
            return bytes(root);
        }

        byte[] usageChunk() {
            ObjectNode root = envelope(true);
            root.putArray("choices");
            root.set("usage", usage());
            return bytes(root);
        }

        private ObjectNode usage() {
            int completion = 0;
            for (GenerationResult r : results) {
                completion += r == null ? 0 : r.completionTokens();
            }
            ObjectNode usage = mapper.createObjectNode();
            usage.put("prompt_tokens", promptTokens);
            usage.put("completion_tokens", completion);
            usage.put("total_tokens", promptTokens + completion);
            return usage;
        }
    }

    private static String finishReason(GenerationResult r) {
        return r.finishReason() == FinishReason.LENGTH ? "length" : "stop";
    }

    private JsonNode chatLogprobs(List<TokenLogprob> logprobs) {
        ObjectNode node = mapper.createObjectNode();
        ArrayNode content = node.putArray("content");
        for (TokenLogprob lp : logprobs) {
            ObjectNode entry = content.addObject();
            entry.put("token", lp.token());
            entry.put("logprob", lp.logprob());
            entry.set("bytes", bytesOf(lp.token()));
            ArrayNode top = entry.putArray("top_logprobs");
            for (TopLogprob t : lp.top()) {
                top.addObject().put("token", t.token()).put("logprob", t.logprob()).set("bytes", bytesOf(t.token()));
            }
        }
        node.putNull("refusal");
        return node;
    }

    private JsonNode completionLogprobs(List<TokenLogprob> logprobs, int textOffset) {
        ObjectNode node = mapper.createObjectNode();
        ArrayNode tokens = node.putArray("tokens");
        ArrayNode values = node.putArray("token_logprobs");
        ArrayNode top = node.putArray("top_logprobs");
        ArrayNode offsets = node.putArray("text_offset");
        int offset = textOffset;
        for (TokenLogprob lp : logprobs) {
            tokens.add(lp.token());
            values.add(lp.logprob());
            ObjectNode alternatives = top.addObject();
            for (TopLogprob t : lp.top()) {
                alternatives.put(t.token(), t.logprob());
            }
            offsets.add(offset);
            offset += lp.token().length();
        }
        return node;
    }

    private ArrayNode bytesOf(String token) {
        ArrayNode bytes = mapper.createArrayNode();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return bytes;
    }

    private byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
