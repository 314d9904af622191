/**
 * The bytes layer: model files mapped into memory and validated as untrusted input.
 *
 * <ul>
 *   <li>{@link dev.nuri.format.TensorSources#open} opens a {@code .gguf} file, a {@code .safetensors} file, a
 *       {@code model.safetensors.index.json} or a Hugging Face folder as a {@link dev.nuri.format.TensorSource}:
 *       named {@link dev.nuri.tensor.Tensor} views (shape outermost-first) over the mapping, never copies.</li>
 *   <li>{@link dev.nuri.format.gguf.GgufFile} / {@link dev.nuri.format.gguf.GgufWriter}: GGUF v2/v3 with
 *       metadata getters; {@link dev.nuri.format.safetensors.SafetensorsFile},
 *       {@link dev.nuri.format.safetensors.ShardedSafetensors},
 *       {@link dev.nuri.format.safetensors.SafetensorsWriter}: safetensors;
 *       {@link dev.nuri.format.hf.HfConfig}: config.json with RoPE settings normalized.</li>
 *   <li>Every problem with a file is a {@link dev.nuri.format.ModelFormatException} whose message starts with the
 *       file and names the key or tensor and what is wrong.</li>
 * </ul>
 */
package dev.nuri.format;
