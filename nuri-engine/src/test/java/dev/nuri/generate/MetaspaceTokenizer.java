package dev.nuri.generate;

import dev.nuri.text.Tokenizer;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A SentencePiece-like word tokenizer for tests: pieces use "▁" for a space, and decoding drops the space that
 * starts the text, so decoding a suffix of the ids is not a suffix of the decoded text. Id 0 is {@code </s>}.
 */
final class MetaspaceTokenizer implements Tokenizer {
    private final List<String> pieces;

    MetaspaceTokenizer(String... pieces) {
        this.pieces = List.of(pieces);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (id != 0 || !skipSpecialTokens) {
                b.append(pieces.get(id).replace('▁', ' '));
            }
        }
        return b.length() > 0 && b.charAt(0) == ' ' ? b.substring(1) : b.toString();
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    @Override
    public String token(int id) {
        return pieces.get(id);
    }

    @Override
    public OptionalInt id(String token) {
        int i = pieces.indexOf(token);
        return i < 0 ? OptionalInt.empty() : OptionalInt.of(i);
    }

    @Override
    public Set<Integer> specialIds() {
        return Set.of(0);
    }

    @Override
    public int bosId() {
        return -1;
    }

    @Override
    public Set<Integer> eosIds() {
        return Set.of(0);
    }

    @Override
    public int padId() {
        return -1;
    }
}
