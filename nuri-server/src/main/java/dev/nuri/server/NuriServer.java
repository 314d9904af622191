package dev.nuri.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nuri.engine.Engine;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code nuri serve}: an OpenAI-compatible HTTP server over one {@link Engine}, with continuous batching
 * ({@link BatchScheduler}) and a web chat page at {@code /}.
 *
 * <p>HTTP library: Helidon SE 4 WebServer. It is built on virtual threads from the ground up (one virtual thread per
 * request, plain blocking code, no reactive API), so a streaming response is a loop that writes to an
 * {@code OutputStream} and a thousand open streams cost a thousand cheap virtual threads; it is pure Java with a small
 * dependency tree (no Netty, no Kotlin), Apache-2.0, and maintained by Oracle with regular releases. Javalin 6 on
 * Jetty 12 would serve as well; Helidon wins on having virtual threads as its only model rather than an option.
 *
 * <p>Endpoints: {@code POST /v1/chat/completions}, {@code POST /v1/completions}, {@code POST /v1/embeddings},
 * {@code GET /v1/models}, {@code GET /health} (503 while the model loads, 200 when ready), {@code GET /metrics}
 * (Prometheus text), and the chat page ({@code GET /}, with its script and style sheet). With an API key, every
 * {@code /v1/} endpoint needs {@code Authorization: Bearer <key>} (401 otherwise); the page, health and metrics stay open.
 */
