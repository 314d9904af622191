package dev.nuri.format.hf;

import java.util.List;
import java.util.Set;

/**
 * Rotary position embedding settings, normalized from either spelling Hugging Face uses: transformers 4.x
 * top-level {@code rope_theta} + {@code rope_scaling} ({@code "rope_type"} or legacy {@code "type"}), or
 * transformers 5.x {@code rope_parameters} (same fields, {@code rope_theta} inside). Fields a config does not give
 * are null (or the neutral value for {@code factor} and {@code partialRotaryFactor}). The math each type implies
 * is transformers' {@code modeling_rope_utils} (Llama 3.1 "llama3", YaRN arXiv:2309.00071, LongRoPE
 * arXiv:2402.13753, linear = position interpolation arXiv:2306.15595, dynamic NTK).
 *
 * @param type {@code "default"}, {@code "linear"}, {@code "dynamic"}, {@code "yarn"}, {@code "longrope"},
 *     {@code "llama3"} (validated), or another name passed through as the config spells it
 * @param theta the base (rope_theta)
 * @param factor the scaling factor (1 when unscaled)
 * @param partialRotaryFactor the fraction of each head's dimensions that rotate (1 unless the config says)
 * @param originalMaxPositionEmbeddings the pre-training context (llama3, yarn, longrope; yarn and longrope fall
 *     back to the config's top-level original_max_position_embeddings, then max_position_embeddings)
 * @param lowFreqFactor llama3 only
 * @param highFreqFactor llama3 only
 * @param attentionFactor yarn/longrope attention scaling, when given
 * @param betaFast yarn (default 32)
 * @param betaSlow yarn (default 1)
 * @param shortFactor longrope per-dimension factors for short contexts
 * @param longFactor longrope per-dimension factors for long contexts
 */
public record RopeParameters(String type, double theta, double factor, double partialRotaryFactor,
                             Integer originalMaxPositionEmbeddings, Double lowFreqFactor, Double highFreqFactor,
                             Double attentionFactor, Double betaFast, Double betaSlow,
                             List<Double> shortFactor, List<Double> longFactor) {

    /** The types whose required fields are checked. */
    public static final Set<String> KNOWN_TYPES = Set.of("default", "linear", "dynamic", "yarn", "longrope", "llama3");

    public RopeParameters {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("rope type is missing");
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rope_theta must be a positive number, not " + theta);
        }
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("rope " + type + " factor must be a positive number, not " + factor);
        }
        if (!(partialRotaryFactor > 0 && partialRotaryFactor <= 1)) {
            throw new IllegalArgumentException("partial_rotary_factor must be in (0, 1], not " + partialRotaryFactor);
        }
        if (originalMaxPositionEmbeddings != null && originalMaxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("original_max_position_embeddings must be positive, not "
                    + originalMaxPositionEmbeddings);
        }
        switch (type) {
            case "llama3" -> {
                require(type, "low_freq_factor", lowFreqFactor);
                require(type, "high_freq_factor", highFreqFactor);
                require(type, "original_max_position_embeddings", originalMaxPositionEmbeddings);
                if (!(highFreqFactor > lowFreqFactor)) {
                    throw new IllegalArgumentException("rope llama3 high_freq_factor " + highFreqFactor
                            + " must exceed low_freq_factor " + lowFreqFactor);
                }
            }
            case "longrope" -> {
                require(type, "short_factor", shortFactor);
                require(type, "long_factor", longFactor);
                require(type, "original_max_position_embeddings", originalMaxPositionEmbeddings);
            }
            case "yarn" -> require(type, "original_max_position_embeddings", originalMaxPositionEmbeddings);
            default -> {
                // "default", "linear", "dynamic" need nothing beyond theta and factor; unknown types pass through
            }
        }
        shortFactor = shortFactor == null ? null : List.copyOf(shortFactor);
        longFactor = longFactor == null ? null : List.copyOf(longFactor);
    }

    private static void require(String type, String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("rope type " + type + " needs '" + field + "'");
        }
    }

    /** Plain RoPE with base {@code theta}. */
    public static RopeParameters unscaled(double theta) {
        return new RopeParameters("default", theta, 1.0, 1.0, null, null, null, null, null, null, null, null);
    }

    public boolean isScaled() {
        return !type.equals("default");
    }
}
