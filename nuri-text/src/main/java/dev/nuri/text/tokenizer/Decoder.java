package dev.nuri.text.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Hugging Face {@code decoder}: token strings → strings (HF's {@code decode_chain}); the results are concatenated. */
public interface Decoder {

    List<String> decode(List<String> tokens);

    /** Maps byte-level characters back to bytes and decodes UTF-8 (invalid sequences become U+FFFD). */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                byte[] mapped = new byte[t.length()];
                boolean all = true;
                for (int i = 0; i < t.length(); i++) {
                    int b = ByteLevelTable.byteOf(t.charAt(i));
                    if (b < 0) {
                        all = false;
                        break;
                    }
                    mapped[i] = (byte) b;
                }
                bytes.writeBytes(all ? mapped : t.getBytes(StandardCharsets.UTF_8));
            }
            return List.of(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /** ▁ → space; in the first token (unless the scheme is never) the replacement characters are dropped. */
    record Metaspace(char replacement, boolean prependedFirst) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                out.add(i == 0 && prependedFirst ? t.replace(String.valueOf(replacement), "")
                        : t.replace(replacement, ' '));
            }
            return out;
        }
    }

    /** Joins WordPiece continuation pieces ({@code ##}), spaces before the others, optional clean-up. */
    record WordPiece(String prefix, boolean cleanup) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i != 0) {
                    t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
                }
                out.add(cleanup ? cleanupTokenization(t) : t);
            }
            return out;
        }
    }

    /** {@code <0xXX>} tokens → bytes → UTF-8; an invalid run gives one U+FFFD per byte. */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            int pendingCount = 0;
            for (String t : tokens) {
                int b = byteToken(t);
                if (b >= 0) {
                    pending.write(b);
                    pendingCount++;
                    continue;
                }
                if (pendingCount > 0) {
                    flush(pending, pendingCount, out);
                    pending.reset();
                    pendingCount = 0;
                }
                out.add(t);
            }
            if (pendingCount > 0) {
                flush(pending, pendingCount, out);
            }
            return out;
        }

        private static void flush(ByteArrayOutputStream pending, int count, List<String> out) {
            byte[] bytes = pending.toByteArray();
            String s = strictUtf8(bytes);
            if (s != null) {
                out.add(s);
            } else {
                for (int i = 0; i < count; i++) {
                    out.add("\uFFFD");
                }
            }
        }
    }

    record Fuse() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters of each token. */
    record Strip(char content, int start, int stop) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int s = 0;
                int e = t.length();
                for (int k = 0; k < start && s < e && t.charAt(s) == content; k++) {
                    s++;
                }
                for (int k = 0; k < stop && e > s && t.charAt(e - 1) == content; k++) {
                    e--;
                }
                out.add(t.substring(s, e));
            }
            return out;
        }
    }

    record Replace(Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                out.add(pattern.matcher(t).replaceAll(Matcher.quoteReplacement(content)));
            }
            return out;
        }
    }

    /** The original BPE paper's end-of-word suffix ({@code </w>}) becomes a space, except on the last token. */
    record Bpe(String suffix) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        }
    }

    /** CTC: collapse repeats, drop the pad token, word delimiter → space. */
    record Ctc(String padToken, String wordDelimiter, boolean cleanup) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            List<String> out = new ArrayList<>();
            String previous = null;
            for (String t : tokens) {
                if (t.equals(previous)) {
                    continue;
                }
                previous = t;
                if (t.equals(padToken)) {
                    continue;
                }
                String r = t.replace(wordDelimiter, " ");
                if (cleanup) {
                    r = cleanupTokenization(r).replace(wordDelimiter, " ");
                }
                if (!r.isEmpty()) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    record Sequence(List<Decoder> decoders) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens) {
            for (Decoder d : decoders) {
                tokens = d.decode(tokens);
            }
            return tokens;
        }
    }

    /** The byte of a {@code <0xXX>} token, or -1. */
    static int byteToken(String t) {
        if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(t.charAt(3), 16);
        int lo = Character.digit(t.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    /** The string of {@code bytes} if they are valid UTF-8, else null. */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** HF's {@code clean_up_tokenization}: removes spaces before punctuation and in common English contractions. */
    static String cleanupTokenization(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }
}
