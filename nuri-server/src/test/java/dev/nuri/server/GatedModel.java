package dev.nuri.server;

import dev.nuri.engine.Engine;
import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.LoadedModel;
import dev.nuri.model.ModelInfo;
import dev.nuri.model.ModelLoader;
import dev.nuri.text.chat.ChatTemplate;
import dev.nuri.text.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model that runs only as many forward passes as the test allows, so a test can hold a generation in flight
 * (for a client to disconnect or click stop) instead of racing a tiny model that finishes in milliseconds.
 */
final class GatedModel implements LanguageModel {
    private static final int UNLIMITED = Integer.MAX_VALUE / 2;

    private final LanguageModel model;
    private final Semaphore passes = new Semaphore(UNLIMITED);
    private final AtomicInteger forwardCalls = new AtomicInteger();

    private GatedModel(LanguageModel model) {
        this.model = model;
    }

    /** An engine over the Hugging Face model in {@code folder}, whose model is {@code gate}'s. */
    static Engine engine(Path folder, GatedModel[] gate) {
        LoadedModel loaded = ModelLoader.load(folder);
        gate[0] = new GatedModel(loaded.model());
        return Engine.of(new LoadedModel(gate[0], folder, null), Tokenizers.load(folder),
                ChatTemplate.fromHuggingFace(folder).orElse(null));
    }

    /** From now on, only {@code count} more forward passes run; the next one waits for {@link #open}. */
    void allow(int count) {
        passes.drainPermits();
        passes.release(count);
    }

    /** Lets every waiting and future forward pass run. */
    void open() {
        passes.drainPermits();
        passes.release(UNLIMITED);
    }

    /** True while a forward pass is waiting at the gate. */
    boolean isHolding() {
        return passes.hasQueuedThreads();
    }

    /** Forward passes (prefill chunks and decode steps) run so far. */
    int forwardCalls() {
        return forwardCalls.get();
    }

    private void pass() {
        passes.acquireUninterruptibly();
        forwardCalls.incrementAndGet();
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public InferenceState newState(int contextLength) {
        return model.newState(contextLength);
    }

    @Override
    public float[] forward(InferenceState state, int[] tokens, boolean allLogits) {
        pass();
        return model.forward(state, tokens, allLogits);
    }

    @Override
    public float[] forwardBatch(List<? extends InferenceState> states, int[] tokens) {
        pass();
        return model.forwardBatch(states, tokens);
    }

    @Override
    public void close() {
        model.close();
    }
}
