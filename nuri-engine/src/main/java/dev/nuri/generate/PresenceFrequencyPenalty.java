package dev.nuri.generate;

/**
 * OpenAI's presence and frequency penalties: {@code logit[j] -= count[j] * frequency + (count[j] > 0) * presence},
 * where {@code count[j]} is how often token j was <em>generated</em> so far. The prompt does not count, as in
 * OpenAI's definition and vLLM (llama.cpp's server instead feeds the prompt into its penalty window, the last
 * {@code repeat_last_n} = 64 tokens of prompt + output).
 */
public record PresenceFrequencyPenalty(float presence, float frequency) implements LogitsProcessor {
    @Override
    public void process(float[] logits, TokenHistory history) {
        for (int i = 0, n = history.generatedDistinctCount(); i < n; i++) {
            int id = history.generatedDistinctId(i);
            logits[id] -= history.generatedCount(id) * frequency + presence;
        }
    }
}
