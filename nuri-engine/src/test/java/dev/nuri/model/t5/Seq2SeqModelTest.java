package dev.nuri.model.t5;

import com.fasterxml.jackson.databind.JsonNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.generate.GenerationOptions;
import dev.nuri.generate.GenerationResult;
import dev.nuri.tensor.Parallel;
import dev.nuri.testkit.Fixtures;
import dev.nuri.testkit.ReferenceJson;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Text in, text out: the t5-tiny prompts through the tokenizer, the encoder and the shared generator. */
class Seq2SeqModelTest {

    @Test
    void promptTextGivesTheReferenceGreedyOutput() throws Exception {
        Path dir = Fixtures.require("hf/t5-tiny");
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        assertTrue(Seq2SeqModel.isSeq2Seq(dir));
        try (Seq2SeqModel m = Seq2SeqModel.open(dir, Parallel.serial())) {
            for (JsonNode p : ref.get("prompts")) {
                int[] input = ReferenceJson.ints(p.get("input_ids"));
                assertArrayEquals(input, m.tokenizer().encode(p.get("text").asText(), true), "tokenization of " + p.get("text"));
                int[] greedy = ReferenceJson.ints(p.get("greedy_ids"));
                GenerationResult r = m.generate(p.get("text").asText(), GenerationOptions.greedy(greedy.length - 1));
                assertArrayEquals(Arrays.copyOfRange(greedy, 1, greedy.length), r.tokenIds());
                assertEquals(p.get("greedy_text").asText(), r.text());
            }
        }
    }
}
