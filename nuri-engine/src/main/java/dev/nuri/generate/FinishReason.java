package dev.nuri.generate;

/** Why a generation ended. {@link #apiName()} is the OpenAI {@code finish_reason} string. */
public enum FinishReason {
    /** An end-of-sequence id, an extra stop id or a stop string ended the text. */
    STOP("stop"),
    /** {@code maxNewTokens} were generated, or the context was full. */
    LENGTH("length"),
    /** The caller cancelled (for example a client disconnected). */
    CANCELLED("cancelled");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