public final class NuriServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NuriServer.class.getName());
    private static final long MAX_BODY_BYTES = 32L << 20;

    private final ServerConfig config;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Metrics metrics = new Metrics();
    private final RequestParser parser = new RequestParser(mapper);
    private final EmbeddingEndpoint embeddings = new EmbeddingEndpoint(mapper);
    private final CompletableFuture<Ready> ready = new CompletableFuture<>();
    private final WebServer web;
    private final Thread loader;
    private final long created = System.currentTimeMillis() / 1000;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** The loaded model and what serves it. */
    private record Ready(Engine engine, BatchScheduler scheduler, CompletionEndpoint completions, String modelId) {
    }

    private NuriServer(ServerConfig config, Supplier<Engine> engine) {
        this.config = config;
        this.web = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(MAX_BODY_BYTES)
                .shutdownHook(false)
                .routing(this::routes)
                .build()
                .start();
        this.loader = Thread.ofPlatform().name("nuri-model-loader").daemon().start(() -> load(engine));
    }

    /**
     * Starts listening at once (so {@code /health} answers 503 while the model loads) and loads the model on another
     * thread. {@link #awaitReady} waits for it.
     */
    public static NuriServer start(ServerConfig config, Supplier<Engine> engine) {
        return new NuriServer(config, engine);
    }

    /** Starts a server over the model at {@code modelPath} (a GGUF file or a Hugging Face folder). */
    public static NuriServer start(ServerConfig config, Path modelPath) {
        return start(config, () -> Engine.load(modelPath));
    }

    private void load(Supplier<Engine> supplier) {
        Engine engine = null;
        try {
            engine = supplier.get();
            int modelContext = engine.info().contextLength();
            int context = config.contextLength() > 0 ? config.contextLength()
                    : Math.min(modelContext, ServerConfig.DEFAULT_CONTEXT_CAP);
            if (context > modelContext) {
                throw new dev.nuri.NuriException("--context " + context + " is more than " + engine.info().name()
                        + " holds (" + modelContext + " tokens)");
            }
            String modelId = config.modelId() != null ? config.modelId() : modelIdOf(engine.path());
            BatchScheduler scheduler = new BatchScheduler(engine.generator(), config.parallel(), context,
                    config.queueCapacity(), metrics);
            ready.complete(new Ready(engine, scheduler,
                    new CompletionEndpoint(mapper, engine, scheduler, modelId, config.requestTimeout()), modelId));
        } catch (RuntimeException | Error e) {
            if (engine != null) {
                engine.close();
            }
            ready.completeExceptionally(e);
        }
    }

    /** The folder or file name, without a {@code .gguf} ending. */
    static String modelIdOf(Path path) {
        String name = path.getFileName().toString();
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }

    /** Waits until the model is loaded. If loading failed, stops the server and rethrows the failure. */
    public NuriServer awaitReady() {
        try {
            ready.join();
        } catch (java.util.concurrent.CompletionException e) {
            close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return this;
    }

    /** The port the server listens on (the one chosen, with port 0). */
    public int port() {
        return web.port();
    }

    public ServerConfig config() {
        return config;
    }

    /** The model id clients name in requests (once loaded). */
    public String modelId() {
        return awaitReady().ready.join().modelId();
    }

    /** The scheduler, once the model is loaded (tests). */
    BatchScheduler scheduler() {
        return awaitReady().ready.join().scheduler();
    }

    int activeSequences() {
        return ready.isDone() && !ready.isCompletedExceptionally() ? ready.join().scheduler().activeCount() : 0;
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/health", (req, res) -> handle("health", req, res, false, () -> health(res)));
        r.get("/metrics", (req, res) -> handle("metrics", req, res, false, () -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.prometheus().getBytes(StandardCharsets.UTF_8));
        }));
        r.get("/v1/models", (req, res) -> handle("models", req, res, true, () -> sendJson(res, 200, models())));
        r.get("/v1/models/{id}", (req, res) -> handle("models", req, res, true,
                () -> sendJson(res, 200, model(req.path().pathParameters().get("id")))));
        r.post("/v1/chat/completions", (req, res) -> handle("chat", req, res, true,
                () -> ready().completions().chat(parser.parse(body(req)), exchange(res))));
        r.post("/v1/completions", (req, res) -> handle("completions", req, res, true,
                () -> ready().completions().completion(parser.parse(body(req)), exchange(res))));
        r.post("/v1/embeddings", (req, res) -> handle("embeddings", req, res, true,
                () -> sendJson(res, 200, embeddings.embed(parser.parse(body(req))))));
        r.get("/", staticFile("index.html", "text/html; charset=utf-8"));
        r.get("/app.js", staticFile("app.js", "text/javascript; charset=utf-8"));
        r.get("/style.css", staticFile("style.css", "text/css; charset=utf-8"));
        r.any((req, res) -> handle("other", req, res, false, () -> {
            throw new ApiException(404, "invalid_request_error", null, "not_found",
                    "no endpoint " + req.prologue().method().text() + " " + req.path().path(), 0);
        }));
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    /** Runs an endpoint: API key check, errors in OpenAI's shape, request counting. */
    private void handle(String endpoint, ServerRequest req, ServerResponse res, boolean needsKey, Action action) {
        try {
            if (needsKey) {
                checkKey(req);
            }
            action.run();
        } catch (ApiException e) {
            sendError(res, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "request to " + endpoint + " failed", e);
            sendError(res, new ApiException(500, "server_error", null, null, "internal error: " + e, 0));
        } finally {
            metrics.request(endpoint, res.status().code());
        }
    }

    private void checkKey(ServerRequest req) {
        if (config.apiKey() == null) {
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "You didn't provide an API key: send it as 'Authorization: Bearer <key>'", 0);
        }
        String given = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), config.apiKey().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided", 0);
        }
    }

    private Ready ready() {
        if (!ready.isDone()) {
            throw new ApiException(503, "server_error", null, "model_loading", "the model is still loading; retry shortly", 5);
        }
        if (ready.isCompletedExceptionally()) {
            throw new ApiException(503, "server_error", null, "model_failed", "the model failed to load: " + loadError(), 0);
        }
        return ready.join();
    }

    private String loadError() {
        try {
            ready.join();
            return "";
        } catch (java.util.concurrent.CompletionException e) {
            return String.valueOf(e.getCause().getMessage());
        }
    }

    private void health(ServerResponse res) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        if (!ready.isDone()) {
            body.put("status", "loading");
            res.header("Retry-After", "5");
            sendJson(res, 503, mapper.writeValueAsBytes(body));
        } else if (ready.isCompletedExceptionally()) {
            body.put("status", "error").put("message", loadError());
            sendJson(res, 503, mapper.writeValueAsBytes(body));
        } else {
            Ready r = ready.join();
            body.put("status", "ok").put("model", r.modelId()).put("slots", r.scheduler().slotCount())
                    .put("active", r.scheduler().activeCount()).put("queued", r.scheduler().queueDepth());
            sendJson(res, 200, mapper.writeValueAsBytes(body));
        }
    }

    private byte[] models() throws IOException {
        Ready r = ready();
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        data.addObject().put("id", r.modelId()).put("object", "model").put("created", created).put("owned_by", "nuri")
                .put("context_length", r.scheduler().contextLength());
        data.addObject().put("id", embeddings.modelId()).put("object", "model").put("created", created)
                .put("owned_by", "nuri");
        return mapper.writeValueAsBytes(root);
    }

    private byte[] model(String id) throws IOException {
        for (JsonNode m : mapper.readTree(models()).get("data")) {
            if (m.get("id").asText().equals(id)) {
                return mapper.writeValueAsBytes(m);
            }
        }
        throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + id + "' does not exist", 0);
    }

    private static byte[] body(ServerRequest req) throws IOException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            return in.readAllBytes();
        }
    }

    private CompletionEndpoint.Exchange exchange(ServerResponse res) {
        return new CompletionEndpoint.Exchange() {
            @Override
            public void json(byte[] body) {
                sendJson(res, 200, body);
            }

            @Override
            public OutputStream eventStream() {
                res.status(200);
                res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                res.header("X-Accel-Buffering", "no");
                return res.outputStream();
            }

            @Override
            public OutputStream jsonStream() {
                res.status(200);
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                return res.outputStream();
            }
        };
    }

    private static void sendJson(ServerResponse res, int status, byte[] body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    private void sendError(ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            res.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        sendJson(res, e.status(), ApiErrors.body(mapper, e));
    }

    private Handler staticFile(String name, String contentType) {
        return (req, res) -> handle("page", req, res, false, () -> {
            try (InputStream in = NuriServer.class.getResourceAsStream("web/" + name)) {
                if (in == null) {
                    throw new ApiException(404, "invalid_request_error", null, "not_found", "no " + name + " in this build", 0);
                }
                res.header(HeaderNames.CONTENT_TYPE, contentType);
                res.send(in.readAllBytes());
            }
        });
    }

    /** Stops listening, ends every sequence and closes the model. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        web.stop();
        try {
            loader.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            Ready r = ready.join();
            r.scheduler().close();
            r.engine().close();
        }
        embeddings.close();
    }

    /** For tests: a parsed copy of the metrics. */
    String metricsText() {
        return metrics.prometheus();
    }
}
