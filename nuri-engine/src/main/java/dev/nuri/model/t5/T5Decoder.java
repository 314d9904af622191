package dev.nuri.model.t5;

import dev.nuri.model.InferenceState;
import dev.nuri.model.LanguageModel;
import dev.nuri.model.ModelInfo;
import java.util.Set;

/** T5's decoder bound to one encoded input, seen as a causal language model so the generation engine can drive it. */
final class T5Decoder implements LanguageModel {
    private final T5Model model;
    private final T5Model.Encoded encoded;
    private final ModelInfo info;

    T5Decoder(T5Model model, T5Model.Encoded encoded) {
        this.model = model;
        this.encoded = encoded;
        T5Config c = model.config();
        this.info = new ModelInfo(model.name(), "t5", c.vocabSize(), c.contextLength(), c.decoderStartId(), Set.of(c.eosId()));
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public InferenceState newState(int contextLength) {
        if (contextLength <= 0 || contextLength > info.contextLength()) {
            throw new IllegalArgumentException("context length " + contextLength + " is outside 1.." + info.contextLength());
        }
        return new T5DecoderState(encoded, model.config().decoderLayers(), model.config().innerDim(), contextLength);
    }

    @Override
    public float[] forward(InferenceState state, int[] tokens, boolean allLogits) {
        if (!(state instanceof T5DecoderState s) || s.encoded() != encoded) {
            throw new IllegalArgumentException("the state was not made by this T5 decoder");
        }
        return model.decode(s, tokens, allLogits);
    }

    @Override
    public void close() {
        // The weights belong to the T5Model; nothing to release here.
    }
}
