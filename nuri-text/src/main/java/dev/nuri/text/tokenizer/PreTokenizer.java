package dev.nuri.text.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code pre_tokenizer}: cuts normalized text into pieces that the model encodes one by one.
 * {@link Piece#atStart} says whether a piece begins at offset 0 of the original input (Metaspace's
 * {@code prepend_scheme: first} depends on it).
 */
public interface PreTokenizer {

    record Piece(String text, boolean atStart) {
    }

    /** How the matched delimiters of a split are kept (HF's {@code SplitDelimiterBehavior}). */
    enum Behavior { REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS }

    List<Piece> split(List<Piece> pieces);

    /** The GPT-2 regex that ByteLevel uses when {@code use_regex} is true. */
    Splitter GPT2_SPLITTER = Splitter.of(Splitter.GPT2);

    /** Split on a regex (or an escaped literal), optionally inverted. */
    record Split(Splitter splitter, Behavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, splitter.spans(p.text()), behavior, invert, out);
            }
            return out;
        }
    }

    /** GPT-2 style byte-level: optional prefix space, optional GPT-2 regex split, then bytes → printable chars. */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                String t = p.text();
                if (addPrefixSpace && !t.startsWith(" ")) {
                    t = " " + t;
                }
                if (!useRegex) {
                    out.add(new Piece(ByteLevelTable.encode(t), p.atStart()));
                    continue;
                }
                int[] spans = GPT2_SPLITTER.spans(t); // every position matches: the spans tile the text
                for (int k = 0; k < spans.length; k += 3) {
                    if (spans[k] < spans[k + 1]) {
                        out.add(new Piece(ByteLevelTable.encode(t.substring(spans[k], spans[k + 1])),
                                p.atStart() && spans[k] == 0));
                    }
                }
            }
            return out;
        }
    }

    /** SentencePiece-style: spaces become the replacement char (▁), a prefix ▁ is added by scheme, optional split. */
    record Metaspace(char replacement, PrependScheme scheme, boolean splitOnReplacement) implements PreTokenizer {
        public enum PrependScheme { ALWAYS, FIRST, NEVER }

        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                String t = p.text().replace(' ', replacement);
                boolean prepend = switch (scheme) {
                    case ALWAYS -> true;
                    case FIRST -> p.atStart();
                    case NEVER -> false;
                };
                if (prepend && !(t.length() > 0 && t.charAt(0) == replacement)) {
                    t = replacement + t;
                }
                Piece np = new Piece(t, p.atStart());
                if (splitOnReplacement) {
                    splitPiece(np, charMatches(t, c -> c == replacement), Behavior.MERGED_WITH_NEXT, false, out);
                } else {
                    out.add(np);
                }
            }
            return out;
        }
    }

    /** {@code \w+|[^\w\s]+}: words and runs of punctuation, whitespace dropped. */
    record Whitespace() implements PreTokenizer {
        private static final Pattern WORDS = Regexes.compile("\\w+|[^\\w\\s]+");

        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, regexMatches(WORDS, p.text()), Behavior.REMOVED, true, out);
            }
            return out;
        }
    }

    /** Splits on whitespace, dropping it. */
    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, charMatches(p.text(), Character::isWhitespace), Behavior.REMOVED, false, out);
            }
            return out;
        }
    }

    /** BERT: split on whitespace (dropped), then isolate every punctuation character. */
    record Bert() implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> words = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, charMatches(p.text(), Character::isWhitespace), Behavior.REMOVED, false, words);
            }
            List<Piece> out = new ArrayList<>();
            for (Piece p : words) {
                splitPiece(p, charMatches(p.text(), PreTokenizer::isPunctuation), Behavior.ISOLATED, false, out);
            }
            return out;
        }
    }

    record Punctuation(Behavior behavior) implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, charMatches(p.text(), PreTokenizer::isPunctuation), behavior, false, out);
            }
            return out;
        }
    }

    /** Digits: each digit alone ({@code individual_digits}) or runs of digits. */
    record Digits(boolean individual) implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            List<Piece> out = new ArrayList<>();
            for (Piece p : pieces) {
                splitPiece(p, charMatches(p.text(), PreTokenizer::isNumeric),
                        individual ? Behavior.ISOLATED : Behavior.CONTIGUOUS, false, out);
            }
            return out;
        }
    }

    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public List<Piece> split(List<Piece> pieces) {
            for (PreTokenizer step : steps) {
                pieces = step.split(pieces);
            }
            return pieces;
        }
    }

    /** Rust's {@code char::is_ascii_punctuation() || char::is_punctuation()} (general categories P*). */
    static boolean isPunctuation(int c) {
        if (c < 128) {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Rust's {@code char::is_numeric} (Nd, Nl, No). */
    static boolean isNumeric(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /**
     * Match spans over the whole text as [start, end, isMatch] triples flattened into an int list, covering the
     * text without gaps (HF's {@code Pattern::find_matches}).
     */
    static int[] regexMatches(Pattern pattern, String text) {
        if (text.isEmpty()) {
            return new int[] {0, 0, 0};
        }
        IntList spans = new IntList();
        Matcher m = pattern.matcher(text);
        int prev = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() != prev) {
                spans.add3(prev, m.start(), 0);
            }
            spans.add3(m.start(), m.end(), 1);
            prev = m.end();
        }
        if (prev != text.length()) {
            spans.add3(prev, text.length(), 0);
        }
        return spans.toArray();
    }

    static int[] charMatches(String text, IntPredicate isDelimiter) {
        if (text.isEmpty()) {
            return new int[] {0, 0, 0};
        }
        IntList spans = new IntList();
        int prev = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int n = Character.charCount(c);
            if (isDelimiter.test(c)) {
                if (i != prev) {
                    spans.add3(prev, i, 0);
                }
                spans.add3(i, i + n, 1);
                prev = i + n;
            }
            i += n;
        }
        if (prev != text.length()) {
            spans.add3(prev, text.length(), 0);
        }
        return spans.toArray();
    }

    /** Applies a delimiter behaviour to match spans (HF's {@code NormalizedString::split}), appending to {@code out}. */
    static void splitPiece(Piece piece, int[] spans, Behavior behavior, boolean invert, List<Piece> out) {
        int n = spans.length / 3;
        int[] starts = new int[n];
        int[] ends = new int[n];
        boolean[] removed = new boolean[n];
        int count = 0;
        boolean previousMatch = false;
        if (behavior == Behavior.MERGED_WITH_NEXT) {
            for (int k = n - 1; k >= 0; k--) {
                int s = spans[3 * k];
                int e = spans[3 * k + 1];
                boolean isMatch = (spans[3 * k + 2] == 1) != invert;
                if (isMatch && !previousMatch && count > 0) {
                    starts[count - 1] = s;
                } else {
                    starts[count] = s;
                    ends[count] = e;
                    count++;
                }
                previousMatch = isMatch;
            }
            for (int a = 0, b = count - 1; a < b; a++, b--) {
                int t = starts[a];
                starts[a] = starts[b];
                starts[b] = t;
                t = ends[a];
                ends[a] = ends[b];
                ends[b] = t;
            }
        } else {
            for (int k = 0; k < n; k++) {
                int s = spans[3 * k];
                int e = spans[3 * k + 1];
                boolean isMatch = (spans[3 * k + 2] == 1) != invert;
                switch (behavior) {
                    case REMOVED -> {
                        starts[count] = s;
                        ends[count] = e;
                        removed[count] = isMatch;
                        count++;
                    }
                    case ISOLATED -> {
                        starts[count] = s;
                        ends[count] = e;
                        count++;
                    }
                    case CONTIGUOUS -> {
                        if (isMatch == previousMatch && count > 0) {
                            ends[count - 1] = e;
                        } else {
                            starts[count] = s;
                            ends[count] = e;
                            count++;
                        }
                    }
                    case MERGED_WITH_PREVIOUS -> {
                        if (isMatch && !previousMatch && count > 0) {
                            ends[count - 1] = e;
                        } else {
                            starts[count] = s;
                            ends[count] = e;
                            count++;
                        }
                    }
                    default -> throw new IllegalStateException();
                }
                previousMatch = isMatch;
            }
        }
        String text = piece.text();
        for (int k = 0; k < count; k++) {
            if (removed[k] || starts[k] == ends[k]) {
                continue;
            }
            out.add(new Piece(text.substring(starts[k], ends[k]), piece.atStart() && starts[k] == 0));
        }
    }
}
