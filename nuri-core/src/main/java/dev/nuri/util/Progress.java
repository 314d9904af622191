package dev.nuri.util;

/**
 * Progress of long work (loading, downloading, training, quantizing), reported by library code and shown by
 * the caller: the CLI draws a bar on a terminal and prints plain lines otherwise.
 */
public interface Progress {
    /** Starts a task of {@code total} units ({@code total <= 0}: unknown). */
    void start(String task, long total);

    /** {@code done} units are complete; {@code detail} is a short status such as "loss 2.31" (may be empty). */
    void update(long done, String detail);

    void finish(String summary);

    Progress NONE = new Progress() {
        @Override
        public void start(String task, long total) {
        }

        @Override
        public void update(long done, String detail) {
        }

        @Override
        public void finish(String summary) {
        }
    };
}
