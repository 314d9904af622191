package dev.nuri.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.format.ModelFormatException;
import dev.nuri.format.hf.HfConfig;
import dev.nuri.tensor.Activations.Activation;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** config.json → DecoderConfig for the transformers 4.x and 5.x spellings (configs written in code). */
class HfDecoderConfigTest {
    private static HfConfig json(String s) {
        return HfConfig.parse(s.replace('\'', '"'), "x/config.json");
    }

    @Test
    void llama31ConfigInTransformers4Spelling() throws Exception {
        DecoderConfig c = HfDecoderConfig.from(json("""
                {'model_type': 'llama', 'vocab_size': 128256, 'hidden_size': 4096, 'num_hidden_layers': 32,
                 'num_attention_heads': 32, 'num_key_value_heads': 8, 'intermediate_size': 14336,
                 'max_position_embeddings': 131072, 'rms_norm_eps': 1e-05, 'hidden_act': 'silu', 'rope_theta': 500000.0,
                 'rope_scaling': {'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0,
                                  'original_max_position_embeddings': 8192, 'rope_type': 'llama3'},
                 'bos_token_id': 128000, 'eos_token_id': [128001, 128008, 128009], 'tie_word_embeddings': false}"""));
        assertEquals(128, c.headDim());
        assertEquals(8, c.kvHeads());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals("llama3", c.ropeScaling().type());
        assertEquals(8192, c.ropeScaling().originalMaxPositions());
        assertEquals(Set.of(128001, 128008, 128009), c.eosIds());
        assertEquals(DecoderConfig.Positions.ROPE_NEOX, c.positions());
        assertTrue(c.slidingLayers().isEmpty());
    }

    @Test
    void gemma2DefaultsWithoutLayerTypes() throws Exception {
        DecoderConfig c = HfDecoderConfig.from(json("""
                {'model_type': 'gemma2', 'vocab_size': 256000, 'hidden_size': 2304, 'num_hidden_layers': 4,
                 'num_attention_heads': 8, 'num_key_value_heads': 4, 'head_dim': 256, 'intermediate_size': 9216,
                 'max_position_embeddings': 8192, 'hidden_activation': 'gelu_pytorch_tanh', 'query_pre_attn_scalar': 256,
                 'sliding_window': 4096, 'attn_logit_softcapping': 50.0, 'final_logit_softcapping': 30.0, 'rope_theta': 10000.0}"""));
        assertEquals(Set.of(0, 2), c.slidingLayers());
        assertEquals(4096, c.slidingWindow());
        assertTrue(c.tiedEmbeddings());
        assertEquals(Activation.GELU_TANH, c.activation());
        assertEquals(1 / 16f, c.attentionScale(), 1e-7);
        assertEquals((float) Math.sqrt(2304), c.embeddingScale());
        assertEquals(DecoderConfig.NormType.RMS_UNIT_OFFSET, c.norm());
    }

    @Test
    void phi3PartialRotaryAndMistralWindow() throws Exception {
        DecoderConfig phi = HfDecoderConfig.from(json("""
                {'model_type': 'phi3', 'vocab_size': 100, 'hidden_size': 64, 'num_hidden_layers': 2, 'num_attention_heads': 4,
                 'intermediate_size': 128, 'max_position_embeddings': 512, 'partial_rotary_factor': 0.5}"""));
        assertEquals(8, phi.rotaryDim());
        DecoderConfig mistral = HfDecoderConfig.from(json("""
                {'model_type': 'mistral', 'vocab_size': 100, 'hidden_size': 64, 'num_hidden_layers': 2, 'num_attention_heads': 4,
                 'num_key_value_heads': 1, 'intermediate_size': 128, 'max_position_embeddings': 512, 'sliding_window': 32}"""));
        assertEquals(Set.of(0, 1), mistral.slidingLayers());
        assertEquals(32, mistral.slidingWindow());
    }

    @Test
    void badConfigsNameTheProblem() throws Exception {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfDecoderConfig.from(json("""
                {'model_type': 'llama', 'vocab_size': 100, 'num_hidden_layers': 2, 'num_attention_heads': 4,
                 'intermediate_size': 128, 'max_position_embeddings': 512}""")));
        assertTrue(e.getMessage().contains("'hidden_size' is missing"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> HfDecoderConfig.from(json("{'model_type': 'bert'}")));
        assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> HfDecoderConfig.from(json("""
                {'model_type': 'llama', 'vocab_size': 100, 'hidden_size': 64, 'num_hidden_layers': 2, 'num_attention_heads': 4,
                 'intermediate_size': 128, 'max_position_embeddings': 512, 'rope_scaling': {'rope_type': 'longrope', 'factor': 2}}""")));
        assertTrue(e.getMessage().contains("longrope"), e.getMessage());
    }
}
