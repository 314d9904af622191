package dev.nuri.server;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** Server counters, written in the Prometheus text exposition format (version 0.0.4) for {@code GET /metrics}. */
final class Metrics {
    /** Tokens per second are measured over this trailing window. */
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LongAdder reusedPromptTokens = new LongAdder();
    private final LongAdder decodeSteps = new LongAdder();
    private final LongAdder firstTokenCount = new LongAdder();
    private final AtomicLong firstTokenNanos = new AtomicLong();
    private final ArrayDeque<long[]> recentSteps = new ArrayDeque<>(); // {time, tokens}
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile IntSupplier activeSequences = () -> 0;

    void gauges(IntSupplier queueDepth, IntSupplier activeSequences) {
        this.queueDepth = queueDepth;
        this.activeSequences = activeSequences;
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder())
                .increment();
    }

    void prefill(int promptTokenCount, int reused) {
        promptTokens.add(promptTokenCount);
        reusedPromptTokens.add(reused);
    }

    void firstToken(long nanosSinceArrival) {
        firstTokenCount.increment();
        firstTokenNanos.addAndGet(nanosSinceArrival);
    }

    void tokens(int count) {
        generatedTokens.add(count);
        long now = System.nanoTime();
        synchronized (recentSteps) {
            recentSteps.addLast(new long[] {now, count});
            while (!recentSteps.isEmpty() && now - recentSteps.peekFirst()[0] > RATE_WINDOW_NANOS) {
                recentSteps.removeFirst();
            }
        }
    }

    void decodeStep() {
        decodeSteps.increment();
    }

    /** Generated tokens per second over the last ten seconds. */
    double tokensPerSecond() {
        long now = System.nanoTime();
        long tokens = 0;
        synchronized (recentSteps) {
            for (long[] step : recentSteps) {
                if (now - step[0] <= RATE_WINDOW_NANOS) {
                    tokens += step[1];
                }
            }
        }
        return tokens / (RATE_WINDOW_NANOS / 1e9);
    }

    String prometheus() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP nuri_requests_total HTTP requests by endpoint and status.\n# TYPE nuri_requests_total counter\n");
        new TreeMap<>(requests).forEach((labels, n) -> out.append("nuri_requests_total{").append(labels).append("} ")
                .append(n.sum()).append('\n'));
        counter(out, "nuri_prompt_tokens_total", "Prompt tokens received.", promptTokens.sum());
        counter(out, "nuri_prompt_tokens_reused_total", "Prompt tokens served from a cached prefix (not recomputed).",
                reusedPromptTokens.sum());
        counter(out, "nuri_generated_tokens_total", "Tokens generated.", generatedTokens.sum());
        counter(out, "nuri_decode_steps_total", "Batched decode steps run.", decodeSteps.sum());
        gauge(out, "nuri_queue_depth", "Requests waiting for a slot.", queueDepth.getAsInt());
        gauge(out, "nuri_active_sequences", "Sequences being decoded.", activeSequences.getAsInt());
        out.append("# HELP nuri_time_to_first_token_seconds Time from arrival to the first generated token.\n")
                .append("# TYPE nuri_time_to_first_token_seconds summary\n")
                .append("nuri_time_to_first_token_seconds_sum ").append(firstTokenNanos.get() / 1e9).append('\n')
                .append("nuri_time_to_first_token_seconds_count ").append(firstTokenCount.sum()).append('\n');
        out.append("# HELP nuri_tokens_per_second Generated tokens per second over the last 10 s.\n")
                .append("# TYPE nuri_tokens_per_second gauge\n")
                .append("nuri_tokens_per_second ").append(tokensPerSecond()).append('\n');
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name)
                .append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }
}
