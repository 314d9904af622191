package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class GenerationOptionsTest {

    private static void rejects(Consumer<GenerationOptions.Builder> change, String expected) {
        GenerationOptions.Builder b = GenerationOptions.builder();
        change.accept(b);
        NuriException e = assertThrows(NuriException.class, b::build);
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }

    @Test
    void defaultsAreGreedyWithEverythingOff() {
        GenerationOptions o = GenerationOptions.builder().build();
        assertTrue(o.greedy());
        assertEquals(256, o.maxNewTokens());
        assertEquals(1, o.numBeams());
        assertEquals(EarlyStopping.FALSE, o.earlyStopping());
        assertTrue(SamplerChain.of(o).processors().isEmpty());
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void badValuesNameTheFieldAndTheRange() {
        rejects(b -> b.maxNewTokens(0), "maxNewTokens must be at least 1, got 0");
        rejects(b -> b.temperature(-0.5), "temperature must be 0 (greedy) or a positive finite number, got -0.5");
        rejects(b -> b.temperature(Double.NaN), "temperature");
        rejects(b -> b.topK(-1), "topK must be 0 (off) or positive, got -1");
        rejects(b -> b.topP(0), "topP must be in (0, 1]");
        rejects(b -> b.topP(1.5), "topP must be in (0, 1]");
        rejects(b -> b.minP(-0.1), "minP must be in [0, 1]");
        rejects(b -> b.repetitionPenalty(0), "repetitionPenalty must be a positive finite number");
        rejects(b -> b.presencePenalty(3), "presencePenalty must be in [-2, 2]");
        rejects(b -> b.frequencyPenalty(-2.5), "frequencyPenalty must be in [-2, 2]");
        rejects(b -> b.numBeams(0), "numBeams must be at least 1");
        rejects(b -> b.lengthPenalty(Double.POSITIVE_INFINITY), "lengthPenalty must be a finite number");
        rejects(b -> b.earlyStopping(null), "earlyStopping");
        rejects(b -> b.stopStrings("ok", ""), "stop strings must not be null or empty");
        rejects(b -> b.stopStrings(java.util.Arrays.asList("ok", null)), "stop strings must not be null or empty");
        rejects(b -> b.stopStrings((java.util.List<String>) null), "stopStrings must not be null");
        rejects(b -> b.stopTokenIds(-3), "stop token ids must not be null or negative, got -3");
        rejects(b -> b.stopTokenIds(new java.util.HashSet<>(java.util.Arrays.asList(1, null))),
                "stop token ids must not be null or negative, got null");
        rejects(b -> b.logprobs(21), "topLogprobs must be in [0, 20], got 21");
        rejects(b -> b.numBeams(4).temperature(0.8), "set temperature to 0");
        rejects(b -> b.numBeams(4).logprobs(2), "logprobs are not reported with beam search");
    }

    @Test
    void seedIsOptional() {
        assertEquals(null, GenerationOptions.builder().build().seed());
        assertEquals(42L, GenerationOptions.builder().seed(42).build().seed());
    }
}
