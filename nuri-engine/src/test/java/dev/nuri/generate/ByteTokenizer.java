package dev.nuri.generate;

import dev.nuri.text.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A byte-level tokenizer for tests: ids 0–255 are single bytes, 256 is {@code <eos>} and 257 {@code <bos>} (both
 * special), and 258 onwards are the multi-byte tokens given to the constructor. Decoding joins the bytes and reads
 * them as UTF-8, so an incomplete character decodes to U+FFFD, as real byte-level decoders do.
 */
final class ByteTokenizer implements Tokenizer {
    static final int EOS = 256;
    static final int BOS = 257;
    private final List<byte[]> merged = new ArrayList<>();

    ByteTokenizer(String... mergedTokens) {
        for (String t : mergedTokens) {
            merged.add(t.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A multi-byte token given as raw bytes (it may split a UTF-8 character). */
    int addBytes(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        merged.add(b);
        return 257 + merged.size();
    }

    /** The id of the i-th multi-byte token. */
    static int merged(int i) {
        return 258 + i;
    }

    /** One id per UTF-8 byte of {@code text}. */
    static int[] bytes(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xff;
        }
        return ids;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        return bytes(text);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 256) {
                out.write(id);
            } else if (id == EOS || id == BOS) {
                if (!skipSpecialTokens) {
                    out.writeBytes((id == EOS ? "<eos>" : "<bos>").getBytes(StandardCharsets.UTF_8));
                }
            } else {
                out.writeBytes(merged.get(id - 258));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return 258 + merged.size();
    }

    @Override
    public String token(int id) {
        return decode(new int[] {id}, false);
    }

    @Override
    public OptionalInt id(String token) {
        return OptionalInt.empty();
    }

    @Override
    public Set<Integer> specialIds() {
        return Set.of(EOS, BOS);
    }

    @Override
    public int bosId() {
        return BOS;
    }

    @Override
    public Set<Integer> eosIds() {
        return Set.of(EOS);
    }

    @Override
    public int padId() {
        return -1;
    }
}
