package dev.nuri.format.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    @TempDir
    Path dir;

    private static void assertMessage(Runnable r, String... fragments) {
        var e = assertThrows(ModelFormatException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "expected '" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void everyFixtureConfigParses() throws IOException {
        Path hf = Fixtures.require("hf");
        List<Path> configs;
        try (Stream<Path> s = Files.list(hf)) {
            configs = s.map(p -> p.resolve("config.json")).filter(Files::exists).sorted().toList();
        }
        assertTrue(configs.size() >= 9, "found " + configs);
        for (Path p : configs) {
            HfConfig c = HfConfig.read(p.getParent());
            assertFalse(c.modelType().isEmpty());
            assertEquals(1, c.architectures().size(), p.toString());
            assertEquals(64, c.requireInt("hidden_size"), p.toString());
            assertEquals(2, c.requireInt("num_hidden_layers"), p.toString());
            assertEquals(4, c.requireInt("num_attention_heads"), p.toString());
            assertEquals(1024, c.requireInt("vocab_size"), p.toString());
            assertEquals(List.of("float32"), c.dtype().stream().toList());
            assertTrue(c.ropeParameters().theta() > 0);
            assertFalse(c.ropeParameters().isScaled(), p.toString());
        }
    }

    @Test
    void fixtureDetails() {
        HfConfig llama = HfConfig.read(Fixtures.require("hf/llama-tiny"));
        assertEquals("llama", llama.modelType());
        assertEquals(List.of("LlamaForCausalLM"), llama.architectures());
        assertEquals(500000.0, llama.ropeParameters().theta());
        assertEquals(2, llama.requireInt("num_key_value_heads"));
        assertEquals(16, llama.requireInt("head_dim"));
        assertEquals(1e-5, llama.requireDouble("rms_norm_eps"));
        assertEquals(List.of(4), llama.eosTokenIds());
        assertEquals(OptionalInt.of(0), llama.bosTokenId());
        assertTrue(llama.padTokenId().isEmpty(), "null counts as absent");
        assertFalse(llama.tieWordEmbeddings());
        assertEquals(List.of(4), llama.generationConfig().orElseThrow().eosTokenIds());

        HfConfig gpt2 = HfConfig.read(Fixtures.require("hf/gpt2-tiny/config.json"));
        assertEquals(64, gpt2.requireInt("n_embd"));
        assertEquals(512, gpt2.requireInt("max_position_embeddings"), "alias of n_positions");
        assertEquals(256, gpt2.getInt("intermediate_size", 4 * 64), "n_inner is null: the default applies");
        assertEquals(1e-5, gpt2.requireDouble("layer_norm_eps"), "alias of layer_norm_epsilon");
        assertTrue(gpt2.tieWordEmbeddings());

        HfConfig t5 = HfConfig.read(Fixtures.require("hf/t5-tiny"));
        assertEquals(128, t5.requireInt("intermediate_size"), "alias of d_ff");
        assertEquals(2, t5.requireInt("num_decoder_layers"));
        assertEquals(0, t5.generationConfig().orElseThrow().decoderStartTokenId());

        HfConfig gemma2 = HfConfig.read(Fixtures.require("hf/gemma2-tiny"));
        assertEquals(List.of("sliding_attention", "full_attention"), gemma2.getStringList("layer_types"));
        assertEquals(50.0, gemma2.requireDouble("attn_logit_softcapping"));

        HfConfig phi3 = HfConfig.read(Fixtures.require("hf/phi3-tiny"));
        assertEquals(1.0, phi3.ropeParameters().partialRotaryFactor());

        HfConfig bert = HfConfig.read(Fixtures.require("hf/bert-tiny"));
        assertEquals(List.of(), bert.eosTokenIds());
        assertTrue(bert.generationConfig().isEmpty());
    }

    @Test
    void accessorsFailClearly() {
        HfConfig c = HfConfig.parse("""
                {"model_type": "llama", "hidden_size": "64", "n": 3.5, "big": 99999999999, "flag": 1,
                 "eos_token_id": [1, "x"], "layers": 2}
                """, "my/config.json");
        assertMessage(() -> c.requireInt("vocab_size"), "my/config.json: 'vocab_size' is missing");
        assertMessage(() -> c.requireInt("num_hidden_layers"), "'num_hidden_layers' is missing",
                "also looked for n_layer, num_layers");
        assertMessage(() -> c.requireInt("hidden_size"), "'hidden_size' is \"64\", not an integer");
        assertMessage(() -> c.requireInt("n"), "'n' is 3.5, not an integer");
        assertMessage(() -> c.requireInt("big"), "'big' is 99999999999, not an integer");
        assertEquals(99999999999L, c.requireLong("big"));
        assertMessage(() -> c.getBoolean("flag", false), "'flag' is 1, not true or false");
        assertMessage(c::eosTokenIds, "'eos_token_id' is [1,\"x\"], not an integer or a list of integers");
        assertEquals(3.5, c.requireDouble("n"));
        assertEquals(7, c.getInt("missing", 7));
        assertEquals("d", c.getString("missing", "d"));
        assertTrue(c.architectures().isEmpty());
        assertMessage(() -> HfConfig.parse("{\"a\": 1,}", "bad.json"), "bad.json: not valid JSON");
        assertMessage(() -> HfConfig.parse("[1]", "arr.json"), "arr.json: not a JSON object");
        assertMessage(() -> HfConfig.parse("{\"a\": 1, \"a\": 2}", "dup.json"), "Duplicate field 'a'");
        assertMessage(() -> HfConfig.parse("{}", "x").modelType(), "'model_type' is missing");
        assertMessage(() -> HfConfig.read(dir), "config.json: no such file");
    }

    @Test
    void eosTokenIdMayBeAList() {
        HfConfig c = HfConfig.parse("{\"eos_token_id\": [128001, 128008, 128009], \"bos_token_id\": 128000}", "c");
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        HfGenerationConfig g = HfGenerationConfig.parse("""
                {"bos_token_id": 128000, "do_sample": true, "eos_token_id": [128001, 128009],
                 "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.42.3"}""", "g");
        assertEquals(List.of(128001, 128009), g.eosTokenIds());
        assertEquals(0.6, g.temperature());
        assertEquals(true, g.doSample());
        assertNull(g.topK());
    }

    /** Qwen2.5-7B-Instruct's config.json as transformers 4.43 wrote it (abridged). */
    @Test
    void transformers4Config() {
        HfConfig c = HfConfig.parse("""
                {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
                 "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02,
                 "intermediate_size": 18944, "max_position_embeddings": 32768, "max_window_layers": 28,
                 "model_type": "qwen2", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
                 "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 131072,
                 "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.43.1",
                 "use_cache": true, "use_sliding_window": false, "vocab_size": 152064}""", "qwen2.5");
        assertEquals("qwen2", c.modelType());
        assertEquals(List.of("bfloat16"), c.dtype().stream().toList(), "torch_dtype is the 4.x spelling of dtype");
        assertEquals(RopeParameters.unscaled(1e6), c.ropeParameters());
        assertEquals(List.of(151645), c.eosTokenIds());
        assertEquals(4, c.requireInt("num_key_value_heads"));
        assertFalse(c.getBoolean("use_sliding_window", true));
    }

    @Test
    void pythonNonFiniteNumbersParse() {
        HfConfig c = HfConfig.parse("{\"x\": Infinity, \"y\": NaN}", "c");
        assertEquals(Double.POSITIVE_INFINITY, c.requireDouble("x"));
        assertTrue(Double.isNaN(c.requireDouble("y")));
    }

    // ---------------------------------------------------------------- RoPE, both spellings

    private static final String LLAMA31_V4 = """
            {"model_type": "llama", "max_position_embeddings": 131072, "rope_theta": 500000.0,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"}}""";
    private static final String LLAMA31_V5 = """
            {"model_type": "llama", "max_position_embeddings": 131072,
             "rope_parameters": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                 "original_max_position_embeddings": 8192, "rope_theta": 500000.0,
                                 "rope_type": "llama3"}}""";

    @Test
    void llama3RopeFromBothSpellingsIsTheSame() {
        RopeParameters v4 = HfConfig.parse(LLAMA31_V4, "v4").ropeParameters();
        RopeParameters v5 = HfConfig.parse(LLAMA31_V5, "v5").ropeParameters();
        assertEquals(v4, v5);
        assertEquals("llama3", v4.type());
        assertEquals(500000.0, v4.theta());
        assertEquals(8.0, v4.factor());
        assertEquals(1.0, v4.lowFreqFactor());
        assertEquals(4.0, v4.highFreqFactor());
        assertEquals(8192, v4.originalMaxPositionEmbeddings());
        assertTrue(v4.isScaled());
    }

    @Test
    void legacyTypeKeyAndOtherTypes() {
        RopeParameters linear = HfConfig.parse("""
                {"rope_theta": 10000, "rope_scaling": {"type": "linear", "factor": 2.0}}""", "c").ropeParameters();
        assertEquals("linear", linear.type());
        assertEquals(2.0, linear.factor());
        assertEquals(10000.0, linear.theta());

        RopeParameters dynamic = HfConfig.parse("""
                {"rope_scaling": {"type": "dynamic", "factor": 4}}""", "c").ropeParameters();
        assertEquals("dynamic", dynamic.type());
        assertEquals(10000.0, dynamic.theta(), "transformers' default theta");

        RopeParameters yarn = HfConfig.parse("""
                {"max_position_embeddings": 32768, "rope_theta": 1000000.0,
                 "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}}""", "c")
                .ropeParameters();
        assertEquals("yarn", yarn.type());
        assertEquals(32.0, yarn.betaFast());
        assertEquals(1.0, yarn.betaSlow());
        assertEquals(32768, yarn.originalMaxPositionEmbeddings());

        RopeParameters yarnV5 = HfConfig.parse("""
                {"max_position_embeddings": 4096, "rope_parameters": {"rope_type": "yarn", "factor": 2.0,
                 "rope_theta": 10000.0, "beta_fast": 16, "attention_factor": 1.1}}""", "c").ropeParameters();
        assertEquals(4096, yarnV5.originalMaxPositionEmbeddings(), "falls back to max_position_embeddings");
        assertEquals(16.0, yarnV5.betaFast());
        assertEquals(1.1, yarnV5.attentionFactor());

        // Phi-3 128k (4.x): longrope factors, original context at the top level, partial rotary at the top level.
        RopeParameters longrope = HfConfig.parse("""
                {"max_position_embeddings": 131072, "original_max_position_embeddings": 4096, "rope_theta": 10000.0,
                 "partial_rotary_factor": 0.5,
                 "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.1], "long_factor": [2.0, 3.5]}}""",
                "c").ropeParameters();
        assertEquals("longrope", longrope.type());
        assertEquals(List.of(2.0, 3.5), longrope.longFactor());
        assertEquals(4096, longrope.originalMaxPositionEmbeddings());
        assertEquals(0.5, longrope.partialRotaryFactor());

        RopeParameters su = HfConfig.parse("""
                {"original_max_position_embeddings": 4096,
                 "rope_scaling": {"type": "su", "short_factor": [1.0], "long_factor": [2.0]}}""", "c")
                .ropeParameters();
        assertEquals("longrope", su.type(), "early Phi-3 spelling");

        assertEquals(RopeParameters.unscaled(10000.0), HfConfig.parse("{}", "c").ropeParameters());
        assertEquals(RopeParameters.unscaled(1e6), HfConfig.parse("{\"rope_theta\": 1e6, \"rope_scaling\": null}",
                "c").ropeParameters());
    }

    @Test
    void perLayerTypeRopeParameters() {
        HfConfig c = HfConfig.parse("""
                {"rope_parameters": {
                   "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
                   "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}}""", "gemma3");
        assertEquals("linear", c.ropeParameters().type());
        assertEquals(1000000.0, c.ropeParameters("full_attention").theta());
        assertEquals(10000.0, c.ropeParameters("sliding_attention").theta());
        assertMessage(() -> c.ropeParameters("chunked"), "no entry for layer type 'chunked'");
    }

    @Test
    void invalidRopeIsRefused() {
        assertMessage(() -> HfConfig.parse("{\"rope_scaling\": {\"factor\": 2.0}}", "c").ropeParameters(),
                "'rope_scaling' has neither 'rope_type' nor 'type'");
        assertMessage(() -> HfConfig.parse("{\"rope_scaling\": {\"type\": \"linear\"}}", "c").ropeParameters(),
                "of type linear needs a 'factor'");
        assertMessage(() -> HfConfig.parse("""
                {"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0}}""", "c")
                .ropeParameters(), "rope type llama3 needs 'high_freq_factor'");
        assertMessage(() -> HfConfig.parse("{\"rope_theta\": -1}", "c").ropeParameters(),
                "rope_theta must be a positive number");
        assertMessage(() -> HfConfig.parse("{\"rope_theta\": \"big\"}", "c").ropeParameters(),
                "'rope_theta' is \"big\", not a number");
        assertMessage(() -> HfConfig.parse("{\"rope_scaling\": 3}", "c").ropeParameters(),
                "'rope_scaling' is 3, not an object");
        assertMessage(() -> HfConfig.parse("""
                {"rope_scaling": {"type": "longrope", "short_factor": [1.0]}}""", "c").ropeParameters(),
                "needs 'long_factor'");
    }
}
