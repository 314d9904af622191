package dev.nuri.model;

import dev.nuri.NuriException;

/** Tokens that do not fit in the context: Nuri never truncates silently. */
public class ContextOverflowException extends NuriException {
    public ContextOverflowException(int have, int adding, int contextLength) {
        super("the sequence would need " + (have + adding) + " tokens (" + have + " cached + " + adding
                + " new) but the context holds " + contextLength + "; shorten the prompt or raise the context length");
    }

    /** An overflow described in the caller's own terms (e.g. a request's prompt and max_tokens). */
    public ContextOverflowException(String message) {
        super(message);
    }
}
