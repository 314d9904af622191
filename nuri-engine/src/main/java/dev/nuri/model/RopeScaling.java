package dev.nuri.model;

import dev.nuri.tensor.Rope;

/**
 * How a model stretches its rotary position embeddings beyond the length it was trained on, as Hugging Face
 * transformers computes the inverse frequencies ({@code modeling_rope_utils.py}).
 *
 * @param type                       "default", "linear", "dynamic" or "llama3"
 * @param factor                     the scaling factor (1 for default)
 * @param lowFreqFactor              Llama 3 only
 * @param highFreqFactor             Llama 3 only
 * @param originalMaxPositions       the pre-training context (Llama 3 and dynamic NTK); 0 when not given
 * @param frequencyDivisors          "divisors" only: one divisor per inverse frequency (else null)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions,
                          float[] frequencyDivisors) {

    public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

    public RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalMaxPositions, null);
    }

    /**
     * Per-frequency divisors as llama.cpp stores them for Llama 3.1-style scaling (GGUF tensor {@code rope_freqs.weight}):
     * each inverse frequency is divided by its factor.
     */
    public static RopeScaling divisors(float[] divisors) {
        return new RopeScaling("divisors", 1, 0, 0, 0, divisors);
    }

    public RopeScaling {
        frequencyDivisors = frequencyDivisors == null ? null : frequencyDivisors.clone();
        switch (type) {
            case "default" -> { }
            case "divisors" -> {
                if (frequencyDivisors == null) {
                    throw new IllegalArgumentException("rope scaling 'divisors' needs the divisors");
                }
                for (float d : frequencyDivisors) {
                    if (!(d > 0)) {
                        throw new IllegalArgumentException("rope frequency divisors must be positive, got " + d);
                    }
                }
            }
            case "linear", "dynamic" -> {
                if (!(factor > 0)) {
                    throw new IllegalArgumentException("rope scaling '" + type + "' needs a positive factor, got " + factor);
                }
            }
            case "llama3" -> {
                if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalMaxPositions <= 0) {
                    throw new IllegalArgumentException("rope scaling 'llama3' needs factor > 0, 0 < low_freq_factor < high_freq_factor"
                            + " and original_max_position_embeddings > 0; got factor " + factor + ", low_freq_factor " + lowFreqFactor
                            + ", high_freq_factor " + highFreqFactor + ", original_max_position_embeddings " + originalMaxPositions);
                }
            }
            default -> throw new IllegalArgumentException("rope scaling type '" + type
                    + "' is not supported (Nuri knows default, linear, dynamic and llama3)");
        }
    }

    /**
     * True when the frequencies depend on the sequence length (dynamic NTK past the original context), so one
     * table cannot serve sequences of different lengths.
     */
    public boolean dependsOnSequenceLength(int sequenceLength) {
        return type.equals("dynamic") && originalMaxPositions > 0 && sequenceLength > originalMaxPositions;
    }

    /**
     * The {@code rotaryDim/2} inverse frequencies for base {@code theta}, for a model run with sequences of up to
     * {@code sequenceLength} positions.
     *
     * <p>Dynamic NTK scaling depends on the sequence length in transformers (it grows the base once a sequence
     * passes the original context); with a KV cache one table must serve the whole sequence, so Nuri computes it
     * for {@code sequenceLength} (the state's context length): identical to transformers up to the original
     * context, and to transformers' value for a full-length sequence beyond it.
     */
    public float[] inverseFrequencies(int rotaryDim, double theta, int sequenceLength) {
        return switch (type) {
            case "default" -> Rope.defaultInverseFrequencies(rotaryDim, theta);
            case "linear" -> {
                float[] inv = Rope.defaultInverseFrequencies(rotaryDim, theta);
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) (inv[i] / factor);
                }
                yield inv;
            }
            case "dynamic" -> {
                int original = originalMaxPositions;
                if (original <= 0 || sequenceLength <= original) {
                    yield Rope.defaultInverseFrequencies(rotaryDim, theta);
                }
                // _compute_dynamic_ntk_parameters: base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
                double base = theta * Math.pow(factor * sequenceLength / original - (factor - 1), (double) rotaryDim / (rotaryDim - 2));
                yield Rope.defaultInverseFrequencies(rotaryDim, base);
            }
            case "llama3" -> llama3(Rope.defaultInverseFrequencies(rotaryDim, theta));
            case "divisors" -> {
                float[] inv = Rope.defaultInverseFrequencies(rotaryDim, theta);
                if (frequencyDivisors.length != inv.length) {
                    throw new IllegalArgumentException("rope frequency divisors hold " + frequencyDivisors.length
                            + " values but the rotary dim " + rotaryDim + " has " + inv.length + " frequencies");
                }
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= frequencyDivisors[i];
                }
                yield inv;
            }
            default -> throw new IllegalStateException(type);
        };
    }

    /** _compute_llama3_parameters: long wavelengths divided by the factor, short kept, a smooth blend between. */
    private float[] llama3(float[] inv) {
        float lowFreqWavelen = (float) (originalMaxPositions / lowFreqFactor);
        float highFreqWavelen = (float) (originalMaxPositions / highFreqFactor);
        for (int i = 0; i < inv.length; i++) {
            float f = inv[i];
            float wavelen = (float) (2 * Math.PI) / f;
            if (wavelen > lowFreqWavelen) {
                inv[i] = (float) (f / factor);
            } else if (wavelen >= highFreqWavelen) {
                float smooth = (float) ((originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
                inv[i] = (1 - smooth) * (float) (f / factor) + smooth * f;
            }
        }
        return inv;
    }
}
