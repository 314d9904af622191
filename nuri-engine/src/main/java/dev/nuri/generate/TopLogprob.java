package dev.nuri.generate;

/** One candidate token and its log-probability. {@code token} is the id decoded on its own (specials kept). */
public record TopLogprob(int id, String token, double logprob) {
}
