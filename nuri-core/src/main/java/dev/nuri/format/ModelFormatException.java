package dev.nuri.format;

import dev.nuri.NuriException;

/** A model, tokenizer or adapter file that is corrupt, truncated, forged or of an unsupported kind. */
public class ModelFormatException extends NuriException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
