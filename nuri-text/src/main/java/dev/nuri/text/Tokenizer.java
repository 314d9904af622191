package dev.nuri.text;

import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back, exactly as the model's reference tokenizer does it (Hugging Face
 * {@code tokenizers} for tokenizer.json, llama.cpp for GGUF vocabularies). Implementations are immutable and
 * safe to share between threads.
 */
public interface Tokenizer {

    /** Encodes {@code text}; with {@code addSpecialTokens} the post-processor adds BOS/EOS/CLS/SEP as the model expects. */
    int[] encode(String text, boolean addSpecialTokens);

    /** Decodes ids to text; with {@code skipSpecialTokens} control/special tokens are left out. */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids, including added tokens. */
    int vocabSize();

    /** The token's string as stored in the vocabulary (e.g. "Ġhello", "▁the", "<0x0A>", "<|eot_id|>"). */
    String token(int id);

    /** The id of a vocabulary or added token string, if present. */
    OptionalInt id(String token);

    /** Ids of special (control) tokens: the ones {@code decode(ids, true)} skips. */
    Set<Integer> specialIds();

    /** Beginning-of-sequence id, or -1. */
    int bosId();

    /** The ids that end generation (a model may have several, e.g. Llama 3's {@code <|eot_id|>} and {@code <|end_of_text|>}). */
    Set<Integer> eosIds();

    /** Padding id, or -1. */
    int padId();
}
