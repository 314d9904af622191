/**
 * safetensors (https://github.com/huggingface/safetensors): single files, sharded models with a
 * {@code model.safetensors.index.json}, and a writer that lays files out as the reference library does.
 */
package dev.nuri.format.safetensors;
