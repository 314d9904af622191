package dev.nuri.server;

import dev.nuri.NuriException;
import java.time.Duration;

/**
 * How {@code nuri serve} runs.
 *
 * @param host           address to bind (127.0.0.1 by default: only this machine can connect)
 * @param port           TCP port; 0 picks a free one (tests)
 * @param apiKey         when set, {@code /v1/*} needs {@code Authorization: Bearer <apiKey>}; null = open
 * @param parallel       KV cache slots: the most sequences decoded at once
 * @param contextLength  tokens per slot (prompt + completion); 0 = the model's context, capped at {@link #DEFAULT_CONTEXT_CAP}
 * @param queueCapacity  sequences that may wait for a slot; more are refused with 429 and Retry-After
 * @param requestTimeout the most time one request may take, waiting included (then 504 / an error event)
 * @param modelId        the id {@code /v1/models} lists and requests name; null = the model's folder or file name
 */
public record ServerConfig(String host, int port, String apiKey, int parallel, int contextLength, int queueCapacity,
        Duration requestTimeout, String modelId) {

    /** Without {@code --context}, slots hold at most this many tokens (a 32k-context model would need GBs per slot). */
    public static final int DEFAULT_CONTEXT_CAP = 4096;

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new NuriException("--host must name an address, e.g. 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new NuriException("--port must be in 0..65535, got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new NuriException("--api-key must not be blank");
        }
        if (parallel < 1 || parallel > 256) {
            throw new NuriException("--parallel must be in 1..256, got " + parallel);
        }
        if (contextLength < 0) {
            throw new NuriException("--context must be positive (or 0 for the model's own), got " + contextLength);
        }
        if (queueCapacity < 1) {
            throw new NuriException("the queue must hold at least 1 request, got " + queueCapacity);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new NuriException("the request timeout must be positive, got " + requestTimeout);
        }
    }

    /** 127.0.0.1:8080, no key, 4 slots, the model's context (capped), 64 waiting, 10 minutes per request. */
    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", 8080, null, 4, 0, 64, Duration.ofMinutes(10), null);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withApiKey(String apiKey) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withParallel(int parallel) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withContextLength(int contextLength) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withQueueCapacity(int queueCapacity) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withRequestTimeout(Duration requestTimeout) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withModelId(String modelId) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, apiKey, parallel, contextLength, queueCapacity, requestTimeout, modelId);
    }
}
