/**
 * GGUF, llama.cpp's model format (ggml docs/gguf.md): {@link dev.nuri.format.gguf.GgufFile} reads versions 2 and 3
 * (little-endian), {@link dev.nuri.format.gguf.GgufWriter} writes version 3 in llama.cpp's own layout (reading and
 * re-writing a llama.cpp-written file gives the same bytes).
 */
package dev.nuri.format.gguf;
