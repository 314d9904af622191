package dev.nuri.server;

import dev.nuri.NuriException;
import dev.nuri.generate.GenerationListener;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.Generator;
import dev.nuri.generate.SequenceDecoder;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Continuous batching: one scheduler thread decodes every active sequence together, one token per sequence per step.
 *
 * <p>Each step: (1) sequences that were cancelled (client gone) or ran past their deadline leave and free their
 * slots; (2) waiting requests take free slots; (3) up to {@link #PREFILL_TOKENS_PER_STEP} prompt tokens of joining
 * sequences are prefilled (the prompt minus whatever prefix the slot's KV cache already holds), and a sequence whose
 * prompt is complete samples its first token from the prefill logits; (4) one
 * {@link LanguageModel#forwardBatch} runs the last token of every active sequence, and each sequence samples its
 * next token from its own row with its own {@link SequenceDecoder}; finished sequences leave.
 *
 * <p>Memory is bounded: {@code slots} KV caches of {@code contextLength} positions (allocated on first use and then
 * kept) and a queue of at most {@code queueCapacity} waiting sequences; a full queue refuses at once (429).
 *
 * <p>Batch invariance: {@code DecoderModel.forwardBatch} computes each row with the same kernels, in the same
 * order, as a single-sequence pass ({@code WeightMatrix.matmul} is bit-identical to per-row {@code matvec},
 * attention and norms are per row), so a sequence's logits, and hence its greedy output, do not depend on what else
 * is in the batch.
 *
 * <p>Prefix reuse: a slot keeps the tokens its cache holds after its sequence ends. A new sequence goes to the free
 * slot whose cached tokens share the longest prefix with its prompt, and only the rest of the prompt is computed
 * ({@link InferenceState#truncate} drops the cached tail that differs). A chat that grows turn by turn, or many
 * requests with the same system prompt, skip recomputing the shared part.
 */
final class BatchScheduler implements AutoCloseable {
    /** Prompt tokens prefilled between two decode steps (chunked prefill). */
    static final int PREFILL_TOKENS_PER_STEP = 256;

    private final LanguageModel model;
    private final Generator generator;
    private final int contextLength;
    private final Metrics metrics;
    private final Slot[] slots;
    private final BlockingQueue<Sequence> waiting;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int active;

    BatchScheduler(Generator generator, int slots, int contextLength, int queueCapacity, Metrics metrics) {
        if (slots < 1) {
            throw new NuriException("--parallel must be at least 1, got " + slots);
        }
        if (queueCapacity < 1) {
            throw new NuriException("the request queue must hold at least 1 request, got " + queueCapacity);
        }
        this.generator = generator;
        this.model = generator.model();
        int modelContext = model.info().contextLength();
        if (contextLength < 1 || contextLength > modelContext) {
            throw new NuriException("--context must be in 1.." + modelContext + " for " + model.info().name()
                    + ", got " + contextLength);
        }
        this.contextLength = contextLength;
        this.metrics = metrics;
        this.slots = new Slot[slots];
        for (int i = 0; i < slots; i++) {
            this.slots[i] = new Slot();
        }
        this.waiting = new ArrayBlockingQueue<>(queueCapacity);
        metrics.gauges(waiting::size, () -> active);
        this.thread = Thread.ofPlatform().name("nuri-scheduler").daemon().start(this::loop);
    }

    int contextLength() {
        return contextLength;
    }

    int slotCount() {
        return slots.length;
    }

    /** Sequences being decoded now. */
    int activeCount() {
        return active;
    }

    int queueDepth() {
        return waiting.size();
    }

    /**
     * Checks that the prompt plus {@code options.maxNewTokens()} fits this server's context (else 400, never
     * silent truncation) and queues the sequence; events go to {@code events}. A full queue answers 429.
     */
    Sequence submit(int[] promptIds, GenerationOptions options, int choice, BlockingQueue<SequenceEvent> events,
            Duration timeout, long arrivalNanos) {
        if (promptIds.length + (long) options.maxNewTokens() > contextLength) {
            throw ApiException.invalid("max_tokens", "This model's maximum context length is " + contextLength
                    + " tokens. However, you requested " + (promptIds.length + (long) options.maxNewTokens())
                    + " tokens (" + promptIds.length + " in the prompt, " + options.maxNewTokens()
                    + " for the completion). Please reduce the prompt or max_tokens.");
        }
        Sequence sequence;
        try {
            sequence = new Sequence(promptIds, options, choice, events, timeout, arrivalNanos);
        } catch (NuriException e) {
            throw ApiException.invalid("messages", e.getMessage());
        }
        if (!running) {
            throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", 5);
        }
        if (!waiting.offer(sequence)) {
            throw new ApiException(429, "rate_limit_error", null, "queue_full", "the server is busy: all "
                    + slots.length + " slots are in use and the queue of " + (waiting.size())
                    + " waiting requests is full; retry shortly", 1);
        }
        return sequence;
    }

    private void loop() {
        List<Slot> batch = new ArrayList<>();
        while (running) {
            try {
                dropCancelled();
                admit();
                boolean prefilling = prefill();
                batch.clear();
                int busy = 0;
                for (Slot slot : slots) {
                    if (slot.sequence != null) {
                        busy++;
                        if (slot.prefilled) {
                            batch.add(slot);
                        }
                    }
                }
                active = busy;
                if (batch.isEmpty()) {
                    if (!prefilling) {
                        Sequence next = waiting.poll(100, TimeUnit.MILLISECONDS);
                        if (next != null) {
                            startInFreeSlot(next);
                        }
                    }
                    continue;
                }
                step(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                failAll(e);
            }
        }
        failAll(new NuriException("the server is shutting down"));
    }

    /** Cancelled or overdue sequences leave at once (their slots are free for this step). */
    private void dropCancelled() {
        long now = System.nanoTime();
        for (Slot slot : slots) {
            Sequence s = slot.sequence;
            if (s == null) {
                continue;
            }
            if (s.cancellation.isCancelled()) {
                s.decoder.cancel();
                finish(slot);
            } else if (now - s.deadlineNanos > 0) {
                fail(slot, timeout(s));
            }
        }
    }

    private ApiException timeout(Sequence s) {
        return new ApiException(504, "timeout_error", null, "timeout", "the request ran past its "
                + s.timeout.toSeconds() + " s time limit after generating " + s.decoder.generatedLength()
                + " tokens", 0);
    }

    private void admit() {
        while (hasFreeSlot()) {
            Sequence next = waiting.poll();
            if (next == null) {
                return;
            }
            startInFreeSlot(next);
        }
    }

    private boolean hasFreeSlot() {
        for (Slot slot : slots) {
            if (slot.sequence == null) {
                return true;
            }
        }
        return false;
    }

    /** Prefills {@code s} in the free slot whose cache shares the longest prefix with its prompt. */
    private void startInFreeSlot(Sequence s) {
        if (s.cancellation.isCancelled()) {
            s.decoder.cancel();
            s.done();
            return;
        }
        if (System.nanoTime() - s.deadlineNanos > 0) {
            s.fail(timeout(s));
            return;
        }
        Slot best = null;
        int bestReuse = -1;
        for (Slot slot : slots) {
            if (slot.sequence == null) {
                int reuse = slot.commonPrefix(s.promptIds);
                if (reuse > bestReuse) {
                    best = slot;
                    bestReuse = reuse;
                }
            }
        }
        Slot slot = best;
        slot.sequence = s;
        slot.prefilled = false;
        try {
            if (slot.state == null) {
                slot.state = model.newState(contextLength);
            }
            // at least one prompt token must run to get the logits of the next token
            int reuse = Math.min(bestReuse, s.promptIds.length - 1);
            slot.state.truncate(reuse);
            slot.cachedLength = reuse;
            metrics.prefill(s.promptIds.length, reuse);
        } catch (RuntimeException e) {
            slot.reset();
            fail(slot, asApiError(e));
        }
    }

    /**
     * Chunked prefill: runs at most {@link #PREFILL_TOKENS_PER_STEP} prompt tokens of the sequences that joined, so
     * a long prompt delays the running sequences' next token by one chunk, not by the whole prompt. A sequence whose
     * prompt is complete samples its first token from the prefill logits and joins the decode batch.
     * Returns whether any prefill is still pending.
     */
    private boolean prefill() {
        int budget = PREFILL_TOKENS_PER_STEP;
        boolean pending = false;
        for (Slot slot : slots) {
            Sequence s = slot.sequence;
            if (s == null || slot.prefilled) {
                continue;
            }
            if (budget == 0) {
                pending = true;
                continue;
            }
            int from = slot.cachedLength;
            int to = Math.min(s.promptIds.length, from + budget);
            try {
                float[] logits = model.forward(slot.state, Arrays.copyOfRange(s.promptIds, from, to), false);
                slot.cache(s.promptIds, from, to);
                budget -= to - from;
                if (to < s.promptIds.length) {
                    pending = true;
                    continue;
                }
                slot.prefilled = true;
                s.prefillNanos = System.nanoTime() - s.arrivalNanos;
                metrics.firstToken(s.prefillNanos);
                s.decodeStartNanos = System.nanoTime();
                metrics.tokens(1);
                if (s.decoder.next(logits, 0)) {
                    finish(slot);
                } else {
                    s.emitLogprob();
                }
            } catch (RuntimeException e) {
                slot.reset();
                fail(slot, asApiError(e));
            }
        }
        return pending;
    }

    /** One decode step: one batched forward pass over the last token of every active sequence. */
    private void step(List<Slot> batch) {
        List<InferenceState> states = new ArrayList<>(batch.size());
        int[] tokens = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Slot slot = batch.get(i);
            states.add(slot.state);
            tokens[i] = slot.sequence.decoder.lastToken();
        }
        float[] logits;
        try {
            logits = model.forwardBatch(states, tokens);
        } catch (RuntimeException e) {
            for (Slot slot : batch) {
                slot.reset();
                fail(slot, asApiError(e));
            }
            return;
        }
        metrics.decodeStep();
        metrics.tokens(batch.size());
        int vocab = model.info().vocabSize();
        for (int i = 0; i < batch.size(); i++) {
            Slot slot = batch.get(i);
            slot.append(tokens[i]);
            Sequence s = slot.sequence;
            try {
                if (s.decoder.next(logits, i * vocab)) {
                    finish(slot);
                } else {
                    s.emitLogprob();
                }
            } catch (RuntimeException e) {
                fail(slot, asApiError(e));
            }
        }
    }

    private static ApiException asApiError(RuntimeException e) {
        return e instanceof ApiException api ? api
                : new ApiException(500, "server_error", null, null, "generation failed: " + e.getMessage(), 0);
    }

    private void finish(Slot slot) {
        Sequence s = slot.sequence;
        slot.sequence = null;
        s.emitLogprob();
        s.done();
    }

    private void fail(Slot slot, ApiException error) {
        Sequence s = slot.sequence;
        slot.sequence = null;
        if (s != null) {
            s.decoder.cancel();
            s.fail(error);
        }
    }

    private void failAll(Throwable cause) {
        ApiException error = new ApiException(503, "server_error", null, null,
                "generation stopped: " + cause.getMessage(), 1);
        for (Slot slot : slots) {
            if (slot.sequence != null) {
                slot.reset();
                fail(slot, error);
            }
        }
        if (!running) {
            Sequence s;
            while ((s = waiting.poll()) != null) {
                s.fail(error);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Sequence s;
        while ((s = waiting.poll()) != null) {
            s.fail(new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", 5));
        }
    }

    /** A KV cache slot: its state, the tokens it holds, and the sequence using it (null when free). */
    private static final class Slot {
        InferenceState state;
        int[] cached = new int[0];
        int cachedLength;
        Sequence sequence;
        /** Whether the sequence's whole prompt is in the cache (it then takes part in decode steps). */
        boolean prefilled;

        int commonPrefix(int[] prompt) {
            int n = Math.min(cachedLength, prompt.length);
            int i = 0;
            while (i < n && cached[i] == prompt[i]) {
                i++;
            }
            return i;
        }

        /** Records that the cache now holds {@code tokens[from, to)} at positions {@code from..to-1}. */
        void cache(int[] tokens, int from, int to) {
            if (cached.length < to) {
                cached = Arrays.copyOf(cached, Math.max(to * 2, 16));
            }
            System.arraycopy(tokens, from, cached, from, to - from);
            cachedLength = to;
        }

        void append(int token) {
            if (cachedLength == cached.length) {
                cached = Arrays.copyOf(cached, cached.length * 2);
            }
            cached[cachedLength++] = token;
        }

        /** Forgets the cache (after an error the state may hold a partial pass). */
        void reset() {
            cachedLength = 0;
            if (state != null) {
                state.truncate(0);
            }
        }
    }

    /** One sequence (one OpenAI choice) of a request, as the scheduler runs it. */
    final class Sequence {
        final int[] promptIds;
        final int choice;
        final SequenceDecoder decoder;
        final dev.nuri.generate.Cancellation cancellation = new dev.nuri.generate.Cancellation();
        final Duration timeout;
        final long arrivalNanos;
        final long deadlineNanos;
        private final BlockingQueue<SequenceEvent> events;
        private final boolean logprobs;
        private int logprobsSent;
        long prefillNanos;
        long decodeStartNanos;

        Sequence(int[] promptIds, GenerationOptions options, int choice, BlockingQueue<SequenceEvent> events,
                Duration timeout, long arrivalNanos) {
            this.promptIds = promptIds.clone();
            this.choice = choice;
            this.events = events;
            this.timeout = timeout;
            this.arrivalNanos = arrivalNanos;
            this.deadlineNanos = arrivalNanos + timeout.toNanos();
            this.logprobs = options.logprobs();
            this.decoder = new SequenceDecoder(generator, promptIds, options, new GenerationListener() {
                @Override
                public void onText(String text) {
                    emitLogprob(); // a token's log-probability goes out before the text it completes
                    events.add(new SequenceEvent.Text(choice, text));
                }
            });
        }

        /** Asks the scheduler to stop this sequence; it leaves its slot before the next step. */
        void cancel() {
            cancellation.cancel();
        }

        private void emitLogprob() {
            if (logprobs) {
                var all = decoder.logprobs();
                while (logprobsSent < all.size()) {
                    events.add(new SequenceEvent.Logprob(choice, all.get(logprobsSent++)));
                }
            }
        }

        private void done() {
            long decodeNanos = decodeStartNanos > 0 ? System.nanoTime() - decodeStartNanos : 0;
            var result = decoder.result(prefillNanos, decodeNanos);
            emitLogprob();
            events.add(new SequenceEvent.Done(choice, result));
        }

        private void fail(ApiException error) {
            events.add(new SequenceEvent.Failed(choice, error));
        }
    }
}
