/**
 * Tokenizers that reproduce their reference implementations exactly.
 *
 * <p>{@link dev.nuri.text.tokenizer.Tokenizers#load} opens a Hugging Face folder ({@code tokenizer.json} +
 * {@code tokenizer_config.json}) as an {@link dev.nuri.text.tokenizer.HfTokenizer} — the {@code tokenizers} pipeline
 * of added tokens, {@link dev.nuri.text.tokenizer.Normalizer}, {@link dev.nuri.text.tokenizer.PreTokenizer}, model
 * (BPE, WordPiece, Unigram), {@link dev.nuri.text.tokenizer.PostProcessor} and {@link dev.nuri.text.tokenizer.Decoder}
 * — or a GGUF file as a {@link dev.nuri.text.tokenizer.LlamaCppTokenizer}, which follows llama.cpp's llama-vocab.cpp
 * (SPM, byte-level BPE with the {@code tokenizer.ggml.pre} regexes, WordPiece, Unigram).
 * {@link dev.nuri.text.tokenizer.StreamingDecoder} turns generated ids into text without splitting a character.
 */
package dev.nuri.text.tokenizer;
