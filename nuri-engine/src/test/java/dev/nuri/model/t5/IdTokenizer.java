package dev.nuri.model.t5;

import dev.nuri.text.Tokenizer;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/** A stand-in tokenizer for generation tests that work on ids: decodes ids as numbers, encodes nothing. */
final class IdTokenizer implements Tokenizer {
    private final int vocab;
    private final int eos;

    IdTokenizer(int vocab, int eos) {
        this.vocab = vocab;
        this.eos = eos;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        throw new UnsupportedOperationException("ids only");
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return Arrays.stream(ids).mapToObj(i -> "<" + i + ">").collect(Collectors.joining());
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public String token(int id) {
        return "<" + id + ">";
    }

    @Override
    public OptionalInt id(String token) {
        return OptionalInt.empty();
    }

    @Override
    public Set<Integer> specialIds() {
        return Set.of(eos);
    }

    @Override
    public int bosId() {
        return -1;
    }

    @Override
    public Set<Integer> eosIds() {
        return Set.of(eos);
    }

    @Override
    public int padId() {
        return -1;
    }
}
