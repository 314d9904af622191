/**
 * Decoder-only language models: one configurable transformer ({@link dev.nuri.model.DecoderConfig},
 * {@link dev.nuri.model.DecoderModel}) for Llama 1/2/3, Mistral, Qwen2/2.5, Qwen3, Gemma 2, Phi-3 and GPT-2, loaded
 * by {@link dev.nuri.model.ModelLoader} from a Hugging Face folder ({@link dev.nuri.model.HfDecoderConfig},
 * {@link dev.nuri.model.HfDecoderLoader}) or a GGUF file ({@link dev.nuri.model.GgufDecoderLoader}).
 *
 * <p>Weights stay views over the mapped files ({@link dev.nuri.tensor.WeightMatrix}); each sequence owns a
 * preallocated float32 {@link dev.nuri.model.KvCache} and scratch buffers ({@link dev.nuri.model.InferenceState}).
 * A forward pass runs over rows, each row one token of some sequence at its own position: projections are one
 * mat-mat product over the rows (a mat-vec for one row), attention runs per row against that row's cache, split over
 * (row, head) pairs. {@code forward} fills the rows from one sequence; {@code forwardBatch} from many, for continuous
 * batching.
 *
 * <p>Checked against transformers (fixtures/hf) and llama.cpp (fixtures/gguf). One known difference from the
 * gemma2-tiny fixture: transformers' default SDPA attention skips Gemma 2's attention logit soft-cap, which Nuri
 * applies as Google's reference and llama.cpp do.
 */
package dev.nuri.model;
