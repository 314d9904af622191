package dev.nuri.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import dev.nuri.model.ContextOverflowException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static final int[] PROMPT = {ByteTokenizer.BOS};

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static FakeModel scripted(ByteTokenizer tok, int contextLength, int... script) {
        return FakeModel.scripted(tok.vocabSize(), contextLength, Set.of(ByteTokenizer.EOS), PROMPT.length, script,
                ByteTokenizer.EOS);
    }

    /** Collects streamed text pieces. */
    private static final class Pieces implements GenerationListener {
        final List<String> pieces = new ArrayList<>();
        final List<Integer> tokens = new ArrayList<>();

        @Override
        public void onText(String text) {
            assertFalse(text.isEmpty(), "empty piece");
            pieces.add(text);
        }

        @Override
        public void onToken(int tokenId) {
            tokens.add(tokenId);
        }

        String joined() {
            return String.join("", pieces);
        }
    }

    @Test
    void greedyStopsAtEosWhichCountsButIsNotText() {
        ByteTokenizer tok = new ByteTokenizer();
        FakeModel model = scripted(tok, 64, concat(ByteTokenizer.bytes("Hi"), new int[] {ByteTokenizer.EOS}));
        Pieces listener = new Pieces();
        GenerationResult r = new Generator(model, tok).generate(PROMPT, GenerationOptions.greedy(10), listener);
        assertArrayEquals(new int[] {'H', 'i', ByteTokenizer.EOS}, r.tokenIds());
        assertEquals("Hi", r.text());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(1, r.promptTokens());
        assertEquals(3, r.completionTokens());
        assertEquals("Hi", listener.joined());
        assertEquals(List.of((int) 'H', (int) 'i', ByteTokenizer.EOS), listener.tokens);
        assertEquals(3, model.forwardCalls, "prompt, then H and i: the EOS is never fed back");
        assertTrue(r.prefillNanos() > 0 && r.decodeNanos() > 0);
        assertTrue(r.logprobs().isEmpty());
        assertTrue(r.beams().isEmpty());
    }

    @Test
    void textPromptsAreEncodedWithTheTokenizer() {
        ByteTokenizer tok = new ByteTokenizer();
        FakeModel model = FakeModel.scripted(tok.vocabSize(), 64, Set.of(ByteTokenizer.EOS), 3,
                ByteTokenizer.bytes("ok"), ByteTokenizer.EOS);
        GenerationResult r = new Generator(model, tok).generate("abc", GenerationOptions.greedy(5),
                GenerationListener.NONE);
        assertEquals(3, r.promptTokens());
        assertEquals("ok", r.text());
    }

    @Test
    void maxNewTokensEndsWithLength() {
        ByteTokenizer tok = new ByteTokenizer();
        GenerationResult r = new Generator(scripted(tok, 64, ByteTokenizer.bytes("Hello")), tok)
                .generate(PROMPT, GenerationOptions.greedy(3));
        assertEquals("Hel", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void ignoreEosKeepsGoingButExtraStopIdsStillStop() {
        ByteTokenizer tok = new ByteTokenizer();
        int[] script = {'H', ByteTokenizer.EOS, 'i', 'x', 'y'};
        Generator g = new Generator(scripted(tok, 64, script), tok);
        GenerationResult r = g.generate(PROMPT, GenerationOptions.builder().maxNewTokens(3).ignoreEos(true).build());
        assertArrayEquals(new int[] {'H', ByteTokenizer.EOS, 'i'}, r.tokenIds());
        assertEquals("Hi", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        GenerationResult s = g.generate(PROMPT,
                GenerationOptions.builder().maxNewTokens(10).ignoreEos(true).stopTokenIds((int) 'x').build());
        assertArrayEquals(new int[] {'H', ByteTokenizer.EOS, 'i', 'x'}, s.tokenIds());
        assertEquals("Hi", s.text(), "the stop token's text is not part of the completion");
        assertEquals(FinishReason.STOP, s.finishReason());
    }

    @Test
    void stopStringAcrossTokensIsCutAndNeverStreamed() {
        ByteTokenizer tok = new ByteTokenizer("Hel", "lo wo", "rld", " E", "ND!");
        int[] script = IntStream.range(0, 5).map(ByteTokenizer::merged).toArray();
        Generator g = new Generator(scripted(tok, 64, script), tok);

        Pieces a = new Pieces();
        GenerationResult r = g.generate(PROMPT, GenerationOptions.builder().stopStrings("o wor").build(), a);
        assertEquals("Hell", r.text());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(3, r.completionTokens(), "the token that completes the stop string is counted");
        assertEquals("Hell", a.joined());

        Pieces b = new Pieces();
        GenerationResult s = g.generate(PROMPT, GenerationOptions.builder().stopStrings("xyz", "END").build(), b);
        assertEquals("Hello world ", s.text());
        assertEquals(List.of("Hel", "lo wo", "rld", " "), b.pieces, "the E that may start END is held back");

        Pieces c = new Pieces();
        GenerationResult t = g.generate(PROMPT, GenerationOptions.builder().stopStrings("ENDX").build(), c);
        assertEquals("Hello world END!", t.text());
        assertEquals(FinishReason.STOP, t.finishReason(), "ended by EOS");
        assertEquals(List.of("Hel", "lo wo", "rld", " ", "END!"), c.pieces, "held-back text is released");
    }

    @Test
    void koreanStreamsWholeSyllablesOnly() {
        ByteTokenizer tok = new ByteTokenizer();
        String text = "안녕하세요, 세계";
        int[] script = concat(ByteTokenizer.bytes(text), new int[] {ByteTokenizer.EOS});
        Pieces listener = new Pieces();
        GenerationResult r = new Generator(scripted(tok, 128, script), tok)
                .generate(PROMPT, GenerationOptions.greedy(100), listener);
        assertEquals(text, r.text());
        List<String> chars = text.codePoints().mapToObj(Character::toString).toList();
        assertEquals(chars, listener.pieces, "one piece per completed character, never a partial syllable");
    }

    @Test
    void tokensThatSplitASyllableAreJoinedBeforeStreaming() {
        ByteTokenizer tok = new ByteTokenizer();
        int anAndHalf = tok.addBytes(0xEC, 0x95, 0x88, 0xEB); // 안 + first byte of 녕 (EB 85 95)
        int rest = tok.addBytes(0x85, 0x95);
        Pieces listener = new Pieces();
        GenerationResult r = new Generator(scripted(tok, 16, anAndHalf, rest, ByteTokenizer.EOS), tok)
                .generate(PROMPT, GenerationOptions.greedy(10), listener);
        assertEquals("안녕", r.text());
        assertEquals(List.of("안", "녕"), listener.pieces);
        listener.pieces.forEach(p -> assertFalse(p.contains("\uFFFD")));
    }

    @Test
    void incrementalDecodingMatchesDecodingEverythingWithSentencePieceSpaces() {
        MetaspaceTokenizer tok = new MetaspaceTokenizer("</s>", "▁Hello", "▁world", "!", "▁again", "<s>");
        int[] script = {1, 2, 3, 4, 3, 0};
        FakeModel model = FakeModel.scripted(tok.vocabSize(), 32, Set.of(0), 1, script, 0);
        Pieces listener = new Pieces();
        GenerationResult r = new Generator(model, tok).generate(new int[] {5}, GenerationOptions.greedy(20), listener);
        assertEquals("Hello world! again!", r.text());
        assertEquals(tok.decode(r.tokenIds(), true), r.text());
        assertEquals(List.of("Hello", " world", "!", " again", "!"), listener.pieces);
    }

    @Test
    void cancellationIsCheckedEveryStep() {
        ByteTokenizer tok = new ByteTokenizer();
        FakeModel model = scripted(tok, 64, ByteTokenizer.bytes("abcdefgh"));
        Cancellation cancel = new Cancellation();
        GenerationListener cancelAfterThree = new GenerationListener() {
            int n;

            @Override
            public void onText(String text) {
            }

            @Override
            public void onToken(int tokenId) {
                if (++n == 3) {
                    cancel.cancel();
                }
            }
        };
        GenerationResult r = new Generator(model, tok).generate(PROMPT, GenerationOptions.greedy(100),
                cancelAfterThree, cancel);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals("abc", r.text());
        assertEquals(4, model.forwardCalls, "prompt + a, b, c; nothing after the cancel");

        FakeModel untouched = scripted(tok, 64, ByteTokenizer.bytes("abc"));
        Cancellation already = new Cancellation();
        already.cancel();
        GenerationResult none = new Generator(untouched, tok).generate(PROMPT, GenerationOptions.greedy(10),
                GenerationListener.NONE, already);
        assertEquals(FinishReason.CANCELLED, none.finishReason());
        assertEquals(0, none.completionTokens());
        assertEquals(0, untouched.forwardCalls);
    }

    @Test
    void promptsThatDoNotFitFailAndLongRequestsStopAtTheContextEnd() {
        ByteTokenizer tok = new ByteTokenizer();
        Generator g = new Generator(scripted(tok, 8, ByteTokenizer.bytes("abcdefghijkl")), tok);
        int[] nine = new int[9];
        ContextOverflowException tooLong = assertThrows(ContextOverflowException.class,
                () -> g.generate(nine, GenerationOptions.greedy(1)));
        assertEquals("the prompt has 9 tokens but the context holds 8, which leaves no room for a new token;"
                + " shorten the prompt", tooLong.getMessage());
        assertThrows(ContextOverflowException.class, () -> g.generate(new int[8], GenerationOptions.greedy(1)));

        int[] five = {ByteTokenizer.BOS, 'x', 'x', 'x', 'x'};
        Generator g5 = new Generator(FakeModel.scripted(tok.vocabSize(), 8, Set.of(ByteTokenizer.EOS), 5,
                ByteTokenizer.bytes("abcdefghijkl"), ByteTokenizer.EOS), tok);
        GenerationResult r = g5.generate(five, GenerationOptions.greedy(10));
        assertEquals("abc", r.text(), "5 prompt + 3 new tokens fill the context of 8");
        assertEquals(FinishReason.LENGTH, r.finishReason());

        ContextOverflowException strict = assertThrows(ContextOverflowException.class,
                () -> g5.checkFits(5, GenerationOptions.greedy(10)));
        assertEquals("the prompt (5 tokens) plus up to 10 new tokens needs 15 tokens but the context holds 8;"
                + " shorten the prompt or lower the maximum number of new tokens", strict.getMessage());
        g5.checkFits(5, GenerationOptions.greedy(3));
    }

    @Test
    void badPromptsGetClearErrors() {
        ByteTokenizer tok = new ByteTokenizer();
        Generator g = new Generator(scripted(tok, 8, 'a'), tok);
        NuriException empty = assertThrows(NuriException.class, () -> g.generate(new int[0], GenerationOptions.greedy(1)));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        NuriException outside = assertThrows(NuriException.class,
                () -> g.generate(new int[] {1, 9999}, GenerationOptions.greedy(1)));
        assertTrue(outside.getMessage().contains("prompt token 1 has id 9999"), outside.getMessage());
    }

    @Test
    void idsBeyondTheTokenizerVocabularyAddNoText() {
        ByteTokenizer tok = new ByteTokenizer();
        int padded = tok.vocabSize() + 6; // output layers are often padded past the tokenizer's vocabulary
        FakeModel model = FakeModel.scripted(padded, 16, Set.of(ByteTokenizer.EOS), 1,
                new int[] {'o', padded - 1, 'k', ByteTokenizer.EOS}, ByteTokenizer.EOS);
        GenerationResult r = new Generator(model, tok).generate(PROMPT, GenerationOptions.greedy(8));
        assertArrayEquals(new int[] {'o', padded - 1, 'k', ByteTokenizer.EOS}, r.tokenIds());
        assertEquals("ok", r.text());
    }

    @Test
    void nanLogitsFailClearly() {
        ByteTokenizer tok = new ByteTokenizer();
        FakeModel broken = new FakeModel(tok.vocabSize(), 16, Set.of(ByteTokenizer.EOS), seq -> {
            float[] l = new float[tok.vocabSize()];
            l[3] = Float.NaN;
            return l;
        });
        NuriException e = assertThrows(NuriException.class,
                () -> new Generator(broken, tok).generate(PROMPT, GenerationOptions.greedy(4)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    /** Logits that look random but are a fixed function of the sequence. */
    private static FakeModel noisy(int vocab) {
        return new FakeModel(vocab, 256, Set.of(ByteTokenizer.EOS), seq -> {
            Random r = new Random(Arrays.hashCode(seq));
            float[] l = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                l[i] = (float) (2 * r.nextGaussian());
            }
            l[ByteTokenizer.EOS] = -100;
            return l;
        });
    }

    @Test
    void sameSeedSameTextDifferentSeedDifferentText() {
        ByteTokenizer tok = new ByteTokenizer();
        Generator g = new Generator(noisy(tok.vocabSize()), tok);
        GenerationOptions o = GenerationOptions.builder().maxNewTokens(40).temperature(1.0).topP(0.95).seed(5).build();
        int[] a = g.generate(PROMPT, o).tokenIds();
        int[] b = g.generate(PROMPT, o).tokenIds();
        int[] c = g.generate(PROMPT, o.toBuilder().seed(6).build()).tokenIds();
        assertArrayEquals(a, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(c));

        GenerationResult unseeded = g.generate(PROMPT, o.toBuilder().seed(null).build());
        long drawn = unseeded.seed();
        assertArrayEquals(unseeded.tokenIds(), g.generate(PROMPT, o.toBuilder().seed(drawn).build()).tokenIds(),
                "the reported seed repeats an unseeded run");
        assertEquals(null, g.generate(PROMPT, GenerationOptions.greedy(3)).seed());
    }

    @Test
    void logprobsComeFromTheRawLogits() {
        ByteTokenizer tok = new ByteTokenizer();
        int vocab = tok.vocabSize();
        FakeModel model = noisy(vocab);
        GenerationOptions o = GenerationOptions.builder().maxNewTokens(5).temperature(0.7).repetitionPenalty(1.5)
                .topK(20).seed(1).logprobs(3).build();
        GenerationResult r = new Generator(model, tok).generate(PROMPT, o);
        assertEquals(5, r.logprobs().size());
        int[] seq = PROMPT.clone();
        for (int step = 0; step < 5; step++) {
            TokenLogprob lp = r.logprobs().get(step);
            float[] raw = model.forwardOnlyForTest(seq);
            double[] expected = Distributions.logSoftmax(raw);
            assertEquals(r.tokenIds()[step], lp.id());
            assertEquals(expected[lp.id()], lp.logprob(), 1e-9);
            assertEquals(3, lp.top().size());
            int[] best = Distributions.topIndices(expected, 3);
            for (int k = 0; k < 3; k++) {
                assertEquals(best[k], lp.top().get(k).id());
                assertEquals(expected[best[k]], lp.top().get(k).logprob(), 1e-9);
            }
            assertTrue(lp.top().get(0).logprob() >= lp.top().get(1).logprob());
            assertEquals(tok.decode(new int[] {lp.id()}, false), lp.token());
            seq = concat(seq, new int[] {lp.id()});
        }
    }
}
