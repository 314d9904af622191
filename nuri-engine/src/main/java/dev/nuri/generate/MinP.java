package dev.nuri.generate;

/**
 * Min-p filtering (Nguyen et al. 2024) as Hugging Face's {@code MinPLogitsWarper}: remove every token whose
 * probability is below {@code minP} times the probability of the most likely token (probabilities rounded to float,
 * as PyTorch computes them). The most likely token always stays.
 */
public record MinP(double minP) implements LogitsProcessor {
    public MinP {
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min-p needs a value in [0, 1], got " + minP);
        }
    }

    @Override
    public void process(float[] logits, TokenHistory history) {
        if (minP <= 0) {
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float threshold = (float) minP * (float) (1 / sum);
        for (int i = 0; i < logits.length; i++) {
            float prob = (float) (Math.exp(logits[i] - max) / sum);
            if (prob < threshold) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
