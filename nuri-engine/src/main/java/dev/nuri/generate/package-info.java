/**
 * Text generation on a {@link dev.nuri.model.LanguageModel}: the {@link dev.nuri.generate.Generator} API, the sampler
 * chain, beam search, stop rules, streaming and log-probabilities.
 *
 * <h2>The sampler chain</h2>
 * Each step takes the model's raw logits for the next token and runs, in this order (Hugging Face
 * {@code generate()}'s order: logits processors, then warpers), skipping the steps that are off:
 * <ol>
 *   <li>{@link dev.nuri.generate.RepetitionPenalty} (prompt + generated tokens; positive logits divided, negative
 *       multiplied; once per distinct token),</li>
 *   <li>{@link dev.nuri.generate.PresenceFrequencyPenalty} (generated tokens only, OpenAI's formula),</li>
 *   <li>{@link dev.nuri.generate.Temperature},</li>
 *   <li>{@link dev.nuri.generate.TopK}, then {@link dev.nuri.generate.TopP}, then {@link dev.nuri.generate.MinP}
 *       (filters: a removed token gets logit -inf, so probability exactly 0),</li>
 *   <li>softmax and a draw with a seeded {@link java.util.SplittableRandom}, or, with temperature 0, argmax
 *       (greedy keeps only the penalties; the lowest id wins a tie).</li>
 * </ol>
 * Because temperature comes before the filters, top-p and min-p see the tempered distribution, as in Hugging Face
 * and vLLM; llama.cpp's default chain applies temperature last (penalties, top-k, top-p, min-p, temperature), so the
 * same settings can keep a different set of tokens there. The chain reproduces Hugging Face's processors on the
 * {@code decoding} reference fixture (every probability within 1e-6, identical sets of removed tokens).
 *
 * <p>Penalty history: the repetition penalty sees prompt + generated tokens (Hugging Face, vLLM); presence and
 * frequency penalties count generated tokens only (OpenAI's definition, vLLM). llama.cpp's server instead applies
 * all three over a window of the last {@code repeat_last_n} (64) tokens of prompt + output.
 *
 * <h2>Beam search</h2>
 * Beam search (class {@code BeamSearch}) follows Hugging Face's {@code _beam_search}: scores are sums of
 * log-softmax values; a finished hypothesis scores {@code sum / generated_length ^ lengthPenalty} with the EOS token
 * counted in the length; only candidates ranked in the first {@code numBeams} can finish; early stopping TRUE /
 * FALSE / NEVER as HF. Beams fork their {@link dev.nuri.model.InferenceState}. The penalties apply to the
 * log-probabilities (as HF applies its processors there); temperature and the filters do not apply.
 *
 * <h2>Stopping, text and log-probabilities</h2>
 * A generation ends at any end-of-sequence id of the model or tokenizer (unless {@code ignoreEos}), an extra stop id,
 * a stop string (found in the decoded text across token boundaries; the text ends before it), {@code maxNewTokens}
 * or the end of the context ({@code finish_reason} "stop" or "length"), or a {@link dev.nuri.generate.Cancellation}
 * (checked before every step). Streamed text is only what can no longer change: never part of a multi-byte
 * character, never what could be the start of a stop string. Log-probabilities are the log-softmax of the raw logits
 * (before penalties, temperature and filters), which is what OpenAI and vLLM report by default.
 */
package dev.nuri.generate;
