/**
 * {@code nuri serve}: an OpenAI-compatible HTTP server over one model.
 *
 * <ul>
 *   <li>{@link dev.nuri.server.NuriServer}: HTTP (Helidon SE 4 on virtual threads), routing, API key, health, metrics,
 *       the chat page (resources under {@code dev/nuri/server/web}).</li>
 *   <li>{@link dev.nuri.server.ServerConfig}: host, port, key, slots, context, queue, timeout.</li>
 *   <li>{@code BatchScheduler}: continuous batching: one scheduler thread, one {@code forwardBatch} per decode step
 *       over every active sequence, per-sequence sampling with {@link dev.nuri.generate.SequenceDecoder}, bounded
 *       KV-cache slots with prefix reuse, a bounded queue, cancellation and timeouts.</li>
 *   <li>{@code CompletionEndpoint}, {@code EmbeddingEndpoint}, {@code RequestParser}: OpenAI's wire format (JSON and
 *       server-sent events) and its error shape ({@link dev.nuri.server.ApiException}).</li>
 * </ul>
 */
package dev.nuri.server;
