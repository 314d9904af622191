package dev.nuri.text.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.testkit.Fixtures;
import org.junit.jupiter.api.Test;

/** Merging SentencePiece text word by word (the fast path) gives the same ids as merging the whole text at once. */
class WordByWordMergeTest {
    private static final String TEXT = ("Once upon a time,   a small model learned to read 한국어 문장을 🦙 and numbers "
            + "1,234.5 -- \"quotes\" (brackets)\n\ttabs  and   spaces. ").repeat(6);

    @Test
    void llamaCppSpm() {
        LlamaCppTokenizer tok = Tokenizers.loadGguf(Fixtures.require("vocab/ggml-vocab-llama-spm.gguf"));
        assertTrue(tok.spmWordsIndependent(), "the fast path is taken");
        IntList whole = new IntList();
        LlamaCppSpm.tokenize((" " + TEXT).replace(' ', '\u2581'), tok, whole);
        assertArrayEquals(whole.toArray(), tok.encode(TEXT, false, false));
    }

    @Test
    void huggingFaceMetaspaceBpe() {
        HfTokenizer tok = (HfTokenizer) Tokenizers.load(Fixtures.require("hf/mistral-tiny"));
        String piece = ("\u2581" + TEXT).replace(' ', '\u2581');
        BpeModel model = tok.bpeModelForTests();
        assertTrue(model.wordsIndependent(), "the fast path is taken");
        IntList fast = new IntList();
        model.encode(piece, fast);
        assertArrayEquals(model.encodeUncached(piece), fast.toArray());
    }
}
