package dev.nuri.train.data;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenizes documents into training shards: each document's ids (no special tokens) followed by the end-of-text
 * id, concatenated. With a validation fraction, the last documents (by count) go to a separate shard, so no
 * document is split between training and validation.
 */
public final class ShardBuilder {
    private final Tokenizer tokenizer;
    private final int endOfText;
    private int[] ids = new int[1 << 16];
    private int size;
    private int[] docEnds = new int[256];
    private int docs;

    /** {@code endOfText} is appended after every document. */
    public ShardBuilder(Tokenizer tokenizer, int endOfText) {
        if (endOfText < 0 || endOfText >= tokenizer.vocabSize()) {
            throw new NuriException("end-of-text id " + endOfText + " is outside the tokenizer's vocabulary of "
                    + tokenizer.vocabSize());
        }
        this.tokenizer = tokenizer;
        this.endOfText = endOfText;
    }

    /** The tokenizer's end-of-text id: its first EOS id, else {@code <|endoftext|>}, else an error. */
    public static int endOfTextId(Tokenizer t) {
        if (!t.eosIds().isEmpty()) {
            return t.eosIds().stream().mapToInt(Integer::intValue).min().getAsInt();
        }
        return t.id("<|endoftext|>").orElseThrow(() -> new NuriException(
                "the tokenizer names no end-of-sequence token and has no <|endoftext|>; pass the end-of-text token explicitly"));
    }

    public void add(String document) {
        int[] doc = tokenizer.encode(document, false);
        ensure(size + doc.length + 1);
        System.arraycopy(doc, 0, ids, size, doc.length);
        size += doc.length;
        ids[size++] = endOfText;
        if (docs == docEnds.length) {
            docEnds = Arrays.copyOf(docEnds, docs * 2);
        }
        docEnds[docs++] = size;
    }

    private void ensure(int n) {
        if (n > ids.length) {
            if (n > Integer.MAX_VALUE - 8) {
                throw new NuriException("too many tokens for one shard (more than 2^31); tokenize the files into several shards");
            }
            ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(n, 2L * ids.length)));
        }
    }

    public int tokens() {
        return size;
    }

    public int documents() {
        return docs;
    }

    /**
     * Writes the training shard and, when {@code valOut} is given, the last {@code round(valFraction × docs)}
     * documents (at least one) to the validation shard. Returns the token counts {train, validation}.
     */
    public int[] write(Path trainOut, Path valOut, double valFraction) throws IOException {
        if (docs == 0) {
            throw new NuriException("no documents to write");
        }
        int split = size;
        if (valOut != null) {
            if (!(valFraction > 0 && valFraction < 1)) {
                throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + valFraction);
            }
            int valDocs = (int) Math.max(1, Math.round(docs * valFraction));
            if (valDocs >= docs) {
                throw new NuriException("only " + docs + " documents: too few to hold out " + valDocs + " for validation");
            }
            split = docEnds[docs - valDocs - 1];
            TokenShard.write(valOut, Arrays.copyOfRange(ids, split, size), tokenizer.vocabSize());
        }
        TokenShard.write(trainOut, Arrays.copyOf(ids, split), tokenizer.vocabSize());
        return new int[] {split, size - split};
    }

    /** Splits a text into documents at blank-line-separated blocks when {@code byParagraph}, else one document. */
    public static List<String> documents(String text, boolean byParagraph) {
        if (!byParagraph) {
            return List.of(text);
        }
        return Arrays.stream(text.split("\\R\\s*\\R")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
