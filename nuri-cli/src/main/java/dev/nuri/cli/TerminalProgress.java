package dev.nuri.cli;

import dev.nuri.util.Progress;
import java.io.PrintStream;

/** Draws {@link Progress} as a bar on a terminal, or as plain lines (at most one per second) when redirected. */
final class TerminalProgress implements Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private String task = "";
    private long total;
    private long startNanos;
    private long lastPrintNanos;

    TerminalProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on standard error, as a bar when standard error is a terminal. */
    static TerminalProgress onStderr() {
        var console = System.console();
        return new TerminalProgress(System.err, console != null && console.isTerminal());
    }

    @Override
    public void start(String task, long total) {
        this.task = task;
        this.total = total;
        this.startNanos = System.nanoTime();
        this.lastPrintNanos = 0;
    }

    @Override
    public void update(long done, String detail) {
        long now = System.nanoTime();
        long minGap = terminal ? 100_000_000L : 1_000_000_000L;
        if (lastPrintNanos != 0 && now - lastPrintNanos < minGap && done < total) {
            return;
        }
        lastPrintNanos = now;
        double elapsed = (now - startNanos) / 1e9;
        String line = render(done, detail, elapsed);
        if (terminal) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    String render(long done, String detail, double elapsedSeconds) {
        StringBuilder sb = new StringBuilder(task);
        if (total > 0) {
            double frac = Math.min(1.0, (double) done / total);
            int filled = (int) Math.round(frac * WIDTH);
            sb.append(" [").append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ")
              .append(String.format("%5.1f%%", frac * 100)).append(' ').append(done).append('/').append(total);
            if (done > 0 && done < total) {
                double eta = elapsedSeconds * (total - done) / done;
                sb.append(" ETA ").append(formatSeconds(eta));
            }
        } else {
            sb.append(' ').append(done);
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append("  ").append(detail);
        }
        return sb.toString();
    }

    @Override
    public void finish(String summary) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println(task + ": " + summary);
        out.flush();
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String.format("%d:%02d", t / 60, t % 60);
    }
}
