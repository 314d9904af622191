package dev.nuri.generate;

/** Divides every logit by the temperature (Hugging Face's {@code TemperatureLogitsWarper}). */
public record Temperature(float temperature) implements LogitsProcessor {
    public Temperature {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, got " + temperature);
        }
    }

    @Override
    public void process(float[] logits, TokenHistory history) {
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= temperature;
        }
    }
}
