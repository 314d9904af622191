package dev.nuri;

/**
 * The root of Nuri's errors. Every message names what went wrong and, where there is one, the file, tensor,
 * key or argument involved, so the CLI can print it as-is without a stack trace.
 */
public class NuriException extends RuntimeException {
    public NuriException(String message) {
        super(message);
    }

    public NuriException(String message, Throwable cause) {
        super(message, cause);
    }
}
