package dev.nuri.model;

import java.util.Set;

/**
 * What callers need to know about a loaded model.
 *
 * @param name          a display name (file or folder name)
 * @param architecture  e.g. "llama", "qwen2", "gemma2", "gpt2"
 * @param vocabSize     logits per token
 * @param contextLength the longest sequence the model supports
 * @param bosId         beginning-of-sequence id or -1
 * @param eosIds        ids that end generation
 */
public record ModelInfo(String name, String architecture, int vocabSize, int contextLength, int bosId, Set<Integer> eosIds) {
    public ModelInfo {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be positive, got " + contextLength);
        }
        eosIds = Set.copyOf(eosIds);
    }
}
