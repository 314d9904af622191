package dev.nuri.generate;

/**
 * Min-p filtering (Nguyen et al. 2024) as Hugging Face's {@code MinPLogitsWarper}: remove every token whose
 * probability is below {@code minP} times the probability of the most likely token (probabilities rounded to float,
 * as PyTorch computes them). The most likely token always stays.
 *
 * <p>The test {@code p_i < minP * p_max} is {@code logit_i - logit_max < ln(minP)}; tokens clearly on one side are
 * decided in logit space, and only those within 1e-3 of the boundary are decided on float-rounded probabilities.
 */
public record MinP(double minP) implements LogitsProcessor {
    private static final double BAND = 1e-3;

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
        double logMinP = Math.log(minP);
        double sum = Double.NaN; // computed only if a token lies near the boundary
        for (int i = 0; i < logits.length; i++) {
            double d = (double) logits[i] - max;
            if (d < logMinP - BAND) {
                logits[i] = Float.NEGATIVE_INFINITY;
            } else if (d <= logMinP + BAND) {
                if (Double.isNaN(sum)) {
                    sum = sumExp(logits, max);
                }
                float prob = (float) (Math.exp(d) / sum);
                if (prob < (float) minP * (float) (1 / sum)) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private static double sumExp(float[] logits, float max) {
        double sum = 0;
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                sum += Math.exp(v - max);
            }
        }
        return sum;
    }
}
