package dev.nuri.server;

import dev.nuri.generate.GenerationResult;
import dev.nuri.generate.TokenLogprob;

/**
 * What the scheduler thread tells a request about one of its sequences ({@code choice} is the OpenAI choice index).
 * The scheduler only queues events; the request's own (virtual) thread writes them to the network, so a slow client
 * never stalls a decode step.
 */
sealed interface SequenceEvent {
    int choice();

    /** A piece of final text (never empty). */
    record Text(int choice, String text) implements SequenceEvent {
    }

    /** A generated token's log-probability (only when the request asked for log-probabilities). */
    record Logprob(int choice, TokenLogprob logprob) implements SequenceEvent {
    }

    /** The sequence ended; {@code result} holds its text, ids, finish reason and usage. */
    record Done(int choice, GenerationResult result) implements SequenceEvent {
    }

    /** The sequence failed (timeout, model error); {@code error} says why, as the API reports it. */
    record Failed(int choice, ApiException error) implements SequenceEvent {
    }
}
