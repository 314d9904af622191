package dev.nuri.text.tokenizer;

/** The model step of a tokenizer.json pipeline: one pre-tokenized piece → ids. */
interface TokenModel {

    /** Appends the ids of {@code piece} to {@code out}. */
    void encode(String piece, IntList out);
}
