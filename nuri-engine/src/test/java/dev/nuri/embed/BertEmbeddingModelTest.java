package dev.nuri.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.model.bert.BertModel;
import dev.nuri.model.bert.RandomBert;
import dev.nuri.tensor.Parallel;
import dev.nuri.text.Tokenizer;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Batching, pooling and long-text windows of {@link BertEmbeddingModel}, on a random BERT of 12 positions. */
class BertEmbeddingModelTest {
    /** [CLS]=1, [SEP]=2, each letter a..z its own id 3..28. */
    static final class LetterTokenizer implements Tokenizer {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            int[] letters = text.chars().filter(c -> c >= 'a' && c <= 'z').map(c -> c - 'a' + 3).toArray();
            if (!addSpecialTokens) {
                return letters;
            }
            int[] out = new int[letters.length + 2];
            out[0] = 1;
            System.arraycopy(letters, 0, out, 1, letters.length);
            out[out.length - 1] = 2;
            return out;
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int vocabSize() {
            return 29;
        }

        @Override
        public String token(int id) {
            return String.valueOf(id);
        }

        @Override
        public OptionalInt id(String token) {
            return OptionalInt.empty();
        }

        @Override
        public Set<Integer> specialIds() {
            return Set.of(1, 2);
        }

        @Override
        public int bosId() {
            return 1;
        }

        @Override
        public Set<Integer> eosIds() {
            return Set.of(2);
        }

        @Override
        public int padId() {
            return 0;
        }
    }

    private final BertModel bert = RandomBert.model(3);
    private final int dim = RandomBert.CONFIG.hiddenSize();

    private BertEmbeddingModel model(Pooling pooling, boolean normalize) {
        return new BertEmbeddingModel("random", bert, new LetterTokenizer(), pooling, normalize, Parallel.serial(), () -> { });
    }

    @Test
    void batchGivesTheSameVectorsAsOneByOne() {
        BertEmbeddingModel m = model(Pooling.MEAN, true);
        List<String> texts = List.of("abc", "hello", "xyz", "q");
        float[][] batch = m.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = m.embed(texts.get(i));
            for (int j = 0; j < dim; j++) {
                assertEquals(alone[j], batch[i][j], 1e-6f);
            }
            double norm = 0;
            for (float v : batch[i]) {
                norm += v * v;
            }
            assertEquals(1.0, norm, 1e-5);
        }
    }

    @Test
    void poolingModesPickTheRightTokens() {
        int[] ids = new LetterTokenizer().encode("hello", true);
        float[] hidden = bert.encode(ids, null, new int[] {0, ids.length}, null, Parallel.serial());
        float[] cls = model(Pooling.CLS, false).embed("hello");
        float[] last = model(Pooling.LAST, false).embed("hello");
        for (int j = 0; j < dim; j++) {
            assertEquals(hidden[j], cls[j], 1e-6f);
            assertEquals(hidden[(ids.length - 1) * dim + j], last[j], 1e-6f);
        }
    }

    @Test
    void longTextsAreSplitIntoWindowsWhoseEmbeddingsAreAveraged() {
        // 25 letters with 12 positions: windows of 10 + [CLS]/[SEP]: 10, 10 and 5 letters.
        String text = "abcdefghijklmnopqrstuvwxy";
        BertEmbeddingModel m = model(Pooling.MEAN, false);
        float[] whole = m.embed(text);
        float[] a = m.embed("abcdefghij");
        float[] b = m.embed("klmnopqrst");
        float[] c = m.embed("uvwxy");
        float[] expected = new float[dim];
        for (int j = 0; j < dim; j++) {
            expected[j] = (a[j] * 10 + b[j] * 10 + c[j] * 5) / 25;
        }
        assertArrayEquals(expected, whole, 1e-5f);
        assertEquals(12, m.maxTokens());
        // Normalization happens after averaging.
        float[] normalized = model(Pooling.MEAN, true).embed(text);
        Pooling.normalize(expected);
        assertArrayEquals(expected, normalized, 1e-5f);
        assertTrue(normalized.length == dim);
    }

    @Test
    void usageCountsEachTextsTokensOnceHoweverItIsWindowed() {
        BertEmbeddingModel m = model(Pooling.MEAN, true);
        // "abc" is [CLS] a b c [SEP]; the 25-letter text (3 windows) is counted as its 27 tokens, not 31.
        BertEmbeddingModel.Embeddings e = m.embedCounting(List.of("abc", "abcdefghijklmnopqrstuvwxy"));
        assertEquals(5 + 27, e.tokens());
        assertArrayEquals(m.embed(List.of("abc", "abcdefghijklmnopqrstuvwxy"))[1], e.vectors()[1], 0f);
    }
}
