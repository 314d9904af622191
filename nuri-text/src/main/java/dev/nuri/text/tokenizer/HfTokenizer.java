package dev.nuri.text.tokenizer;

import dev.nuri.NuriException;
import dev.nuri.text.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A Hugging Face {@code tokenizers} pipeline: added tokens → normalizer → pre-tokenizer → model → post-processor,
 * and decoder for the way back. Built by {@link HfTokenizerLoader} from tokenizer.json.
 */
public final class HfTokenizer implements Tokenizer {

    /** The parts of a pipeline; {@code normalizer}, {@code preTokenizer}, {@code postProcessor}, {@code decoder} may be null. */
    record Parts(String[] tokens, Map<String, Integer> ids, List<AddedTokens.Token> added, Normalizer normalizer,
                 PreTokenizer preTokenizer, TokenModel model, PostProcessor postProcessor, Decoder decoder,
                 int bosId, Set<Integer> eosIds, int padId, boolean cleanUpTokenizationSpaces) {
    }

    private final Parts parts;
    private final AddedTokens rawAdded;
    private final AddedTokens normalizedAdded;
    private final Set<Integer> specialIds;

    HfTokenizer(Parts parts) {
        this.parts = parts;
        List<AddedTokens.Token> raw = new ArrayList<>();
        List<AddedTokens.Token> normalized = new ArrayList<>();
        java.util.Set<Integer> special = new java.util.TreeSet<>();
        for (AddedTokens.Token t : parts.added()) {
            (t.normalized() && parts.normalizer() != null ? normalized : raw).add(t);
            if (t.special()) {
                special.add(t.id());
            }
        }
        this.rawAdded = new AddedTokens(raw);
        this.normalizedAdded = new AddedTokens(normalized);
        this.specialIds = Collections.unmodifiableSet(special);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        Utf8.requireWellFormed(text);
        IntList out = new IntList(text.length() / 3 + 4);
        for (AddedTokens.Segment seg : rawAdded.split(text, 0)) {
            if (seg.id() >= 0) {
                out.add(seg.id());
                continue;
            }
            String normalized = parts.normalizer() == null ? seg.text() : parts.normalizer().normalize(seg.text());
            for (AddedTokens.Segment inner : normalizedAdded.split(normalized, 0)) {
                if (inner.id() >= 0) {
                    out.add(inner.id());
                    continue;
                }
                boolean atStart = seg.start() == 0 && inner.start() == 0;
                List<PreTokenizer.Piece> pieces = List.of(new PreTokenizer.Piece(inner.text(), atStart));
                if (parts.preTokenizer() != null) {
                    pieces = parts.preTokenizer().split(pieces);
                }
                for (PreTokenizer.Piece p : pieces) {
                    parts.model().encode(p.text(), out);
                }
            }
        }
        int[] ids = out.toArray();
        return addSpecialTokens && parts.postProcessor() != null ? parts.postProcessor().process(ids) : ids;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (skipSpecialTokens && specialIds.contains(id)) {
                continue;
            }
            tokens.add(token(id));
        }
        String text = parts.decoder() == null ? String.join(" ", tokens) : String.join("", parts.decoder().decode(tokens));
        return parts.cleanUpTokenizationSpaces() ? cleanUpTokenization(text) : text;
    }

    /** transformers' {@code clean_up_tokenization} (applied by decode when tokenizer_config.json asks for it). */
    static String cleanUpTokenization(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    @Override
    public int vocabSize() {
        return parts.tokens().length;
    }

    @Override
    public String token(int id) {
        if (id < 0 || id >= parts.tokens().length || parts.tokens()[id] == null) {
            throw new NuriException("token id " + id + " is not in the vocabulary (size " + parts.tokens().length + ")");
        }
        return parts.tokens()[id];
    }

    @Override
    public OptionalInt id(String token) {
        Integer id = parts.ids().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public Set<Integer> specialIds() {
        return specialIds;
    }

    @Override
    public int bosId() {
        return parts.bosId();
    }

    @Override
    public Set<Integer> eosIds() {
        return parts.eosIds();
    }

    @Override
    public int padId() {
        return parts.padId();
    }

    /** The BPE model, for tests of its fast paths. */
    BpeModel bpeModelForTests() {
        return (BpeModel) parts.model();
    }
}
