package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.format.ModelFormatException;
import dev.nuri.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizers built in code (no fixtures needed): each model type, byte fallback, added tokens, streaming, errors. */
class TinyTokenizerTest {
    @TempDir
    Path dir;

    private Tokenizer load(String json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, json);
        return Tokenizers.load(dir);
    }

    /** Byte-level BPE over all 256 byte characters plus merges for "he", "ll", "hell", "hello", "Ġw". */
    private Tokenizer byteLevelBpe() throws IOException {
        StringBuilder vocab = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            vocab.append(jsonString(String.valueOf(ByteLevelTable.charOf(b)))).append(':').append(b).append(',');
        }
        vocab.append("\"he\":256,\"ll\":257,\"hell\":258,\"hello\":259,\"Ġw\":260");
        return load("""
                {"added_tokens":[{"id":261,"content":"<|end|>","special":true,"lstrip":false,"rstrip":false,
                  "single_word":false,"normalized":false}],
                 "normalizer":null,
                 "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                 "post_processor":{"type":"TemplateProcessing","single":[{"Sequence":{"id":"A","type_id":0}},
                   {"SpecialToken":{"id":"<|end|>","type_id":0}}],"pair":[],
                   "special_tokens":{"<|end|>":{"id":"<|end|>","ids":[261],"tokens":["<|end|>"]}}},
                 "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
                 "model":{"type":"BPE","dropout":null,"unk_token":null,"fuse_unk":false,"byte_fallback":false,
                   "vocab":{%s},"merges":["h e","l l","he ll",["hell","o"],"Ġ w"]}}
                """.formatted(vocab));
    }

    @Test
    void byteLevelBpeMergesByRankAndRoundTrips() throws IOException {
        Tokenizer tok = byteLevelBpe();
        assertArrayEquals(new int[] {259, 260, 'o', 'r', 'l', 'd'}, tok.encode("hello world", false));
        assertArrayEquals(new int[] {259, 261}, tok.encode("hello", true));
        assertArrayEquals(new int[] {259, 261, 'h'}, tok.encode("hello<|end|>h", false), "added token is matched before the model");
        String korean = "안녕, 세계! 🦙";
        int[] ids = tok.encode(korean, false);
        assertEquals(korean, tok.decode(ids, false));
        assertEquals("hello", tok.decode(new int[] {259, 261}, true), "special tokens skipped on request");
        assertEquals("hello<|end|>", tok.decode(new int[] {259, 261}, false));
        assertEquals(Set.of(261), tok.specialIds());
        assertEquals("Ġw", tok.token(260));
        assertEquals(260, tok.id("Ġw").getAsInt());
    }

    @Test
    void streamingDecoderNeverSplitsACharacter() throws IOException {
        Tokenizer tok = byteLevelBpe();
        String text = "한국어 🦙 hello";
        int[] ids = tok.encode(text, false);
        StreamingDecoder stream = new StreamingDecoder(tok, false);
        StringBuilder out = new StringBuilder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            String piece = stream.next(id);
            assertTrue(!piece.contains("\uFFFD"), "no half character is ever emitted: " + pieces);
            pieces.add(piece);
            out.append(piece);
        }
        out.append(stream.flush());
        assertEquals(text, out.toString());
        assertEquals("", pieces.get(0), "the first byte of 한 alone completes nothing");
        assertEquals("한", pieces.get(2), "the third byte completes the syllable");
    }

    /** Metaspace BPE with byte fallback (Llama-2 / Mistral style). */
    private Tokenizer metaspaceBpe() throws IOException {
        StringBuilder vocab = new StringBuilder("\"<unk>\":0,\"<s>\":1,\"</s>\":2,");
        for (int b = 0; b < 256; b++) {
            vocab.append(String.format("\"<0x%02X>\":%d,", b, 3 + b));
        }
        vocab.append("\"▁\":259,\"a\":260,\"b\":261,\"▁a\":262,\"ab\":263,\"▁ab\":264");
        return load("""
                {"added_tokens":[{"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},
                   {"id":2,"content":"</s>","special":true}],
                 "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false},
                 "post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},
                   {"Sequence":{"id":"A","type_id":0}}],"special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]}}},
                 "decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},
                   {"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]},
                 "model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,
                   "vocab":{%s},"merges":["▁ a","a b","▁a b"]}}
                """.formatted(vocab));
    }

    @Test
    void metaspaceBpeFallsBackToBytes() throws IOException {
        Tokenizer tok = metaspaceBpe();
        // ▁ a b ▁ a: "▁ a" (rank 0) merges both ▁a first, then "▁a b" (rank 2)
        assertArrayEquals(new int[] {1, 264, 262}, tok.encode("ab a", true));
        // 한 = ED 95 9C: not in the vocabulary, so three byte tokens
        assertArrayEquals(new int[] {262, 3 + 0xED, 3 + 0x95, 3 + 0x9C}, tok.encode("a한", false));
        assertEquals("a한", tok.decode(tok.encode("a한", false), false));
        assertEquals("ab a", tok.decode(tok.encode("ab a", true), true));
        // "first": no ▁ is prepended to text that follows a special token
        assertArrayEquals(new int[] {1, 263}, tok.encode("<s>ab", false));
        StreamingDecoder stream = new StreamingDecoder(tok, true);
        StringBuilder out = new StringBuilder();
        for (int id : tok.encode("ab 한a", true)) {
            out.append(stream.next(id));
        }
        assertEquals("ab 한a", out.toString());
    }

    @Test
    void wordPieceGreedyLongestMatch() throws IOException {
        Tokenizer tok = load("""
                {"added_tokens":[{"id":0,"content":"[UNK]","special":true},{"id":1,"content":"[CLS]","special":true},
                   {"id":2,"content":"[SEP]","special":true}],
                 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,
                   "strip_accents":null,"lowercase":true},
                 "pre_tokenizer":{"type":"BertPreTokenizer"},
                 "post_processor":{"type":"BertProcessing","sep":["[SEP]",2],"cls":["[CLS]",1]},
                 "decoder":{"type":"WordPiece","prefix":"##","cleanup":true},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                   "max_input_chars_per_word":100,
                   "vocab":{"[UNK]":0,"[CLS]":1,"[SEP]":2,"un":3,"##aff":4,"##able":5,"!":6,"cafe":7,"日":8}}}
                """);
        assertArrayEquals(new int[] {1, 3, 4, 5, 6, 2}, tok.encode("UnAffable!", true));
        assertArrayEquals(new int[] {7, 8, 0}, tok.encode("Café日x", false), "accents stripped, CJK split, unknown → [UNK]");
        assertEquals("unaffable! cafe 日 [UNK]", tok.decode(new int[] {3, 4, 5, 6, 7, 8, 0}, false));
    }

    @Test
    void unigramViterbiPicksTheBestScore() throws IOException {
        Tokenizer tok = load("""
                {"added_tokens":[{"id":0,"content":"<unk>","special":true}],
                 "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
                 "decoder":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
                 "model":{"type":"Unigram","unk_id":0,"byte_fallback":false,
                   "vocab":[["<unk>",0.0],["▁",-2.0],["▁ab",-1.5],["▁a",-1.0],["b",-1.0],["c",-5.0],["bc",-7.5]]}}
                """);
        // ▁ab c = -6.5 beats ▁a b c = -7 and ▁a bc = -8.5
        assertArrayEquals(new int[] {2, 5}, tok.encode("abc", false));
        // unknown characters cost min-10 each and consecutive unknowns are fused into one <unk>
        assertArrayEquals(new int[] {3, 0}, tok.encode("axy", false));
        assertEquals("ab c", tok.decode(new int[] {2, 1, 5}, false));
    }

    @Test
    void addedTokenOptionsLstripRstripSingleWord() throws IOException {
        Tokenizer tok = load("""
                {"added_tokens":[
                   {"id":3,"content":"<m>","special":true,"lstrip":true,"rstrip":true,"single_word":false,"normalized":false},
                   {"id":4,"content":"cat","special":false,"lstrip":false,"rstrip":false,"single_word":true,"normalized":false},
                   {"id":5,"content":"<m><m>","special":true,"lstrip":false,"rstrip":false,"single_word":false,"normalized":false}],
                 "pre_tokenizer":{"type":"WhitespaceSplit"},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##",
                   "vocab":{"[UNK]":0,"a":1,"c":2,"##a":6,"##t":7,"##s":8}}}
                """);
        assertArrayEquals(new int[] {1, 3, 1}, tok.encode("a  <m>  a", false), "lstrip/rstrip absorb the spaces");
        assertArrayEquals(new int[] {4, 2, 6, 7, 8}, tok.encode("cat cats", false), "single_word: only the whole word");
        assertArrayEquals(new int[] {5}, tok.encode("<m><m>", false), "longest match first");
    }

    @Test
    void bpeWithSuffixIgnoreMergesAndCleanUp() throws IOException {
        // original-BPE style: end_of_word_suffix "</w>" and the BPE decoder; ignore_merges takes whole words as-is
        Tokenizer tok = load("""
                {"pre_tokenizer":{"type":"WhitespaceSplit"},
                 "decoder":{"type":"BPEDecoder","suffix":"</w>"},
                 "model":{"type":"BPE","unk_token":"<unk>","ignore_merges":true,"end_of_word_suffix":"</w>",
                   "vocab":{"<unk>":0,"l":1,"o":2,"w</w>":3,"lo":4,"low</w>":5,"s</w>":6,"lows":7,",</w>":8},
                   "merges":["l o","lo w</w>"]}}
                """);
        assertArrayEquals(new int[] {5, 4, 6, 7, 8}, tok.encode("low los lows ,", false));
        // "lows" came whole from ignore_merges, without the suffix, so no space follows it
        assertEquals("low los lows,", tok.decode(new int[] {5, 4, 6, 7, 8}, false));
        assertEquals("low ,", tok.decode(new int[] {5, 8}, false));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": true}");
        assertEquals("low,", Tokenizers.load(dir).decode(new int[] {5, 8}, false));
    }

    @Test
    void splitBehaviours() {
        PreTokenizer.Piece p = new PreTokenizer.Piece("a-b--c", true);
        assertEquals(List.of("a", "-", "b", "-", "-", "c"), split(p, PreTokenizer.Behavior.ISOLATED, false));
        assertEquals(List.of("a", "b", "c"), split(p, PreTokenizer.Behavior.REMOVED, false));
        assertEquals(List.of("a-", "b-", "-", "c"), split(p, PreTokenizer.Behavior.MERGED_WITH_PREVIOUS, false));
        assertEquals(List.of("a", "-b", "-", "-c"), split(p, PreTokenizer.Behavior.MERGED_WITH_NEXT, false));
        assertEquals(List.of("a", "-", "b", "--", "c"), split(p, PreTokenizer.Behavior.CONTIGUOUS, false));
        assertEquals(List.of("-", "-", "-"), split(p, PreTokenizer.Behavior.REMOVED, true), "each delimiter char is its own match");
    }

    private static List<String> split(PreTokenizer.Piece p, PreTokenizer.Behavior b, boolean invert) {
        List<PreTokenizer.Piece> out = new ArrayList<>();
        PreTokenizer.splitPiece(p, PreTokenizer.charMatches(p.text(), c -> c == '-'), b, invert, out);
        return out.stream().map(PreTokenizer.Piece::text).toList();
    }

    @Test
    void badFilesNameTheFileAndTheProblem() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("malformed JSON"), e.getMessage());

        Files.writeString(file, "{\"model\": {\"type\": \"Magic\", \"vocab\": {}}}");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("unknown model type \"Magic\""), e.getMessage());

        String wp = "\"model\":{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\",\"vocab\":{\"[UNK]\":0}}";
        Files.writeString(file, "{\"normalizer\":{\"type\":\"Shout\"}," + wp + "}");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("unknown normalizer type \"Shout\""), e.getMessage());

        Files.writeString(file, "{\"pre_tokenizer\":{\"type\":\"Chop\"}," + wp + "}");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("unknown pre-tokenizer type \"Chop\""), e.getMessage());

        Files.writeString(file, "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a b\"]}}");
        e = assertThrows(ModelFormatException.class, () -> Tokenizers.load(dir));
        assertTrue(e.getMessage().contains("not in the vocabulary"), e.getMessage());

        Files.delete(file);
        NuriException missing = assertThrows(NuriException.class, () -> Tokenizers.load(dir));
        assertTrue(missing.getMessage().contains("no tokenizer.json"), missing.getMessage());
    }

    @Test
    void loneSurrogatesAreRejected() throws IOException {
        Tokenizer tok = byteLevelBpe();
        NuriException e = assertThrows(NuriException.class, () -> tok.encode("ab\uD83Dc", false));
        assertTrue(e.getMessage().contains("lone high surrogate") && e.getMessage().contains("index 2"), e.getMessage());
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
