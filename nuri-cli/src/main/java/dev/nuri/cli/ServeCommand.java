package dev.nuri.cli;

import dev.nuri.NuriException;
import dev.nuri.server.NuriServer;
import dev.nuri.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nuri serve}: the OpenAI-compatible server with continuous batching and the web chat page. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, "
                + "/v1/embeddings, /v1/models, /health, /metrics) with a web chat page at /.")
final class ServeCommand implements Callable<Integer> {
    static final String NO_MODEL = "no model given and none in the model store: pass --model PATH (a GGUF file or a "
            + "Hugging Face model folder), or download one first with: nuri pull Qwen/Qwen2.5-0.5B-Instruct";

    @Option(names = "--model", paramLabel = "PATH|ORG/NAME",
            description = "A GGUF file, a Hugging Face model folder, or a repository id pulled into the model store.")
    String model;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: ${DEFAULT-VALUE}: this machine only).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "N", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:NURI_API_KEY}",
            description = "Require 'Authorization: Bearer KEY' on /v1/* (default: $NURI_API_KEY; unset = open).")
    String apiKey;

    @Option(names = "--parallel", paramLabel = "N", description = "Sequences decoded together (KV cache slots; default: ${DEFAULT-VALUE}).")
    int parallel = 4;

    @Option(names = "--context", paramLabel = "N",
            description = "Tokens per slot, prompt + completion (default: the model's, at most " + ServerConfig.DEFAULT_CONTEXT_CAP + ").")
    int context;

    @Option(names = "--queue", paramLabel = "N", description = "Requests that may wait for a slot before 429 (default: ${DEFAULT-VALUE}).")
    int queue = 64;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Most seconds one request may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 600;

    @Option(names = "--model-id", paramLabel = "ID", description = "The model name clients use (default: the folder or file name).")
    String modelId;

    @Override
    public Integer call() throws Exception {
        Path modelPath = resolveModel(model, ModelStore.standard());
        if (timeoutSeconds < 1) {
            throw new NuriException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        ServerConfig config = new ServerConfig(host, port, apiKey == null || apiKey.isEmpty() ? null : apiKey,
                parallel, context, queue, Duration.ofSeconds(timeoutSeconds), modelId);
        NuriServer server = NuriServer.start(config, modelPath);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        System.err.println("nuri: loading " + modelPath + " ...");
        try {
            server.awaitReady();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        System.err.println("nuri: serving '" + server.modelId() + "' at " + base + "/v1 (OpenAI base URL), chat page "
                + base + "/ ; " + parallel + " slots" + (config.apiKey() != null ? ", API key required" : "")
                + "; Ctrl-C stops");
        stopped.await();
        return 0;
    }

    /**
     * {@code --model} as a path when it exists, else as a repository id in the store; without {@code --model}, the
     * store's only model.
     */
    static Path resolveModel(String model, ModelStore store) {
        if (model == null) {
            List<String> pulled = store.models();
            if (pulled.isEmpty()) {
                throw new NuriException(NO_MODEL);
            }
            if (pulled.size() > 1) {
                throw new NuriException("no model given and the store holds " + pulled.size() + ": choose one with --model ("
                        + String.join(", ", pulled) + ")");
            }
            return store.modelPath(pulled.getFirst());
        }
        Path path = Path.of(model);
        if (Files.exists(path)) {
            return path;
        }
        if (ModelStore.REPO_ID.matcher(model).matches() && Files.isDirectory(store.folder(model))) {
            return store.modelPath(model);
        }
        throw new NuriException(model + ": no such file or folder" + (ModelStore.REPO_ID.matcher(model).matches()
                ? ", and not in the model store (get it with: nuri pull " + model + ")" : ""));
    }
}
