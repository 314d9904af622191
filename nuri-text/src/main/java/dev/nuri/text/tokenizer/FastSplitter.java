package dev.nuri.text.tokenizer;

/**
 * Scans text the way the GPT-2 and Llama 3 / Qwen2 pre-tokenizer regexes match it (leftmost match, first matching
 * alternative, greedy runs with the regex's backtracking worked out by hand). Every position of the text starts a
 * match of these regexes, so the matches tile the text. Classes as in {@link java.util.regex} with
 * UNICODE_CHARACTER_CLASS: {@code \s} = White_Space, {@code \p{L}} / {@code \p{N}} = general categories.
 */
final class FastSplitter implements Splitter {
    enum Kind { GPT2, LLAMA3 }

    private final Kind kind;
    private final int maxDigits;
    /** Contractions in any case (Llama 3 / Qwen2) or lower case only (GPT-2). */
    private final boolean caseInsensitive;
    /** {@code (?i:'s)} also matches U+017F (long s), which case-folds to s; llama.cpp's {@code '[sS]} does not. */
    private final boolean longS;
    /** llama.cpp's GPT-2 regex lacks the final {@code |\s+}: a lone whitespace before a non-space is left unmatched. */
    private final boolean lastWhitespaceUnmatched;

    FastSplitter(Kind kind, int maxDigits, boolean caseInsensitive, boolean longS, boolean lastWhitespaceUnmatched) {
        this.kind = kind;
        this.maxDigits = maxDigits;
        this.caseInsensitive = caseInsensitive;
        this.longS = longS;
        this.lastWhitespaceUnmatched = lastWhitespaceUnmatched;
    }

    @Override
    public int[] spans(String text) {
        int n = text.length();
        if (n == 0) {
            return new int[] {0, 0, 0};
        }
        IntList out = new IntList(n / 2 + 4);
        int i = 0;
        while (i < n) {
            int end = kind == Kind.GPT2 ? gpt2(text, i, n) : llama3(text, i, n);
            boolean matched = end > 0;
            end = Math.abs(end);
            out.add3(i, end, matched ? 1 : 0);
            i = end;
        }
        return out.toArray();
    }

    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int SPACE = 2;
    private static final int OTHER = 3;

    private static int cls(int c) {
        if (c < 0x80) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                return LETTER;
            }
            if (c >= '0' && c <= '9') {
                return NUMBER;
            }
            return c == ' ' || (c >= 0x09 && c <= 0x0D) ? SPACE : OTHER;
        }
        if (LlamaCppWordPiece.isWhitespace(c)) {
            return SPACE;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            default -> OTHER;
        };
    }

    private static int clsAt(String s, int i) {
        return cls(s.codePointAt(i));
    }

    private static int next(String s, int i) {
        return i + Character.charCount(s.codePointAt(i));
    }

    /** End of the run of class {@code c} starting at {@code i}. */
    private static int run(String s, int i, int n, int c) {
        while (i < n && clsAt(s, i) == c) {
            i = next(s, i);
        }
        return i;
    }

    /** Length of an English contraction ('s 't 're 've 'm 'll 'd) at {@code i}, or 0. */
    private int contraction(String s, int i, int n) {
        if (s.charAt(i) != '\'' || i + 1 >= n) {
            return 0;
        }
        char a = s.charAt(i + 1);
        char b = i + 2 < n ? s.charAt(i + 2) : 0;
        if (caseInsensitive) {
            if (a == 's' || a == 'S' || (longS && a == '\u017F') || a == 't' || a == 'T' || a == 'm' || a == 'M' || a == 'd' || a == 'D') {
                return 2;
            }
            if (((a == 'r' || a == 'R') && (b == 'e' || b == 'E')) || ((a == 'v' || a == 'V') && (b == 'e' || b == 'E'))
                    || ((a == 'l' || a == 'L') && (b == 'l' || b == 'L'))) {
                return 3;
            }
            return 0;
        }
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 2;
        }
        if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
            return 3;
        }
        return 0;
    }

    /**
     * {@code \s+(?!\S)|\s+} at a whitespace character: the run, less its last character when a non-space follows.
     * Returns {@code -end} when only the missing {@code \s+} alternative could have matched.
     */
    private int whitespace(String s, int i, int n) {
        int j = run(s, i, n, SPACE);
        if (j == n) {
            return j;
        }
        int last = s.offsetByCodePoints(j, -1);
        return last > i ? last : lastWhitespaceUnmatched ? -j : j;
    }

    private int gpt2(String s, int i, int n) {
        int k = contraction(s, i, n);
        if (k > 0) {
            return i + k;
        }
        int c = clsAt(s, i);
        int start = i;
        if (s.charAt(i) == ' ' && i + 1 < n) {
            int d = clsAt(s, i + 1);
            if (d == LETTER || d == NUMBER || d == OTHER) {
                return run(s, i + 1, n, d);
            }
        }
        if (c == LETTER || c == NUMBER || c == OTHER) {
            return run(s, start, n, c);
        }
        return whitespace(s, i, n);
    }

    private int llama3(String s, int i, int n) {
        int k = contraction(s, i, n);
        if (k > 0) {
            return i + k;
        }
        int cp = s.codePointAt(i);
        int c = cls(cp);
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (c == LETTER) {
            return run(s, i, n, LETTER);
        }
        if (c != NUMBER && cp != '\r' && cp != '\n') {
            int j = next(s, i);
            if (j < n && clsAt(s, j) == LETTER) {
                return run(s, j, n, LETTER);
            }
        }
        // \p{N}{1,maxDigits}
        if (c == NUMBER) {
            int j = i;
            for (int d = 0; d < maxDigits && j < n && clsAt(s, j) == NUMBER; d++) {
                j = next(s, j);
            }
            return j;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int j = -1;
        if (cp == ' ' && i + 1 < n && clsAt(s, i + 1) == OTHER) {
            j = run(s, i + 1, n, OTHER);
        } else if (c == OTHER) {
            j = run(s, i, n, OTHER);
        }
        if (j >= 0) {
            while (j < n && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) {
                j++;
            }
            return j;
        }
        // \s*[\r\n]+ : the whitespace run up to and including its last line break
        int end = run(s, i, n, SPACE);
        for (int m = end - 1; m >= i; m--) {
            char ch = s.charAt(m);
            if (ch == '\r' || ch == '\n') {
                return m + 1;
            }
        }
        return whitespace(s, i, n);
    }
}
