package dev.nuri.generate;

/**
 * One step of the sampler chain: rewrites a vocabulary-sized logits array in place, given the sequence so far.
 * A filter removes a token by setting its logit to negative infinity (probability exactly 0 after softmax).
 */
@FunctionalInterface
public interface LogitsProcessor {
    void process(float[] logits, TokenHistory history);
}
