package dev.nuri.generate;

/**
 * A flag another thread raises to stop a generation. The generator checks it before every step (each model
 * forward pass), so a cancelled request costs at most one more step.
 */
public final class Cancellation {
    private volatile boolean cancelled;

    /** A flag nobody raises. */
    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
