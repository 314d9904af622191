package dev.nuri.train.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nuri.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    @TempDir
    Path dir;

    static final String TEXT = """
            The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.
            Numbers 12345 and 2024, symbols !? and 한국어 텍스트, emoji 🙂🙂 and  double  spaces.
            """;

    @Test
    void byteMapMatchesGpt2() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('!', ByteLevel.charOf('!'));
        assertEquals(256, ByteLevel.alphabet().size());
        assertEquals(List.of("Hello", ",", "Ġworld", "!", "ĠĠ", "Ġ123"), ByteLevel.preTokenize("Hello, world!   123"));
    }

    @Test
    void mergesFollowFrequencyThenSmallerIds() {
        BpeTrainer t = new BpeTrainer(new BpeTrainer.Options(256 + 1 + 3, 1, List.of("<|endoftext|>")));
        t.feed("ab ab ab cd");
        BpeTrainer.TrainedBpe bpe = t.train(Progress.NONE);
        assertEquals("<|endoftext|>", bpe.vocab().get(0));
        // "ab" occurs 3 times (as "ab" once and "Ġab" twice: pairs a-b x3, Ġ-a x2)
        assertArrayEquals(new String[] {"a", "b"}, bpe.merges().get(0));
        assertArrayEquals(new String[] {"Ġ", "ab"}, bpe.merges().get(1));
        assertEquals(260, bpe.vocab().size());
    }

    /** Reference encoder: apply merges by rank to each pre-token, as the BPE model of {@code tokenizers} does. */
    static List<Integer> encode(BpeTrainer.TrainedBpe bpe, String text) {
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < bpe.merges().size(); i++) {
            ranks.put(bpe.merges().get(i)[0] + " " + bpe.merges().get(i)[1], i);
        }
        Map<String, Integer> ids = bpe.vocabMap();
        List<Integer> out = new ArrayList<>();
        for (String word : ByteLevel.preTokenize(text)) {
            List<String> sym = new ArrayList<>();
            for (char c : word.toCharArray()) {
                sym.add(String.valueOf(c));
            }
            while (true) {
                int best = -1, bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < sym.size(); i++) {
                    Integer r = ranks.get(sym.get(i) + " " + sym.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                sym.set(best, sym.get(best) + sym.remove(best + 1));
            }
            for (String s : sym) {
                out.add(ids.get(s));
            }
        }
        return out;
    }

    @Test
    void trainedTokenizerCompressesAndWritesHuggingFaceJson() throws Exception {
        BpeTrainer t = new BpeTrainer(new BpeTrainer.Options(1000, 2, List.of("<|endoftext|>")));
        for (int i = 0; i < 20; i++) {
            t.feed(TEXT);
        }
        BpeTrainer.TrainedBpe bpe = t.train(Progress.NONE);
        // every word repeats 20 times, so merging stops only when each pre-token is one token
        assertTrue(bpe.vocab().size() < 1000);
        assertEquals(ByteLevel.preTokenize(TEXT).size(), encode(bpe, TEXT).size());
        assertEquals(bpe.vocab().size(), 257 + bpe.merges().size());
        TokenizerJson.write(bpe, dir, "<|endoftext|>");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile());
        assertEquals("BPE", json.at("/model/type").asText());
        assertEquals(bpe.vocab().size(), json.at("/model/vocab").size());
        assertEquals(bpe.merges().size(), json.at("/model/merges").size());
        assertEquals("ByteLevel", json.at("/pre_tokenizer/type").asText());
        assertEquals(0, json.at("/added_tokens/0/id").asInt());
        // every merge's parts and result are in the vocabulary, as tokenizers requires when loading
        for (JsonNode m : json.at("/model/merges")) {
            assertTrue(json.at("/model/vocab").has(m.get(0).asText()));
            assertTrue(json.at("/model/vocab").has(m.get(0).asText() + m.get(1).asText()));
        }
    }

    @Test
    void nurisTokenizerReproducesTheTrainedMergesExactly() throws Exception {
        BpeTrainer t = new BpeTrainer(new BpeTrainer.Options(600, 2, List.of("<|endoftext|>")));
        for (int i = 0; i < 5; i++) {
            t.feed(TEXT);
        }
        t.feed("Once upon a time there was a little model that learned to speak. It spoke softly, then loudly!\n\n");
        BpeTrainer.TrainedBpe bpe = t.train(Progress.NONE);
        TokenizerJson.write(bpe, dir, "<|endoftext|>");
        dev.nuri.text.Tokenizer nuri = dev.nuri.text.tokenizer.Tokenizers.load(dir);
        assertEquals(bpe.vocab().size(), nuri.vocabSize());
        List<String> samples = List.of(TEXT, "The fox jumps over 12 lazy dogs!!", "  leading spaces and trailing   ",
                "한국어 텍스트와 emoji 🙂 mixed", "tabs\tand\nnewlines\r\n", "unseen wordsxyz qqq", "'s 've 'll don't",
                "1234567890", "");
        for (String s : samples) {
            int[] expected = encode(bpe, s).stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, nuri.encode(s, false), "encoding of '" + s + "'");
            assertEquals(s, nuri.decode(nuri.encode(s, false), false), "round trip of '" + s + "'");
        }
        assertArrayEquals(new int[] {0}, nuri.encode("<|endoftext|>", false));
        assertEquals(java.util.Set.of(0), nuri.eosIds());
    }

    @Test
    void rejectsTooSmallVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Options(100, 2, List.of()));
    }
}
