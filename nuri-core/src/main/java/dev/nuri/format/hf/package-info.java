/**
 * Hugging Face model-folder JSON: {@link dev.nuri.format.hf.HfConfig} ({@code config.json}, transformers 4.x and
 * 5.x spellings), {@link dev.nuri.format.hf.RopeParameters} and {@link dev.nuri.format.hf.HfGenerationConfig}.
 * Tokenizer files are read by {@code dev.nuri.text}.
 */
package dev.nuri.format.hf;
